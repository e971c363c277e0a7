"""A deliberately naive, independent oracle for the loan arithmetic (DOMAIN §5–§7, §11).

Written from the spec text, not from ``microcredit.domain``: calendar days are iterated one
by one, amounts are ``fractions.Fraction`` of fen, and rounding (half-up) happens once, where
the spec says. The documented readings of the domain modules are followed where the spec is
ambiguous (settlement-day periods ``[s+1, …)`` due on s+1; advance applied only on due days;
penalty owed per instalment = round(exact accrued) − paid; subsidy on the scheduled balance,
amortising months pro-rated by days when part of the month is outside the window; window =
[disbursed, disbursed + 3 years by calendar months)).

Nothing here imports ``microcredit``: plain tuples and dicts in, plain dicts out.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from fractions import Fraction

ONE_DAY = timedelta(days=1)


def half_up(x: Fraction) -> int:
    """Round a non-negative Fraction half-up (spec §5.2 "rounded half-up to the fen")."""
    x = Fraction(x)
    if x < 0:
        return -half_up(-x)
    whole = x.numerator // x.denominator
    if x - whole >= Fraction(1, 2):
        whole += 1
    return whole


def pct(rate: str) -> Fraction:
    """"4.35" (percent per year) → Fraction 0.0435."""
    return Fraction(rate) / 100


def plus_months(d: date, n: int) -> date:
    """§5.1: same day of month, clamped to the month's last day. Naive month stepping."""
    y, m = d.year, d.month
    for _ in range(n):
        m += 1
        if m == 13:
            y, m = y + 1, 1
    last = calendar.monthrange(y, m)[1]
    return date(y, m, d.day if d.day <= last else last)


def count_days(a: date, b: date) -> int:
    """算头不算尾 by counting: days d with a <= d < b."""
    n = 0
    d = a
    while d < b:
        n += 1
        d += ONE_DAY
    return n


# ---------------------------------------------------------------- §5.2 schedules

def schedule(principal: int, rate: str, disbursed: date, months: int, method: str):
    """List of dicts {start, due, principal, interest} per §5.2."""
    r = pct(rate)
    maturity = plus_months(disbursed, months)
    out = []
    if method in ("interest_quarterly", "interest_monthly", "bullet"):
        dues = []
        if method != "bullet":
            months_set = (3, 6, 9, 12) if method == "interest_quarterly" else tuple(range(1, 13))
            d = disbursed
            while d < maturity:
                if d.day == 20 and d.month in months_set and disbursed <= d \
                        and d + ONE_DAY < maturity:
                    dues.append(d + ONE_DAY)
                d += ONE_DAY
        dues.append(maturity)
        start = disbursed
        for k, due in enumerate(dues):
            days = count_days(start, due)
            out.append(dict(start=start, due=due,
                            principal=principal if k == len(dues) - 1 else 0,
                            interest=half_up(principal * r * days / 360)))
            start = due
        return out
    i = r / 12
    n = months
    if method == "equal_installment":
        g = (1 + i) ** n
        a = half_up(principal * i * g / (g - 1))
    else:
        a = half_up(Fraction(principal, n))
    balance = principal
    start = disbursed
    for k in range(1, n + 1):
        due = plus_months(disbursed, k)
        interest = half_up(balance * i)
        if k == n:
            p = balance
        elif method == "equal_installment":
            p = a - interest
        else:
            p = a
        out.append(dict(start=start, due=due, principal=p, interest=interest))
        balance -= p
        start = due
    return out


# ---------------------------------------------------------------- §5.3 servicing, day by day

BANDS = ((1, 90, "special_mention"), (91, 270, "substandard"), (271, 360, "doubtful"),
         (361, 10 ** 9, "loss"))


def classify(dpd: int) -> str:
    """§5.4."""
    for lo, hi, name in BANDS:
        if lo <= dpd <= hi:
            return name
    return "normal"


