"""Registry import speed: 20,000 member rows (5,000 households), first import and re-import.

    python bench/bench_import.py [--households 5000] [--database postgres:///microcredit_bench]

Runs on a fresh SQLite file under a temporary directory unless --database is given (that
database is used as is: give it an empty, migrated one). Prints rows/s; figures go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    os.environ["MICROCREDIT_VAR"] = tempfile.mkdtemp(prefix="bench-import-")
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from microcredit.apps.accounts.scope import Scope
    from microcredit.apps.households.registry_file import HEADERS, parse_registry_file
    from microcredit.apps.households.services import registry_import
    from microcredit.apps.regions.models import Region
    from microcredit.domain.identity import make_id_number

    for code, name, level, parent in [
        ("410000000000", "河南省", "province", None), ("411200000000", "三门峡市", "city", "410000000000"),
        ("411224000000", "卢氏县", "county", "411200000000"), ("411224100000", "城关镇", "township", "411224000000"),
        ("411224100001", "东关村", "village", "411224100000"),
    ]:
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS)
    writer.writeheader()
    serial = 0
    for h in range(args.households):
        head = f"户主{h}"
        for m in range(4):
            serial += 1
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 400)
            writer.writerow({"户编号": f"B{h:07d}", "行政村代码": "411224100001", "户主姓名": head, "户类型": "已脱贫户",
                             "成员姓名": head if m == 0 else f"成员{h}-{m}", "身份证号": make_id_number("411224", birth, serial % 400, True),
                             "与户主关系": "户主" if m == 0 else "子女"})
    data = out.getvalue().encode()
    rows = args.households * 4
    scope = Scope((), None, unrestricted=True)
    for label in ("first import", "re-import (unchanged)"):
        started = time.perf_counter()
        parsed = parse_registry_file(filename="bench.csv", data=data, scope=scope)
        assert parsed.ok, parsed.errors[:3]
        registry_import(parsed=parsed, actor=None, source="bench")
        elapsed = time.perf_counter() - started
        print(f"{label}: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
