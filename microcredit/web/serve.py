"""`python -m microcredit serve`: gunicorn with production settings, static files by WhiteNoise."""

from __future__ import annotations

import argparse
import sys


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m microcredit serve")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from gunicorn.app.wsgiapp import WSGIApplication  # only when serving (gunicorn is not needed by tests)

    sys.argv = [
        "gunicorn", "microcredit.web.wsgi:application",
        "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers),
        "--threads", "4", "--timeout", "120", "--access-logfile", "-",
    ]
    print(f"Microcredit 已启动: http://{args.host}:{args.port}/", flush=True)
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
