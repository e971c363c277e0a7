"""Demo step "problems" (after "servicing"): the county's problem ledger 问题台账 with cases standing in
every state — one just opened, one being rectified, one past its deadline (overdue in the village's and
the county's to-do list), one rectified awaiting verification, one closed 销号 with its evidence, one
withdrawn. Everything goes through ``problems.services`` (workflow records, audit rows).
Deterministic: fixed texts, dates from the business date.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.problems import services
from microcredit.demo.context import DemoContext

EVIDENCE_PDF = b"%PDF-1.4\n% demo rectification evidence\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _user(ctx: DemoContext, username: str):
    return ctx.users.get(username)


def _pdf(name: str) -> ContentFile:
    return ContentFile(EVIDENCE_PDF, name=name)


def create_problems(ctx: DemoContext) -> None:
    county, county2 = _user(ctx, "county"), _user(ctx, "county2")
    township, village = _user(ctx, "township"), _user(ctx, "village")
    if not (county and county2 and township and village and village.scope_regions):
        return
    today = ctx.business_date
    village_code = village.scope_regions[0]
    township_code = township.scope_regions[0].ljust(12, "0")

    def case(title, description, source="inspection", on=today, region=village_code, **kw):
        return services.problem_open(source=source, region_code=region, title=title, description=description,
                                     actor=county, on=on, **kw)

    def assign(c, on, deadline, owner="village_station", region=village_code):
        return services.case_transition(case=c, action="assign", actor=county, owner_role=owner, owner_region=region,
                                        deadline=deadline, on=on, opinion="请按期整改并上传佐证材料")

    with pinned_business_date(today):
        case("贷款资金疑似用于建房", "专项检查发现借款人将部分贷款用于自建房，属禁止用途，需核实并督促整改。",
             subject="东关村借款户（入户核查）")
        c = case("贷款发放未执行基准利率", "审计发现个别贷款执行利率高于政策上限，需银行退还多收利息。", source="audit",
                 on=today - dt.timedelta(days=12), region=township_code, bank_code=ctx.banks[0].code if ctx.banks else "")
        assign(c, today - dt.timedelta(days=10), today + dt.timedelta(days=20), owner="township_station",
               region=township_code)
        c = case("风险补偿金台账错填", "对账发现风险补偿金台账与银行台账不一致。", on=today - dt.timedelta(days=40))
        assign(c, today - dt.timedelta(days=38), today - dt.timedelta(days=8))  # past its deadline: overdue
        c = case("贷后检查未按期开展", "部分贷款放款后 30 天内未开展用途核查。", source="postloan",
                 on=today - dt.timedelta(days=30))
        assign(c, today - dt.timedelta(days=28), today + dt.timedelta(days=2))
        services.case_transition(case=c, action="rectify", actor=village, on=today - dt.timedelta(days=3),
                                 rectification="已逐户补做贷后检查并录入系统，共 6 户。",
                                 documents=[_pdf("贷后检查补查记录.pdf")])
        c = case("公示名单未张贴", "检查发现贷款户名单未在村务公开栏公示。", on=today - dt.timedelta(days=60))
        assign(c, today - dt.timedelta(days=58), today - dt.timedelta(days=40))
        services.case_transition(case=c, action="rectify", actor=village, on=today - dt.timedelta(days=45),
                                 rectification="已在村务公开栏张贴贷款户名单，公示 7 天。",
                                 documents=[_pdf("公示照片.pdf")])
        services.case_transition(case=c, action="verify", actor=township, on=today - dt.timedelta(days=43))
        services.case_transition(case=c, action="close", actor=county2, on=today - dt.timedelta(days=42),
                                 opinion="整改到位，同意销号")
        c = case("重复登记的问题", "与已登记问题重复。", on=today - dt.timedelta(days=5))
        services.case_transition(case=c, action="reject", actor=county, on=today - dt.timedelta(days=4),
                                 opinion="与已登记问题重复，撤销")
    ctx.count("problem_cases", 6)