def simulate(insts, rate: str, disbursed: date, payments, as_of: date, markup: str = "0.5"):
    """Day-by-day servicing of ``insts`` (from :func:`schedule`) with ``payments``
    [(date, fen)] or [(date, fen, kind)], kind "regular" or "settlement" (提前结清: after the
    day's cash has paid what is due, if the rest covers all not-yet-due principal + interest
    accrued on the current period, the current instalment ends that day and later ones are
    cancelled — the documented reading of servicing.py).

    Returns a dict with per-instalment state and the loan totals as of the end of ``as_of``.
    """
    daily_pen = pct(rate) * (1 + Fraction(markup)) / 360  # §5.3: rate × (1 + 50 %), ACT/360
    payments = [(p[0], p[1], p[2] if len(p) > 2 else "regular") for p in payments]
    st = [dict(start=x["start"], due=x["due"], principal=x["principal"],
               interest=x["interest"], p_paid=0, i_paid=0, pen_paid=0, pen_exact=Fraction(0),
               paid_off=None, settled=False, cancelled=False) for x in insts]
    dues = {x["due"] for x in st}
    advance = 0
    d = disbursed
    while d <= as_of:
        # accrual for the day before: a payment on D owes D - E days of penalty
        for x in st:
            if x["due"] < d:
                unpaid = x["principal"] - x["p_paid"] + x["interest"] - x["i_paid"]
                if unpaid:
                    x["pen_exact"] += unpaid * daily_pen
        todays = sum(a for (pd, a, _) in payments if pd == d)
        settling = any(pd == d and k == "settlement" for (pd, _, k) in payments)
        if d in dues or settling:  # a settlement uses the advance too (its quote deducts it)
            cash, advance = advance + todays, 0
        else:
            cash = todays
        if cash:
            for x in st:
                if x["due"] > d:
                    break
                owed = half_up(x["pen_exact"]) - x["pen_paid"]
                take = min(cash, owed)
                x["pen_paid"] += take
                cash -= take
                take = min(cash, x["interest"] - x["i_paid"])
                x["i_paid"] += take
                cash -= take
                take = min(cash, x["principal"] - x["p_paid"])
                x["p_paid"] += take
                cash -= take
        if settling:
            later = [x for x in st if x["due"] > d and not x["cancelled"]]
            if later:
                remaining = sum(x["principal"] for x in later)
                accrued = half_up(remaining * pct(rate) * count_days(later[0]["start"], d) / 360)
                if cash >= remaining + accrued:
                    cash -= remaining + accrued
                    cur = later[0]
                    cur.update(due=d, principal=remaining, interest=accrued, p_paid=remaining,
                               i_paid=accrued, settled=True)
                    for x in later[1:]:
                        x.update(principal=0, interest=0, cancelled=True, paid_off=d)
        advance += cash
        for x in st:
            if x["paid_off"] is None and x["due"] <= d and x["p_paid"] == x["principal"] \
                    and x["i_paid"] == x["interest"] \
                    and x["pen_paid"] == half_up(x["pen_exact"]):
                x["paid_off"] = d
        d += ONE_DAY
    dpd = 0
    for x in st:  # oldest first
        if x["due"] < as_of and (x["p_paid"] < x["principal"] or x["i_paid"] < x["interest"]):
            dpd = (as_of - x["due"]).days
            break
    overdue = [x for x in st if x["due"] < as_of]
    return dict(
        installments=st,
        days_past_due=dpd,
        classification=classify(dpd),
        principal_outstanding=sum(x["principal"] - x["p_paid"] for x in st),
        overdue_principal=sum(x["principal"] - x["p_paid"] for x in overdue),
        overdue_interest=sum(x["interest"] - x["i_paid"] for x in overdue),
        penalty_owed=sum(half_up(x["pen_exact"]) - x["pen_paid"] for x in st),
        advance=advance,
        total_paid=sum(a for (pd, a, _) in payments if pd <= as_of),
    )


# ---------------------------------------------------------------- §11 cap rate, §6 subsidy

