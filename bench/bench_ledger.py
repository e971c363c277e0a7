"""Benchmark the province-scale ledger import (台账导入, issue #13 §6, DOMAIN §10).

Target: a generated 400,000-row ledger from 20 banks imports, validates and reconciles within
60 s, peak memory under 2 GB, and within 10× the time of merely reading the file with calamine.

    .venv/bin/python bench/bench_ledger.py generate [--rows 400000] [--households 420000] \
        [--database postgres:///microcredit_bench_ledger] [--reuse] [--csv] [--out bench/out/ledger.xlsx]
    .venv/bin/python bench/bench_ledger.py read [--file bench/out/ledger.xlsx]
    .venv/bin/python bench/bench_ledger.py run [--file …] [--database …] [--in-place]

``generate``
    (Re)creates the bench database (PostgreSQL, dropped and re-created unless ``--reuse``; or
    SQLite when ``--database``/``DATABASE_URL`` is ``sqlite:///path``, the file deleted first),
    migrates it, and writes in one seeded pass: the demo's region tree at the ``province``
    preset sized for ``--households`` (20,000 households a county: 21 counties × 12 townships,
    3,150 villages), 20 banks (``reference.Bank``), the registry (households with a head and
    most with a spouse, valid GB 11643 ID numbers, ``bulk_create`` in chunks) and the ledger
    ``.xlsx`` (XlsxWriter ``constant_memory``, so memory stays flat) in the 台账 layout: two
    merged title rows, the header (``HEADER``), one row per loan (banks mixed, ordered by
    region as a county compiles it), a 合计 row. ``--csv`` also writes the same rows as a
    GB18030 CSV. Planted problems (≈ 0.3 %, ``PLANTED``) are listed with their bank and
    contract number in ``<out>.planted.json`` — what reconciliation must find, once each.
    With ``--reuse`` an existing bench database is kept (the registry is not written again);
    the file is regenerated from the same seed only if it is missing.

``read``
    The 10× baseline: reading the file with python-calamine in this process (open, iterate
    every row of the first sheet — ``iter_rows`` and ``to_python``), then through
    ``microcredit.apps.core.tables.iter_cells`` (the bounded child-process reader the importer
    uses), first with ``DEFAULT_LIMITS`` (which may refuse a file this large), then with limits
    raised to fit it.

``run``
    Copies the bench database (PostgreSQL: ``createdb -T``; SQLite: the file) so the first
    import always starts from the pristine registry (``--in-place`` imports into the bench
    database itself), then runs ``python -m microcredit import-ledger FILE --report R`` under
    ``/usr/bin/time -v`` twice: the import, then the re-import (must change nothing). Prints
    the elapsed time, GNU time's "Maximum resident set size" (the largest single process of
    the waited tree: max of the CLI and its parsing child, *not* their sum) and this script's
    own sampling of the whole process tree's summed RSS every 50 ms (the concurrent peak),
    and the report's counts.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import itertools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres:///microcredit_bench_ledger"
DEFAULT_OUT = ROOT / "bench" / "out" / "ledger.xlsx"
AS_OF = dt.date(2026, 11, 30)  # the ledger's date (统计截止日期)
CHUNK = 5000  # households per bulk_create

HEADER = (
    "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "借款人姓名", "借款人身份证号", "与户主关系",
    "户类型", "信用等级", "授信额度(元)", "授信银行", "授信日期", "合同编号", "贷款金额(元)", "贷款期限(月)",
    "放款日期", "到期日期", "执行年利率(%)", "贷款银行", "累计贴息(元)", "累计还款(元)", "最近还款日期",
    "贷款余额(元)", "逾期金额(元)", "逾期起始日期", "欠息(元)", "欠息起始日期", "产业", "使用方式", "放款账户",
)
DATE_COLUMNS = frozenset(i for i, h in enumerate(HEADER) if h.endswith("日期"))
MONEY_COLUMNS = frozenset(i for i, h in enumerate(HEADER) if h.endswith("(元)"))
TOTAL_COLUMNS = tuple(HEADER.index(h) for h in ("贷款金额(元)", "累计贴息(元)", "累计还款(元)", "贷款余额(元)",
                                                  "逾期金额(元)", "欠息(元)"))

# 20 banks lending in one province (fictitious branches of real kinds of banks), with a weight
# (share of the province's loans: the rural commercial banks and the postal bank lend most).
BANKS = (
    ("GSRCU", "甘肃省农村信用社联合社", "省农信联社", 4),
    ("ABC-GS", "中国农业银行甘肃省分行", "农业银行", 8),
    ("PSBC-GS", "中国邮政储蓄银行甘肃省分行", "邮储银行", 10),
    ("CCB-GS", "中国建设银行甘肃省分行", "建设银行", 2),
    ("ICBC-GS", "中国工商银行甘肃省分行", "工商银行", 1),
    ("BOC-GS", "中国银行甘肃省分行", "中国银行", 1),
    ("GSBANK", "甘肃银行股份有限公司", "甘肃银行", 4),
    ("LZBANK", "兰州银行股份有限公司", "兰州银行", 2),
    ("YLRCB", "云岭农村商业银行股份有限公司", "云岭农商银行", 7),
    ("HXRCB", "河西农村商业银行股份有限公司", "河西农商银行", 7),
    ("JCRCB", "金城农村商业银行股份有限公司", "金城农商银行", 6),
    ("LYRCB", "陇原农村商业银行股份有限公司", "陇原农商银行", 6),
    ("QLRCB", "祁连农村商业银行股份有限公司", "祁连农商银行", 6),
    ("BYRCB", "白银川农村商业银行股份有限公司", "白银川农商银行", 5),
    ("TSRCB", "天水湾农村商业银行股份有限公司", "天水湾农商银行", 5),
    ("XFRCB", "雪峰农村商业银行股份有限公司", "雪峰农商银行", 5),
    ("QSRCB", "青山农村商业银行股份有限公司", "青山农商银行", 8),
    ("HHRCCB", "黄河农村合作银行", "黄河农合行", 4),
    ("YLVB", "云岭惠民村镇银行股份有限公司", "惠民村镇银行", 2),
    ("ADBC-GS", "中国农业发展银行甘肃省分行", "农发行", 1),
)

# Planted problems (DOMAIN §10 checks), rows or groups of rows; ≈ 0.3 % of 400,000.
PLANTED = {
    "not_in_registry": 200,  # borrower (and household) not in the registry, valid ID
    "id_check_digit": 150,  # borrower's ID with a wrong 18th character (registry has the right one)
    "amount_over_cap": 150,  # 6万/8万/10万 > 5万
    "term_over_cap": 100,  # 48 or 60 months > 36
    "rate_over_cap": 150,  # 6.5 % > the LPR cap
    "two_policy_loans": 100,  # households with two loans (head and spouse, two banks): 200 rows
    "pooled_to_one_account": 10,  # groups of POOL_SIZE borrowers paid into one account
    "balance_mismatch": 150,  # balance ≠ amount − repaid
}
POOL_SIZE = 10

GRADES = (("AAAA", 50_000, 35), ("AAA", 40_000, 35), ("AA", 30_000, 20), ("A", 20_000, 10))
STATUSES = (("exited", "已脱贫户", 78), ("edge", "边缘易致贫户", 8), ("monitored", "监测对象", 8), ("poor", "贫困户", 6))
INDUSTRIES = ("养殖业（肉牛）", "养殖业（肉羊）", "养殖业（生猪）", "种植业（中药材）", "种植业（马铃薯）", "种植业（蔬菜）",
              "林果业（苹果）", "林果业（花椒）", "乡村旅游", "商贸流通", "农产品加工", "运输业")
USAGE_MODES = (("户贷户用·自我发展", 88), ("户贷户用·合伙发展", 7), ("户贷社管·合作发展", 5))
GROUP_NAMES = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- database

def db_setup(url: str, fresh: bool) -> None:
    """Point Django at ``url``; ``fresh``: drop and re-create (PG) or delete (SQLite), migrate."""
    parsed = urlparse(url)
    if fresh:
        if parsed.scheme.startswith("postgres"):
            name = parsed.path.lstrip("/")
            subprocess.run(["dropdb", "--if-exists", name], check=True)
            subprocess.run(["createdb", name], check=True)
        elif parsed.scheme == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.path + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def db_exists(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return Path(parsed.path).exists()
    query = f"SELECT 1 FROM pg_database WHERE datname = {_quote(parsed.path.lstrip('/'))}"
    out = subprocess.run(["psql", "-Atqc", query, "postgres"], capture_output=True, text=True, check=False)
    return out.stdout.strip() == "1"


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


# ---------------------------------------------------------------- generate

class Ledger:
    """Writes ledger rows to the .xlsx (and .csv); keeps totals and the planted list."""

    def __init__(self, out: Path, with_csv: bool, title: str):
        import xlsxwriter

        out.parent.mkdir(parents=True, exist_ok=True)
        self.book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        self.sheet = self.book.add_worksheet("台账")
        b = self.book
        self.f_title = b.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.f_sub = b.add_format({"align": "center", "valign": "vcenter"})
        self.f_head = b.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                                    "valign": "vcenter", "bg_color": "#D9E1F2"})
        self.f_text = b.add_format({"num_format": "@"})
        self.f_date = b.add_format({"num_format": "yyyy-mm-dd"})
        self.f_money = b.add_format({"num_format": "#,##0.00"})
        self.f_rate = b.add_format({"num_format": "0.00"})
        self.f_int = b.add_format({"num_format": "0"})
        s = self.sheet
        for c, h in enumerate(HEADER):
            width = 20 if "身份证" in h or h in ("放款账户", "合同编号") else 12 if h in DATE_COLUMNS else 10
            s.set_column(c, c, width)
        s.set_row(0, 30)
        s.merge_range(0, 0, 0, len(HEADER) - 1, title, self.f_title)
        s.merge_range(1, 0, 1, len(HEADER) - 1, f"统计截止日期：{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日　　金额单位：元",
                      self.f_sub)
        s.set_row(2, 32)
        for c, h in enumerate(HEADER):
            s.write_string(2, c, h, self.f_head)
        self.row = 3  # next 0-based sheet row
        self.totals = [0] * len(TOTAL_COLUMNS)  # fen
        self.csv_file = None
        if with_csv:
            self.csv_file = open(out.with_suffix(".csv"), "w", encoding="gb18030", newline="")  # noqa: SIM115 — closed in close()
            self.csv = csv.writer(self.csv_file)
            self.csv.writerow([title])
            self.csv.writerow(HEADER)

    def write(self, values: list, text_dates: set[int]) -> int:
        """One loan row: values by column (fen ints for money, dates, str, Decimal/float rate);
        returns its 1-based sheet row."""
        s, r = self.sheet, self.row
        out_csv = [] if self.csv_file else None
        for c, v in enumerate(values):
            if v is None or v == "":
                if out_csv is not None:
                    out_csv.append("")
                continue
            if c in MONEY_COLUMNS:
                s.write_number(r, c, v / 100, self.f_money)
                text = f"{v // 100}.{v % 100:02d}" if v >= 0 else f"-{-v // 100}.{-v % 100:02d}"
            elif c in DATE_COLUMNS:
                text = f"{v.year}/{v.month}/{v.day}"
                if c in text_dates:
                    s.write_string(r, c, text, self.f_text)
                else:
                    s.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), self.f_date)
                    text = v.isoformat()
            elif isinstance(v, int):
                s.write_number(r, c, v, self.f_int)
                text = str(v)
            elif not isinstance(v, str):  # the rate (Decimal)
                s.write_number(r, c, float(v), self.f_rate)
                text = str(v)
            else:
                s.write_string(r, c, v, self.f_text)
                text = v
            if out_csv is not None:
                out_csv.append(text)
        for k, c in enumerate(TOTAL_COLUMNS):
            if values[c]:
                self.totals[k] += values[c]
        if out_csv is not None:
            self.csv.writerow(out_csv)
        self.row += 1
        return r + 1

    def close(self) -> int:
        """The 合计 row; returns the number of loan rows."""
        s, r = self.sheet, self.row
        s.write_string(r, 0, "合计", self.f_head)
        totals_csv = ["合计"] + [""] * (len(HEADER) - 1)
        for k, c in enumerate(TOTAL_COLUMNS):
            s.write_number(r, c, self.totals[k] / 100, self.f_money)
            totals_csv[c] = f"{self.totals[k] // 100}.{self.totals[k] % 100:02d}"
        self.book.close()
        if self.csv_file:
            self.csv.writerow(totals_csv)
            self.csv_file.close()
        return r - 3


def load_or_create_places(seed: int, households: int, write_db: bool):
    """Villages (code, name, township name, county code6) in code order, and the banks
    (code, name, short name, weight); created when ``write_db``, else read back."""
    from microcredit.apps.reference.models import Bank
    from microcredit.apps.regions.models import Region

    if write_db:
        from microcredit.demo.context import DemoContext
        from microcredit.demo.regions import create_regions
        from microcredit.demo.scales import scale_for

        ctx = DemoContext(seed=seed, rng=random.Random(f"{seed}:regions"), scale=scale_for("province", households),
                          business_date=AS_OF, progress=sys.stderr)
        create_regions(ctx)
        Bank.objects.bulk_create([Bank(code=c, name=n, short_name=s) for c, n, s, _ in BANKS])
    names = dict(Region.objects.filter(level="township").values_list("code", "name"))
    villages = [(code, name, names[code[:9] + "000"], code[:6]) for code, name in
                Region.objects.filter(level="village").order_by("code").values_list("code", "name")]
    if not villages or Bank.objects.filter(code__in=[b[0] for b in BANKS]).count() != len(BANKS):
        raise SystemExit("the bench database has no regions or banks of this benchmark: run generate without --reuse")
    return villages


def generate(a) -> None:
    url = a.database
    reuse = a.reuse and db_exists(url)
    out = Path(a.out)
    if reuse and out.exists() and (not a.csv or out.with_suffix(".csv").exists()):
        db_setup(url, fresh=False)
        print(f"--reuse: database {url} and {out} kept; nothing to do", flush=True)
        return
    write_db = not reuse
    t0 = time.perf_counter()
    db_setup(url, fresh=write_db)
    t_migrate = time.perf_counter() - t0
    if write_db:
        print(f"database {url} created and migrated in {t_migrate:.1f} s", flush=True)
    else:
        print(f"--reuse: database {url} kept; the file is regenerated from seed {a.seed}", flush=True)
    from django.db import transaction

    from microcredit.apps.households.models import Household, Member
    from microcredit.apps.reference.selectors import era_cap_rate, era_terms
    from microcredit.demo.names import full_name, given_name, surname
    from microcredit.domain.identity import check_digit, make_id_number

    t1 = time.perf_counter()
    villages = load_or_create_places(a.seed, a.households, write_db)
    rng = random.Random(a.seed)
    reg_rng = random.Random(f"{a.seed}:registry")
    banks = [(i, code, name) for i, (code, name, _, _) in enumerate(BANKS)]
    bank_weights = list(itertools.accumulate(b[3] for b in BANKS))
    grade_cum = list(itertools.accumulate(g[2] for g in GRADES))
    status_cum = list(itertools.accumulate(s[2] for s in STATUSES))
    mode_cum = list(itertools.accumulate(m[1] for m in USAGE_MODES))

    # Which households borrow and what each loan slot carries (planted problems placed at random).
    two = PLANTED["two_policy_loans"]
    nir = PLANTED["not_in_registry"]
    borrowers = a.rows - nir - two  # households with a loan (the two-loan ones count once)
    if borrowers > a.households:
        raise SystemExit("--households must exceed --rows (one loan per household)")
    borrowing = bytearray(a.households)
    for i in rng.sample(range(a.households), borrowers):
        borrowing[i] = 1
    slots = ["normal"] * borrowers
    free = list(range(borrowers))
    rng.shuffle(free)
    take = iter(free)
    for check, n in PLANTED.items():
        if check in ("not_in_registry", "pooled_to_one_account"):
            continue
        for _ in range(n):
            slots[next(take)] = check
    pools = []  # each group: POOL_SIZE slots close together (one county's loans into one account)
    for g in range(PLANTED["pooled_to_one_account"]):
        while True:
            start = rng.randrange(borrowers - POOL_SIZE * 40)
            picked = [start + 37 * k for k in range(POOL_SIZE)]
            if all(slots[p] == "normal" for p in picked):
                break
        for p in picked:
            slots[p] = ("pooled", g)
        pools.append(f"6217{rng.randrange(10**14, 10**15)}")
    nir_at = {}  # household index → number of not-in-registry rows written before it
    for i in rng.sample(range(a.households), nir):
        nir_at[i] = nir_at.get(i, 0) + 1

    era_cache: dict[dt.date, tuple] = {}
    cap_cache: dict[tuple[dt.date, int], object] = {}

    def caps_for(day: dt.date, term: int):
        """(max amount yuan, max term, cap rate) of the policy era in force on ``day`` — the
        reference data the importer checks against (``reference.selectors``)."""
        if day not in era_cache:
            era_cache[day] = era_terms(day)
        terms, era = era_cache[day]
        if (day, term) not in cap_cache:
            cap_cache[day, term] = era_cap_rate(era, day, term)
        return terms.max_amount // 100, terms.max_term_months, cap_cache[day, term]

    ledger = Ledger(out, a.csv, "脱贫人口小额信贷台账（全省汇总）")
    planted: dict[str, list] = {k: [] for k in PLANTED}
    contract_seq = [0] * len(BANKS)
    quarter_days = [dt.date(y, m, 21) for y in (2023, 2024, 2025, 2026) for m in (3, 6, 9, 12)]
    quarter_days = [d for d in quarter_days if d <= AS_OF]

    def loan_row(hh, borrower, kind, bank=None, village=None):
        """Values of one ledger row; hh = (village, group, head name, head id, status label)."""
        nonlocal loans_written
        vil = village or hh[0]
        b = bank if bank is not None else banks[rng.choices(range(len(banks)), cum_weights=bank_weights)[0]]
        bi = b[0]
        term = rng.choices((12, 24, 36), (20, 20, 60))[0]
        if kind == "term_over_cap":
            term = rng.choice((48, 60))
        elif kind == "amount_over_cap":
            term = 36
        overdue = rng.random() < 0.02 and kind != "amount_over_cap"
        if overdue:  # matured 1–300 days ago, still owing
            maturity = AS_OF - dt.timedelta(days=rng.randint(1, 300))
            disbursed = add_months(maturity, -term)
        else:
            disbursed = AS_OF - dt.timedelta(days=rng.randrange(1, min(term, 36) * 30 - 5))
            if kind == "amount_over_cap" and disbursed.year >= 2026:
                disbursed = disbursed.replace(year=2025, day=min(disbursed.day, 28))  # the 5万 era
            maturity = add_months(disbursed, term)
        max_amount, _, cap = caps_for(disbursed, min(term, 36))
        g = rng.choices(range(len(GRADES)), cum_weights=grade_cum)[0]
        grade, limit = GRADES[g][0], GRADES[g][1]
        amount = rng.randrange(10_000, min(limit, max_amount) + 1, 5_000)
        if kind == "amount_over_cap":
            amount, limit, grade = max_amount + rng.choice((10_000, 30_000, 50_000)), 50_000, "AAAA"
        rate = cap
        if kind == "rate_over_cap":
            from decimal import Decimal

            rate = Decimal("6.50")
        rate_bp = int(rate * 100)
        granted = disbursed - dt.timedelta(days=rng.randint(5, 300))
        repaid = 0 if rng.random() < 0.75 else rng.randrange(1_000, amount // 2 + 1, 1_000)
        last_paid = None
        if repaid:
            last_paid = disbursed + dt.timedelta(days=rng.randint(30, max(31, (min(AS_OF, maturity) - disbursed).days)))
            last_paid = min(last_paid, AS_OF)
        else:
            paid_q = [d for d in quarter_days if disbursed < d <= min(AS_OF, maturity)]
            last_paid = paid_q[-1] if paid_q else None
        balance = amount - repaid
        amount_f, repaid_f, balance_f = amount * 100, repaid * 100, balance * 100
        days = (min(AS_OF, maturity) - disbursed).days
        subsidy_f = amount * rate_bp * days // 36_000  # fen = yuan × rate% × 100 × days / 360 / 100 × 100
        if kind == "balance_mismatch":
            balance_f += rng.choice((-50_000, -100_000, 100_000, 200_000, 1))
        over_f = over_since = unpaid_f = unpaid_since = None
        if overdue:
            over_f, over_since = balance_f, maturity + dt.timedelta(days=1)
            unpaid_f, unpaid_since = balance * rate_bp * (AS_OF - maturity).days // 36_000, over_since
        contract_seq[bi] += 1
        contract = f"{b[1].split('-')[0]}{disbursed.year}{contract_seq[bi]:07d}"
        account = pools[kind[1]] if isinstance(kind, tuple) else f"62{21 + bi:02d}{(loans_written * 104_729 + 7) % 10**15:015d}"
        head_name, head_id, status_label = hh[2], hh[3], hh[4]
        name, id_number, relation = borrower
        if kind == "id_check_digit":
            right = id_number[17]
            id_number = id_number[:17] + rng.choice([c for c in "0123456789X" if c != right])
            if relation == "户主":
                head_id = id_number
        usage = USAGE_MODES[rng.choices(range(len(USAGE_MODES)), cum_weights=mode_cum)[0]][0]
        values = [vil[2], vil[1], hh[1], head_name, head_id, name, id_number, relation, status_label, grade,
                  limit * 100, b[2], granted, contract, amount_f, term, disbursed, maturity, rate, b[2],
                  subsidy_f, repaid_f, last_paid, balance_f, over_f, over_since, unpaid_f, unpaid_since,
                  rng.choice(INDUSTRIES), usage, account]
        text_dates = {c for c in DATE_COLUMNS if rng.random() < 0.03}
        excel_row = ledger.write(values, text_dates)
        loans_written += 1
        label = kind if isinstance(kind, str) else "pooled_to_one_account"
        if label != "normal":
            entry = {"bank": b[1], "contract_number": contract, "row": excel_row}
            if isinstance(kind, tuple):
                entry["account"] = account
            planted[label].append(entry)
        return b

    loans_written = 0
    slot_iter = iter(slots)
    per_village, extra = divmod(a.households, len(villages))
    hh_rows, member_rows = [], []
    counters: dict[int, int] = {}
    county = None
    index = 0
    next_id = 1 if write_db else None
    if write_db:
        from django.db.models import Max

        next_id = (Household.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        member_id = (Member.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def issue(region6: str, birth: dt.date, male: bool) -> str:
        key = birth.toordinal() * 2 + male
        seq = counters.get(key, 0)
        counters[key] = seq + 1
        return make_id_number(region6, birth, seq, male)

    def flush():
        if write_db and hh_rows:
            with transaction.atomic():
                Household.objects.bulk_create(hh_rows, batch_size=CHUNK)
                Member.objects.bulk_create(member_rows, batch_size=CHUNK)
        hh_rows.clear()
        member_rows.clear()

    t_gen = time.perf_counter()
    for v, vil in enumerate(villages):
        code, _, _, region6 = vil
        if region6 != county:
            county, counters = region6, {}
        groups = 3 + (v * 7919) % 6
        for _ in range(per_village + (1 if v < extra else 0)):
            for _ in range(nir_at.get(index, 0)):  # a borrower from outside the registry
                male = rng.random() < 0.8
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(13_000))
                first17 = f"{region6}{birth:%Y%m%d}{900 + rng.randrange(50) * 2 + male:03d}"
                person = (full_name(rng, male), first17 + check_digit(first17), "户主")
                loan_row((vil, GROUP_NAMES[rng.randrange(groups)], person[0], person[1], "已脱贫户"), person,
                         "not_in_registry")
            borrows = borrowing[index]
            s = rng.choices(range(len(STATUSES)), cum_weights=status_cum)[0]
            status, label = STATUSES[s][0], STATUSES[s][1]
            if not borrows and rng.random() < 0.3:
                status, label = "general", "一般农户"
            family = surname(rng)
            head_male = rng.random() < 0.85
            head_birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(13_800))  # 1966-01 … 2003-10: 18–65
            head_name = family + given_name(rng, head_male) if head_male else full_name(rng, False)
            head_id = issue(region6, head_birth, head_male)
            group = GROUP_NAMES[rng.randrange(groups)]
            spouse = None
            if rng.random() < 0.75:
                s_birth = min(dt.date(2003, 10, 1), max(dt.date(1966, 1, 1),
                              head_birth + dt.timedelta(days=rng.randint(-1500, 1500))))
                spouse = (full_name(rng, not head_male), issue(region6, s_birth, not head_male), s_birth)
            if write_db:  # registry-only draws from their own generator: the file is the same either way
                registered = exited = None
                if status in ("exited", "poor"):
                    registered = reg_rng.choice((2014, 2014, 2015, 2016))
                    exited = reg_rng.randint(max(2016, registered), 2020) if status == "exited" else None
                elif status in ("edge", "monitored"):
                    registered = reg_rng.randint(2021, 2025)
                hid = next_id
                next_id += 1
                hh_rows.append(Household(
                    id=hid, number=f"BL{hid:010d}", village_id=code, region_code=code, group_name=group,
                    head_name=head_name, head_id_number=head_id, status=status, year_registered=registered,
                    year_exited=exited, income_per_head=reg_rng.randrange(400_000, 1_500_000, 100)))
                member_rows.append(Member(id=member_id, household_id=hid, name=head_name, id_number=head_id,
                                          relation="head", birth_date=head_birth, is_male=head_male))
                member_id += 1
                if spouse:
                    member_rows.append(Member(id=member_id, household_id=hid, name=spouse[0], id_number=spouse[1],
                                              relation="spouse", birth_date=spouse[2], is_male=not head_male))
                    member_id += 1
                if len(hh_rows) >= CHUNK:
                    flush()
            if borrows:
                kind = next(slot_iter)
                hh = (vil, group, head_name, head_id, label)
                head_p = (head_name, head_id, "户主")
                spouse_p = (spouse[0], spouse[1], "配偶") if spouse else None
                first = spouse_p if spouse_p and rng.random() < 0.2 else head_p
                if kind == "two_policy_loans":
                    b = loan_row(hh, head_p, "normal")
                    other = [x for x in banks if x[0] != b[0]]
                    loan_row(hh, spouse_p or head_p, kind, bank=rng.choice(other))
                else:
                    loan_row(hh, first, kind)
            index += 1
            if index % 50_000 == 0:
                print(f"  {index:,} households, {loans_written:,} ledger rows, {time.perf_counter() - t_gen:.1f} s",
                      flush=True)
    flush()
    rows = ledger.close()
    t_total = time.perf_counter() - t1
    if write_db:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                for table in ("households_household", "households_member", "regions_region", "reference_bank"):
                    c.execute(f"ANALYZE {table}")
                c.execute("SELECT setval('households_household_id_seq', %s)", [next_id - 1])
                c.execute("SELECT setval('households_member_id_seq', %s)", [member_id - 1])
    sidecar = out.with_suffix(".planted.json")
    sidecar.write_text(json.dumps({
        "file": out.name, "rows": rows, "as_of": AS_OF.isoformat(), "seed": a.seed, "households": a.households,
        "note": "expected reconciliation findings, one per entry (two_policy_loans: the second row of the "
                "household; pooled_to_one_account: one finding per account, its rows listed). id_check_digit "
                "rows cannot be matched to the registry by ID either; where the borrower is the head, the bad ID is in "
                "both ID columns (户主身份证号 and 借款人身份证号).",
        "planted": planted}, ensure_ascii=False, indent=1), encoding="utf-8")
    size = out.stat().st_size
    print(f"generate: {len(villages):,} villages, {len(BANKS)} banks, {a.households:,} households "
          f"(registry {'written' if write_db else 'not rewritten'}), {rows:,} ledger rows "
          f"({sum(len(v) for v in planted.values()):,} planted problem rows) in {t_total:.1f} s "
          f"(+ {t_migrate:.1f} s create/migrate); {out} {size / 2**20:.1f} MB"
          + (f", {out.with_suffix('.csv')} {out.with_suffix('.csv').stat().st_size / 2**20:.1f} MB" if a.csv else "")
          + f"; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)


# ---------------------------------------------------------------- read

def _read_phase(phase: str, path: Path) -> None:
    """One way of reading the file, in a fresh process (``read`` runs each under ``_timed``);
    prints one JSON line: rows and seconds (reading only, after the interpreter started)."""
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    if phase == "iter_rows":
        n = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    elif phase == "to_python":
        n = len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
        from microcredit.apps.core.tables import (
            DEFAULT_LIMITS,
            MB,
            TableError,
            iter_cells,
        )

        data = path.read_bytes()
        limits = DEFAULT_LIMITS
        if phase == "iter_cells_raised":
            unzipped = _unzipped(path)
            limits = replace(DEFAULT_LIMITS, max_bytes=max(DEFAULT_LIMITS.max_bytes, len(data) + MB),
                             max_unzipped_bytes=max(DEFAULT_LIMITS.max_unzipped_bytes, unzipped + MB))
        try:
            n = sum(1 for _ in iter_cells(path.name, data, limits))
        except TableError as exc:
            print(json.dumps({"refused": str(exc)}, ensure_ascii=False))
            return
    print(json.dumps({"rows": n, "seconds": time.perf_counter() - t0}))


def _unzipped(path: Path) -> int:
    import zipfile

    if path.suffix.lower() not in (".xlsx", ".xlsm", ".ods"):
        return path.stat().st_size
    return sum(e.file_size for e in zipfile.ZipFile(path).infolist())


READ_PHASES = {
    "iter_rows": "calamine in-process, iter_rows",
    "to_python": "calamine in-process, to_python",
    "iter_cells_default": "tables.iter_cells, DEFAULT_LIMITS",
    "iter_cells_raised": "tables.iter_cells, max_bytes/max_unzipped_bytes raised to fit",
}


def read(a) -> None:
    path = Path(a.file).resolve()
    if not path.exists():
        raise SystemExit(f"{path} does not exist: run generate first")
    if a.phase:
        return _read_phase(a.phase, path)
    size = path.stat().st_size
    print(f"{path}: {size / 2**20:.1f} MB on disk, {_unzipped(path) / 2**20:.0f} MB unzipped", flush=True)
    baseline = None
    for phase, label in READ_PHASES.items():
        if path.suffix.lower() in (".csv", ".txt") and not phase.startswith("iter_cells"):
            continue  # calamine reads no CSV
        seconds = []
        for _ in range(a.repeat):
            r = _timed([sys.executable, str(Path(__file__).resolve()), "read", "--file", str(path), "--phase", phase],
                       dict(os.environ))
            out = json.loads(r["stdout"].strip().splitlines()[-1]) if r["status"] == 0 else {"error": r["stderr"][-500:]}
            if "seconds" not in out:
                print(f"{label}: {out.get('refused') or out.get('error')}", flush=True)
                break
            seconds.append(out["seconds"])
            print(f"{label}: {out['rows']:,} rows in {out['seconds']:.2f} s (process {r['elapsed']:.2f} s); "
                  f"peak RSS {r['time_v_maxrss_mb']:.0f} MB (/usr/bin/time -v) / {r['tree_peak_mb']:.0f} MB "
                  f"(sampled sum of the process tree)", flush=True)
        if phase in ("iter_rows", "to_python") and seconds:
            baseline = min(seconds + ([baseline] if baseline else []))
    if baseline:
        print(f"10× budget from the in-process baseline (best of iter_rows and to_python): {10 * baseline:.1f} s",
              flush=True)


# ---------------------------------------------------------------- run

def _tree_rss_kb(pid: int) -> int:
    """Summed VmRSS of ``pid`` and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _timed(cmd: list[str], env: dict) -> dict:
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    maxrss = next((int(line.split(":")[1]) for line in stderr.splitlines()
                   if "Maximum resident set size" in line), 0)
    return {"status": proc.returncode, "elapsed": elapsed, "time_v_maxrss_mb": maxrss / 1024,
            "tree_peak_mb": peak[0] / 1024, "stdout": stdout, "stderr": stderr}


