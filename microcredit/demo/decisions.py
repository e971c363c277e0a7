"""Demo step "decisions" (after "servicing"): post-loan decisions through the workflow kit (issue #12 §11).

In the demo village, extension requests standing at each step — one asked by the village clerk for the
household waiting on the village's opinion (村两委 member ``village2``), one at the township, one at the
bank — and one approved (the loan extended); in the county, the bank's manual downgrades: one confirmed
by the county office (in the loan's delinquency history), one waiting on the county's confirmation.
Through the services (audited, the kit's records). Deterministic: loans in id order.
"""

from __future__ import annotations

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.extensions import extension_request, extension_transition
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.apps.loans.reclassify import classification_propose, classification_transition
from microcredit.demo.context import DemoContext
from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError

REASONS = ("养殖周期延长，出栏推迟，申请展期", "遭遇冰雹减产，销售回款推迟", "扩大种植规模，资金周转需要",
           "家人住院，暂时无力还本")
PLAN = ("village_opinion", "township_opinion", "bank_decision", "approved")  # where each request is left


def _village_user(users, region_code: str):
    """A village clerk whose scope covers ``region_code`` (None: the system records the opinion)."""
    return next((u for u in users.values() if u.role == "village_station"
                 and any(region_code.startswith(p) for p in u.scope_regions or ())), None)


def create_decisions(ctx: DemoContext) -> None:
    today = ctx.business_date
    users = ctx.users
    clerk, member, township, bank = (users.get(k) for k in ("village", "village2", "township", "bank"))
    county, leader = users.get("county"), users.get("county2")
    if None in (clerk, member, township, bank, county) or not clerk.scope_regions:
        return
    village = clerk.scope_regions[0]
    made = {"extensions": 0, "class_moves": 0}
    # The demo bank's loans of the demo village first (the bank decides), then its loans of the township.
    base = Loan.objects.filter(status=LoanStatus.ACTIVE, bank_id=bank.bank_id, days_past_due=0,
                               maturity_date__gt=today, term_months__gte=6)
    loans = [*base.filter(region_code__startswith=village).order_by("pk"),
             *base.filter(region_code__startswith=village[:9]).exclude(region_code__startswith=village).order_by("pk")]
    with pinned_business_date(today):
        for loan in loans:
            if made["extensions"] >= len(PLAN):
                break
            target = PLAN[made["extensions"]]
            ours = loan.region_code.startswith(village)
            asker = bank if made["extensions"] % 2 or not ours else clerk
            try:
                req = extension_request(loan=loan, kind="extension", actor=asker,
                                        new_maturity=add_months(loan.disbursed_on, loan.term_months + 6),
                                        reason=REASONS[made["extensions"] % len(REASONS)])
                steps = PLAN.index(target)
                member_here = member if ours else _village_user(users, loan.region_code)
                for who, opinion in ((member_here, "经村两委核实，情况属实"), (township, "同意，请银行审定"),
                                     (bank, "同意展期 6 个月"))[:steps]:
                    extension_transition(request=req, action="approve", actor=who, opinion=opinion)
            except DomainError as exc:
                ctx.log(f"  decisions: 贷款 {loan.number} 展期申请未办成：{exc}")
                continue
            made["extensions"] += 1
        county_loans = (Loan.objects.filter(status=LoanStatus.ACTIVE, bank_id=bank.bank_id, days_past_due=0,
                                            region_code__startswith=ctx.county.code[:6], manual_class="")
                        .exclude(region_code__startswith=village).order_by("pk"))
        for loan in county_loans[:2]:
            try:
                p = classification_propose(loan=loan, to_class="substandard", reason="disaster", actor=bank,
                                           reason_text="洪灾冲毁养殖场，经营中断")
                if made["class_moves"] == 0:
                    classification_transition(proposal=p, action="approve", actor=leader or county,
                                              opinion="经核实，灾情属实")
            except DomainError as exc:
                ctx.log(f"  decisions: 贷款 {loan.number} 分类调整未办成：{exc}")
                continue
            made["class_moves"] += 1
    ctx.extra["decisions"] = made
    for key, n in made.items():
        ctx.count(key, n)
