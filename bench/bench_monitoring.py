"""Benchmark the monitoring pages and the indicators API at province scale on PostgreSQL.

    .venv/bin/python bench/bench_monitoring.py [--loans 1000000] [--households 1300000] \
        [--database postgres:///microcredit_bench_monitoring] [--reuse] [--runs 30]

1. (Re)creates the database and migrates it (``bench_close.setup``).
2. The demo generator's ``regions`` step at the ``province`` preset (50 counties × 12 townships,
   150 villages a county: 7,500 villages), then ``--households`` households (one head member
   each) spread evenly over the villages with one ``INSERT … SELECT generate_series`` — the demo's
   household stream (≈ 2,800 households/s) would take 8+ minutes for a province on two cores,
   and these pages only count households by region and status.
3. ``bench_close.load`` with an ``assign`` hook: the same synthetic 1,000,000 loans and their
   instalments (COPY), loan *i* belonging to household *i* (its head the borrower) and carrying
   its village's code, so eligible-household counts and drill-downs to households are real.
4. The daily close of 2026-11-30 (a month end: day states, month-end snapshots, Aggregate rows),
   through ``monitoring.close.run_close`` with the business date pinned to 2026-12-01.
5. Times, server-side with Django's test ``Client`` (the whole request: middleware, session
   auth, view, template), each URL warmed once then ``--runs`` times: median, p95, and the SQL
   queries per request (``CaptureQueriesContext``), as a county-office user scoped to one county
   and one scoped to the province.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import bench_close

DAY = bench_close.DAY
TARGET_PAGE_MS = 100
TARGET_API_MS = 200


def load_regions_and_households(households: int) -> list[str]:
    """The province region tree (demo ``regions`` step) and ``households`` households; returns
    the village codes in code order (household *i* lives in village ``i % len(villages)``)."""
    import random

    from django.db import connection

    from microcredit.apps.regions.models import Region
    from microcredit.demo.context import DemoContext
    from microcredit.demo.regions import create_regions
    from microcredit.demo.scales import scale_for

    t0 = time.perf_counter()
    ctx = DemoContext(seed=1, rng=random.Random("1:regions"), scale=scale_for("province"),
                      business_date=DAY, progress=sys.stderr)
    create_regions(ctx)
    villages = list(Region.objects.filter(level="village").order_by("code").values_list("code", flat=True))
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_village AS SELECT code, (row_number() OVER (ORDER BY code) - 1)::int AS k "
                  "FROM regions_region WHERE level = 'village'")
        c.execute(
            "INSERT INTO households_household (id, number, village_id, region_code, group_name, head_name, "
            "head_id_number, phone, address, status, is_wubao, is_dibao, year_registered, year_exited, "
            "income_per_head, created_at, updated_at) "
            "SELECT g, 'H' || lpad(g::text, 10, '0'), v.code, v.code, '一组', '户主' || g, lpad(g::text, 18, '0'), "
            "'', '', (ARRAY['poor','exited','edge','monitored','general'])[1 + g %% 5], false, false, "
            "2016 + g %% 5, NULL, 600000 + g %% 500000, now(), now() "
            "FROM generate_series(1, %s) g JOIN bench_village v ON v.k = g %% %s", [households, len(villages)])
        c.execute(
            "INSERT INTO households_member (id, household_id, name, id_number, relation, birth_date, is_male, "
            "labour, skill, health, phone) "
            "SELECT g, g, '户主' || g, lpad(g::text, 18, '0'), 'head', DATE '1970-01-01' + g %% 9000, g %% 2 = 0, "
            "'full', 'none', 'healthy', '' FROM generate_series(1, %s) g", [households])
        c.execute("SELECT setval('households_household_id_seq', %s)", [households])
        c.execute("SELECT setval('households_member_id_seq', %s)", [households])
        c.execute("ANALYZE households_household")
        c.execute("ANALYZE households_member")
        c.execute("ANALYZE regions_region")
    print(f"regions: {len(villages):,} villages; {households:,} households in {time.perf_counter() - t0:.1f} s",
          flush=True)
    return villages


def assign_to(villages: list[str]):
    """The ``bench_close.load`` hook: loan i → household i, its head, its village's code."""
    import polars as pl

    frame = pl.DataFrame({"k": list(range(len(villages))), "village_code": villages},
                         schema={"k": pl.Int64, "village_code": pl.Utf8})

    def assign(loans):
        return (loans.with_columns(household_id=pl.col("id"), borrower_id=pl.col("id"),
                                   k=pl.col("id") % len(villages))
                .join(frame, on="k").with_columns(region_code=pl.col("village_code"))
                .drop("k", "village_code").sort("id"))

    return assign


def close() -> None:
    from microcredit.apps.monitoring.close import run_close

    t0 = time.perf_counter()
    run = run_close(DAY, lambda done, total, message="": print(
        f"  [{time.perf_counter() - t0:6.1f}s] {done}/{total} {message}", flush=True))
    print(f"close {DAY}: {run.loans:,} loans, {run.changed:,} changed, {time.perf_counter() - t0:.1f} s", flush=True)