BENCHMARK = {"le1": "4.35", "1to5": "4.75", "gt5": "4.90"}  # from 2015-10-24
LPR = [  # (from, 1Y, 5Y+)
    (date(2019, 8, 20), "4.25", "4.85"), (date(2019, 9, 20), "4.20", "4.85"),
    (date(2019, 11, 20), "4.15", "4.80"), (date(2020, 2, 20), "4.05", "4.75"),
    (date(2020, 4, 20), "3.85", "4.65"), (date(2021, 12, 20), "3.80", "4.65"),
    (date(2022, 1, 20), "3.70", "4.60"), (date(2022, 5, 20), "3.70", "4.45"),
    (date(2022, 8, 22), "3.65", "4.30"), (date(2023, 6, 20), "3.55", "4.20"),
    (date(2023, 8, 21), "3.45", "4.20"), (date(2024, 2, 20), "3.45", "3.95"),
    (date(2024, 7, 22), "3.35", "3.85"), (date(2024, 10, 21), "3.10", "3.60"),
    (date(2025, 5, 20), "3.00", "3.50"),
]


def cap(disbursed: date, months: int) -> str | None:
    """§11 cap rate; None when the spec gives no rate (benchmark before 2015-10-24)."""
    if disbursed < date(2021, 3, 1):
        if disbursed < date(2015, 10, 24):
            return None
        return BENCHMARK["le1" if months <= 12 else ("1to5" if months <= 60 else "gt5")]
    rate = None
    for frm, one, five in LPR:
        if frm <= disbursed:
            rate = one if months <= 12 else five
    return rate


def subsidy(insts, sim, rate: str, cap_rate: str, ratio: str, method: str, disbursed: date,
            as_of: date, years: int = 3, grace: int = 0):
    """§6 per period: list of fen amounts, one per instalment."""
    r = min(pct(rate), pct(cap_rate))
    q = Fraction(ratio)
    window_end = plus_months(disbursed, 12 * years)
    out = []
    balance = sum(x["principal"] for x in insts)
    for x, s in zip(insts, sim["installments"]):
        start, due = s["start"], s["due"]
        amount = 0
        on_time = s["paid_off"] is not None and s["paid_off"] <= due + timedelta(days=grace)
        if due <= as_of and on_time and not s["cancelled"]:
            in_window = 0
            d = start
            while d < due:
                if d < window_end:
                    in_window += 1
                d += ONE_DAY
            if method in ("equal_installment", "equal_principal") and not s["settled"]:
                exact = balance * r / 12 * Fraction(in_window, count_days(start, due))
            else:
                exact = balance * r * in_window / 360
            amount = half_up(exact * q)
        out.append(amount)
        balance -= x["principal"]
    return out


# ---------------------------------------------------------------- §7 loss sharing

def share(loss: int, ratios):
    """[(name, "0.7"), …] → [(name, fen)]; last party absorbs the rounding."""
    out = [(n, half_up(loss * Fraction(r))) for n, r in ratios[:-1]]
    out.append((ratios[-1][0], loss - sum(a for _, a in out)))
    return out


# ---------------------------------------------------------------- §5.3 early settlement quote

def settlement_quote(insts, rate: str, disbursed: date, payments, on: date):
    """提前结清 on ``on``: outstanding principal + interest accrued to ``on`` + everything due
    (interest, penalty) − advance, after the payments dated ``on``. The accrued interest is
    ACT/360 on the outstanding principal from the current period's start (documented reading).
    """
    sim = simulate(insts, rate, disbursed, payments, on)
    current = 0
    for x in insts:
        if x["due"] > on:
            remaining = sum(y["principal"] for y in insts if y["due"] > on)
            current = half_up(remaining * pct(rate) * count_days(x["start"], on) / 360)
            break
    due_interest = sum(s["interest"] - s["i_paid"] for s in sim["installments"]
                       if s["due"] <= on)
    total = (sim["principal_outstanding"] + current + due_interest + sim["penalty_owed"]
             - sim["advance"])
    return dict(current_interest=current, due_interest=due_interest, total=total,
                principal_outstanding=sim["principal_outstanding"],
                penalty=sim["penalty_owed"], advance=sim["advance"])