def run(a) -> None:
    path = Path(a.file).resolve()
    if not path.exists():
        raise SystemExit(f"{path} does not exist: run generate first")
    if not db_exists(a.database):
        raise SystemExit(f"no bench database {a.database}: run generate first")
    parsed = urlparse(a.database)
    target = a.database
    if not a.in_place:
        if parsed.scheme == "sqlite":
            copy = parsed.path + ".run"
            shutil.copyfile(parsed.path, copy)
            target = f"sqlite://{copy}"
        else:
            name = parsed.path.lstrip("/")
            subprocess.run(["dropdb", "--if-exists", f"{name}_run"], check=True)
            subprocess.run(["createdb", "-T", name, f"{name}_run"], check=True)
            target = a.database[: -len(name)] + f"{name}_run"
        print(f"importing into a copy of the bench database: {target}", flush=True)
    db_setup(target, fresh=False)
    from django.core.management import call_command, get_commands

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)  # migrations added to the tree since generate (not timed)
    print(f"migrated {target} in {time.perf_counter() - t0:.1f} s", flush=True)

    if "import_ledger" not in get_commands():
        print("The import command `python -m microcredit import-ledger` does not exist yet in this tree "
              "(no management command import_ledger). The file, its planted list and the database are ready:\n"
              f"  file: {path}\n  database: {target}\n"
              "Rerun `bench/bench_ledger.py run` once the exchange app ships the command.", flush=True)
        return
    env = dict(os.environ, DATABASE_URL=target, DJANGO_SETTINGS_MODULE="microcredit.web.settings")
    reports = path.parent
    for label in ("import", "re-import"):
        report = reports / f"ledger.{label}.report.json"
        cmd = [sys.executable, "-m", "microcredit", "import-ledger", str(path), "--report", str(report)]
        if a.bank:
            cmd[4:4] = ["--bank", a.bank]
        r = _timed(cmd, env)
        counts = {}
        findings = errors = None
        if report.exists():
            data = json.loads(report.read_text(encoding="utf-8"))
            counts = data.get("counts", {})
            findings = {}
            for f in data.get("findings", []):
                findings[f.get("check")] = findings.get(f.get("check"), 0) + 1
            errors = data.get("error_count", len(data.get("errors", [])))
            if "finding_count" in data and data["finding_count"] != len(data.get("findings", [])):
                findings["(all findings, the list above is truncated)"] = data["finding_count"]
        print(f"{label}: exit {r['status']}, {r['elapsed']:.1f} s, peak RSS {r['time_v_maxrss_mb']:.0f} MB "
              f"(/usr/bin/time -v: largest single process) / {r['tree_peak_mb']:.0f} MB (sampled sum of the "
              f"process tree); counts {counts}; errors {errors}; findings {findings}", flush=True)
        if r["status"] != 0:
            print(f"{label} exited {r['status']} (0 = imported, 2 = refused); stderr ends:\n{r['stderr'][-3000:]}",
                  flush=True)
            break
        if a.discard_reports:
            report.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="bench database + ledger file")
    g.add_argument("--rows", type=int, default=400_000)
    g.add_argument("--households", type=int, default=420_000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--reuse", action="store_true", help="keep an existing bench database (and file)")
    g.add_argument("--csv", action="store_true", help="also write <out>.csv in GB18030")
    g.add_argument("--out", default=str(DEFAULT_OUT))
    r = sub.add_parser("read", help="time reading the file: calamine in-process and tables.iter_cells")
    r.add_argument("--file", default=str(DEFAULT_OUT))
    r.add_argument("--repeat", type=int, default=1, help="runs of each way of reading")
    r.add_argument("--phase", choices=sorted(READ_PHASES), help=argparse.SUPPRESS)
    u = sub.add_parser("run", help="time the import CLI twice (import, re-import)")
    u.add_argument("--file", default=str(DEFAULT_OUT))
    u.add_argument("--bank", help="pass --bank CODE to the importer (the generated file mixes 20 banks)")
    u.add_argument("--in-place", action="store_true", help="import into the bench database itself, not a copy")
    u.add_argument("--discard-reports", action="store_true")
    for sp in (g, u):
        sp.add_argument("--database", default=os.environ.get("DATABASE_URL") or DEFAULT_DB)
    a = p.parse_args(argv)
    {"generate": generate, "read": read, "run": run}[a.command](a)


if __name__ == "__main__":
    main()