def bench_users():
    from django.contrib.auth.models import Group

    from microcredit.apps.accounts.models import User
    from microcredit.apps.accounts.roles import sync_roles
    from microcredit.apps.regions.models import Region

    sync_roles()
    county = Region.objects.filter(level="county").order_by("code").first()
    province = Region.objects.get(level="province")
    users = {}
    for name, prefix in (("bench-county", county.code[:6]), ("bench-province", province.code[:2])):
        user, _ = User.objects.get_or_create(username=name, defaults={"role": "county_office"})
        user.role, user.scope_regions = "county_office", [prefix]
        user.save()
        user.groups.add(Group.objects.get(name="county_office"))
        users[name] = user
    return users, county, province


def try_lights_prefix() -> None:
    """``--try-lights-prefix``: an experiment, not the shipped code — the lights page's list also
    filters the day state by the place's prefix, so a (warning_light, region_code) index can serve it."""
    from microcredit.apps.monitoring import drill

    shipped = drill.loans_lit

    def loans_lit(user, place, light):
        qs = shipped(user, place, light)
        return qs.filter(day_state__region_code__startswith=place.code) if place.is_latest else qs

    drill.loans_lit = loans_lit


def measure(runs: int, explain: bool = False, jit: bool = True) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from microcredit.apps.regions.models import Region

    users, county, province = bench_users()
    if not jit:
        with connection.cursor() as c:
            c.execute("SET jit = off")  # this session only (the database's setting is left alone)
    township = Region.objects.filter(level="township", parent=county).order_by("code").first()
    as_of = DAY.isoformat()
    api = "/api/v1/monitoring/indicators"

    def url(name: str, **query) -> str | None:
        try:
            base = reverse(name)
        except NoReverseMatch:
            return None
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    cases = [
        ("county dashboard (monitoring:overview)", "bench-county", url("monitoring:overview"), TARGET_PAGE_MS),
        ("township drill-down (overview?region=township)", "bench-county",
         url("monitoring:overview", region=township.code), TARGET_PAGE_MS),
        ("lights page (monitoring:lights)", "bench-county", url("monitoring:lights"), TARGET_PAGE_MS),
        ("indicators API, province", "bench-province", f"{api}?region={province.code}&as_of={as_of}", TARGET_API_MS),
        ("indicators API, county", "bench-county", f"{api}?region={county.code}&as_of={as_of}", TARGET_API_MS),
        ("indicators API, township", "bench-county", f"{api}?region={township.code}&as_of={as_of}", TARGET_API_MS),
        ("indicators API, county, latest close", "bench-county", f"{api}?region={county.code}", TARGET_API_MS),
        ("indicators API, county by bank", "bench-county", f"{api}?region={county.code}&as_of={as_of}&by=bank",
         TARGET_API_MS),
        ("indicators API, county by usage mode", "bench-county",
         f"{api}?region={county.code}&as_of={as_of}&by=usage_mode", TARGET_API_MS),
    ]
    clients = {}
    for name, user in users.items():
        clients[name] = Client(HTTP_HOST="localhost")
        clients[name].force_login(user)
    results = []
    for label, who, path, target in cases:
        if path is None:
            print(f"{label}: URL missing", flush=True)
            results.append({"label": label, "missing": True})
            continue
        client = clients[who]
        response = client.get(path)  # warm: caches, plans, templates
        if response.status_code != 200:
            print(f"{label}: {path} → HTTP {response.status_code}: {response.content[:300]!r}", flush=True)
            results.append({"label": label, "path": path, "status": response.status_code})
            continue
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        row = {"label": label, "path": path, "status": response.status_code, "median": statistics.median(times),
               "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)], "min": times[0],
               "queries": len(queries.captured_queries), "target": target,
               "sql_ms": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
               "slowest": [(float(q["time"]) * 1000, q["sql"][:200]) for q in slowest]}
        results.append(row)
        print(f"{label}: median {row['median']:.1f} ms, p95 {row['p95']:.1f} ms, min {row['min']:.1f} ms, "
              f"{row['queries']} queries ({row['sql_ms']:.0f} ms SQL in the last run) (target {target} ms) — {path}", flush=True)
        for ms, sql in row["slowest"]:
            print(f"    {ms:8.1f} ms  {sql}", flush=True)
        if explain and slowest:
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                print("\n".join("      " + r[0] for r in c.fetchall()), flush=True)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loans", type=int, default=1_000_000)
    p.add_argument("--households", type=int, default=1_300_000)
    p.add_argument("--database", default="postgres:///microcredit_bench_monitoring")
    p.add_argument("--reuse", action="store_true", help="keep the loaded and closed database, only measure")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of each request")
    p.add_argument("--no-jit", action="store_true", help="SET jit = off for the measuring session")
    p.add_argument("--try-lights-prefix", action="store_true",
                   help="experiment: the lights list also filters the day state by region prefix")
    a = p.parse_args()
    if a.households < a.loans:
        p.error("--households must be at least --loans (one active loan per household, DOMAIN §4)")
    bench_close.setup(a.database, fresh=not a.reuse)
    from microcredit.apps.core.clock import pinned_business_date

    with pinned_business_date(DAY + dt.timedelta(days=1)):  # the close refuses dates after the business date
        if not a.reuse:
            villages = load_regions_and_households(a.households)
            bench_close.load(a.loans, assign=assign_to(villages))
            close()
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
        settings.DEBUG = False
        if a.try_lights_prefix:
            try_lights_prefix()
        measure(a.runs, explain=a.explain, jit=not a.no_jit)


if __name__ == "__main__":
    main()
