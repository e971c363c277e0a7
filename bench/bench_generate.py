"""Benchmark the demo generator.

    .venv/bin/python bench/bench_generate.py county                  # county scale on SQLite
    .venv/bin/python bench/bench_generate.py province --households 200000 \
        [--database postgres:///microcredit_bench]                   # province stream

Each measurement runs in a fresh database (a temporary SQLite file, or the PostgreSQL database
dropped and re-created with dropdb/createdb) in a child process, which reports its wall time
and its own peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def child(scale: str, households: int | None, seed: int) -> None:
    """Runs inside the child process: generate and print one JSON line."""
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
    django.setup()
    from microcredit.demo.runner import generate
    from microcredit.demo.scales import scale_for

    preset = scale_for(scale, households)
    started = time.perf_counter()
    ctx = generate(seed=seed, scale=preset, progress=sys.stderr)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "scale": preset.name, "households": ctx.counts["households"], "members": ctx.counts["members"],
        "seconds": round(seconds, 2), "households_per_s": round(ctx.counts["households"] / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


def run(scale: str, households: int | None, seed: int, database: str | None) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as var:
        env["MICROCREDIT_VAR"] = var
        if database:
            env["DATABASE_URL"] = database
            name = urlparse(database).path.lstrip("/")
            subprocess.run(["dropdb", "--if-exists", name], check=True)
            subprocess.run(["createdb", name], check=True)
        python = sys.executable
        subprocess.run([python, "-m", "microcredit", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        args = [python, __file__, "--child", scale, "--seed", str(seed)]
        if households:
            args += ["--households", str(households)]
        out = subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["database"] = "postgresql" if database else "sqlite"
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=["test", "county", "province"])
    parser.add_argument("--households", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="DATABASE_URL of a scratch database (dropped and re-created)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.scale, args.households, args.seed)
        return
    result = run(args.scale, args.households, args.seed, args.database)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
