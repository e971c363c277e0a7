"""Access matrix (ARCHITECTURE §5): every page and API endpoint × every role, against a two-sided world.

The world has an "A" side (城关镇 东关村, bank A 农商行) and a "B" side (东明镇 东明村, bank B 邮储):
a household (with members), an effective rating, a rating campaign, an application, a loan opened
via `loan_open` with an event, a fund account, a claim, a subsidy batch and a job on each side.

Users: county office, township station (城关镇), village station (东关村), bank officers of A and B
(county scope), PBoC, finance, insurer, auditor (county scope), admin, and an anonymous client.

For each (role, URL) the table says what the role sees: ``ALL`` (both sides), ``A`` / ``B`` (one
side; the other side's detail URL must be 404/403 and its distinctive markers must not appear in
lists), or ``NO`` (403/404 everywhere). Anonymous users are sent to the login page (pages) or get
401 (API). Bodies (HTML, JSON, Excel) are searched for the other side's markers and — for roles
without ``core.see_identity`` — for any full 18-character ID number or phone of the world.
Write actions by roles not allowed must be refused and leave no audit row behind.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.reference.models import Branch
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)

ROLES = ["anon", "county", "township", "village", "bankA", "bankB", "pboc", "finance", "insurer", "auditor", "admin"]
SEE_IDENTITY = {"county", "township", "village", "admin"}
# Which side of the world each role's scope covers, by kind of object.
REGION_SIDES = {"county": "AB", "township": "A", "village": "A", "bankA": "AB", "bankB": "AB", "pboc": "AB",
                "finance": "AB", "insurer": "AB", "auditor": "AB", "admin": "AB"}
BANK_SIDES = {"bankA": "A", "bankB": "B"}
# Rating campaigns, household ratings and the blacklist (issue #9): a bank sees them only in the villages its
# branches serve (bank A's branch is in 城关镇, side A; bank B's in 东明镇, side B), campaigns from the bank review on.
RATING_SIDES = REGION_SIDES | BANK_SIDES
# Claims of a 政银保 scheme (issue #11 §8): side B's fund account shares losses with an insurer, so the insurer sees
# side B's claim only; the other roles see claims as any banked object.
INSURED_SIDES = {"insurer": "B"}


def sides(role: str, banked: bool) -> str:
    """The sides a role may see of a kind (banked: the kind belongs to a bank)."""
    s = REGION_SIDES.get(role, "")
    if banked and role in BANK_SIDES:
        s = "".join(x for x in s if x in BANK_SIDES[role])
    return s


def kind_sides(role: str, kind: str | None) -> str:
    """The sides a role may see of a URL's kind ("region", "bank", "rating")."""
    if kind == "rating":
        return RATING_SIDES.get(role, "")
    if kind == "insured":
        return INSURED_SIDES.get(role, sides(role, banked=True))
    return sides(role, banked=(kind == "bank"))


REGISTRY = {"county", "township", "village", "auditor", "admin"}          # core.view_registry
EDITORS = {"county", "township", "village", "admin"}                      # core.edit_registry
IMPORTERS = {"county", "admin"}                                           # core.import_registry / manage_regions
EXPORTERS = REGISTRY                                                      # view_registry + export_data
LOGGED_IN = set(ROLES) - {"anon"}
LOANS = LOGGED_IN                                                         # loans.view_loan
APPS = {"county", "township", "village", "bankA", "bankB", "auditor", "admin"}  # origination.view_loanapplication
RATING = APPS                                                             # rating.view_rating
FUNDS = {"county", "bankA", "bankB", "pboc", "finance", "auditor", "admin"}      # funds.view_fund / view_subsidy
INSURED = {"county", "insurer", "admin"}                                  # funds.view_insured (政银保)
CLOSE = {"county", "township", "bankA", "bankB", "pboc", "finance", "auditor", "admin"}  # monitoring.view_close
BANKS = {"bankA", "bankB"}

# (url template, roles allowed, kind) — kind None: a page without per-object scope (200 for allowed roles);
# kind "region"/"bank": a detail page of side {side}, 200 only if the side is in the role's scope.
PAGES: list[tuple[str, set, str | None]] = [
    ("/", LOGGED_IN, None),
    ("/households/", REGISTRY, None),
    ("/households/export/", EXPORTERS, None),
    ("/households/new/", EDITORS, None),
    ("/households/{hh}/", REGISTRY, "region"),
    ("/households/{hh}/edit/", EDITORS, "region"),
    ("/households/{hh}/members/new/", EDITORS, "region"),
    ("/households/{hh}/members/{member}/edit/", EDITORS, "region"),
    ("/households/import/", IMPORTERS, None),
    ("/households/import/template.xlsx", IMPORTERS, None),
    ("/households/verify/", BANKS, None),
    ("/regions/", LOGGED_IN, None),
    ("/reference/banks/", LOGGED_IN, None),
    ("/reference/rates/", LOGGED_IN, None),
    ("/reference/rates/new/", IMPORTERS, None),
    ("/reference/rates/{rate}/revise/", IMPORTERS, None),
    ("/reference/eras/", LOGGED_IN, None),
    ("/reference/eras/{era}/edit/", IMPORTERS, None),
    ("/audit/", {"auditor", "admin"}, None),
    ("/jobs/", LOGGED_IN, None),
    ("/jobs/{job}/", LOGGED_IN, "job"),
    ("/calc/", LOGGED_IN, None),
    ("/rating/", RATING, None),
    ("/rating/{campaign}/", RATING, "rating"),
    ("/rating/ratings/{rating}/", {"village", "admin"}, "region"),
    ("/rating/blacklist/", RATING, None),
    ("/rating/blacklist/add/{hh}/", {"county", "admin"}, "region"),
    ("/rating/blacklist/{blacklist}/lift/", {"county", "admin"}, "region"),
    ("/rating/honours/add/{hh}/", {"county", "admin"}, "region"),
    ("/rating/credit-villages/", RATING, None),
    ("/rating/scorecards/", RATING, None),
    ("/origination/", APPS, None),
    ("/todo/", LOGGED_IN, None),
    ("/origination/new/{hh}/", {"village", "admin"}, "region"),
    ("/origination/{app}/", APPS, "bank"),
    ("/origination/documents/{document}/", APPS, "bank"),
    ("/loans/", LOANS, None),
    ("/loans/{loan}/", LOANS, "insured"),  # an insurer: only the 政银保 loans (side B)
    ("/loans/{loan}/repay/", BANKS | {"admin"}, "bank"),
    ("/loans/repayments/import/", BANKS | {"admin"}, None),
    ("/loans/{loan}/settle/", BANKS | {"admin"}, "bank"),
    ("/loans/{loan}/extend/", BANKS | {"admin"}, "bank"),
    ("/loans/{loan}/renew/", BANKS | {"admin"}, "bank"),
    ("/loans/{loan}/write-off/", BANKS | {"admin"}, "bank"),
    ("/loans/receipts/{event}/", LOANS, "insured"),
    ("/funds/accounts/", FUNDS, None),
    ("/funds/accounts/{account}/", FUNDS, "bank"),
    ("/funds/claims/", FUNDS | {"insurer"}, None),
    ("/funds/insured/", INSURED, None),
    ("/funds/claims/new/", BANKS | {"admin"}, None),
    ("/funds/claims/{claim}/", FUNDS | {"insurer"}, "insured"),
    ("/funds/subsidy/", FUNDS, None),
    ("/funds/subsidy/{batch}/", FUNDS, "bank"),
    ("/funds/subsidy/report/", FUNDS, None),
    ("/monitoring/close/", CLOSE, None),
]

API = "/api/v1"
ENDPOINTS: list[tuple[str, set, str | None]] = [
    (f"{API}/households", REGISTRY, None),
    (f"{API}/regions/tree", LOGGED_IN, None),
    (f"{API}/regions/", LOGGED_IN, None),
    (f"{API}/reference/banks", LOGGED_IN, None),
    (f"{API}/reference/rates", LOGGED_IN, None),
    (f"{API}/reference/eras", LOGGED_IN, None),
    (f"{API}/jobs/{{job}}", LOGGED_IN, "job"),
    (f"{API}/loans/", LOANS, None),
    (f"{API}/loans/{{loan}}", LOANS, "insured"),
    (f"{API}/funds/accounts", FUNDS, None),
    (f"{API}/funds/claims", FUNDS | {"insurer"}, None),
    (f"{API}/funds/insured-loans", INSURED, None),
    (f"{API}/monitoring/aggregates", CLOSE, None),
    (f"{API}/rating/campaigns", RATING, None),
    (f"{API}/rating/campaigns/{{campaign}}/ratings", RATING, "rating"),
    (f"{API}/rating/households/{{hh}}/rating", RATING, "rating"),
    (f"{API}/rating/scorecards", RATING, None),
    (f"{API}/rating/blacklist", RATING, None),
    (f"{API}/rating/honours", RATING, None),
    (f"{API}/rating/credit-regions", RATING, None),
    (f"{API}/origination/applications", APPS, None),
    (f"{API}/origination/inbox", APPS, None),
    (f"{API}/todo", LOGGED_IN, None),
    (f"{API}/origination/applications/{{app}}", APPS, "bank"),
]

# Jobs are scoped like their subject (apps.jobs.selectors): side A is a village's job (its township sees it),
# side B a bank B job (county-wide staff and bank B see it); a bank officer sees only its bank's.
JOB_SIDES = {"county": "AB", "township": "A", "village": "A", "bankA": "", "bankB": "B", "pboc": "AB",
             "finance": "AB", "insurer": "AB", "auditor": "AB", "admin": "AB"}

# Write actions: (method-url template, payload, roles that may do it). Every other role is refused and
# the world is unchanged (no audit row). Allowed roles are also refused on the other side when out of scope.
PAGE_WRITES: list[tuple[str, dict, set, str | None]] = [
    ("/households/new/", {"number": "HHX1", "head_name": "新户"}, EDITORS, None),
    ("/households/{hh}/edit/", {"head_name": "改名"}, EDITORS, "region"),
    ("/regions/import/", {}, IMPORTERS, None),
    ("/reference/rates/new/", {"kind": "lpr", "tenor": "1y", "effective_from": "2026-06-01", "rate": "3.00"},
     IMPORTERS, None),
    ("/rating/new/", {"village": "{village_code}"}, {"village", "admin"}, None),
    ("/rating/{campaign}/act/", {"action": "submit"}, {"village", "admin"}, "region"),
    ("/rating/{campaign}/act/", {"action": "approve", "opinion": "同意"}, BANKS | {"admin"}, "rating"),
    ("/rating/{campaign}/objections/", {"text": "异议"}, {"village", "admin"}, "region"),
    ("/rating/blacklist/add/{hh}/", {"reason": "恶意逃废债", "on": "2026-06-01", "malicious": "on"},
     {"county", "admin"}, "region"),
    ("/rating/blacklist/{blacklist}/lift/", {"decision": "县联络办决定"}, {"county", "admin"}, "region"),
    ("/rating/honours/add/{hh}/", {"kind": "integrity", "on": "2026-06-01"}, {"county", "admin"}, "region"),
    ("/rating/credit-villages/", {"year": "2026"}, {"county", "admin"}, None),
    ("/rating/scorecards/", {"county_code": "411224", "era_code": "x", "scorecard": "1"}, {"county", "admin"}, None),
    ("/origination/new/{hh}/", {"amount": "30000", "term_months": "36"}, {"village", "admin"}, "region"),
    ("/origination/{app}/act/", {"action": "submit"}, {"village", "admin"}, "bank"),
    ("/origination/{app}/disburse/", {"annual_rate": "4.35"}, BANKS | {"admin"}, "bank"),
    ("/loans/{loan}/repay/", {"amount": "10.00", "on": "2026-06-01"}, BANKS | {"admin"}, "bank"),
    ("/loans/{loan}/write-off/", {"reason": "x"}, BANKS | {"admin"}, "bank"),
    ("/loans/events/{event}/reverse/", {"reason": "x"}, BANKS | {"admin"}, "bank"),
    ("/funds/claims/new/", {"loan_number": "{loan_number}", "cause": "death", "collection_note": "催收"},
     BANKS | {"admin"}, None),
    ("/funds/claims/{claim}/", {"action": "notice", "opinion": "公示"}, {"county", "admin"}, "bank"),
    ("/funds/subsidy/", {"period": "quarter", "start": "2026-01-01"}, BANKS | {"admin"}, None),
    ("/funds/accounts/{account}/", {"kind": "deposit", "amount": "100.00", "on": "2026-06-01"},
     {"finance", "admin"}, "bank"),
    ("/monitoring/close/", {"on": "2026-05-31"}, {"county", "admin"}, None),
]
API_WRITES: list[tuple[str, dict, set, str | None]] = [
    (f"{API}/registry/verify", {"id_number": "{id_number}"}, BANKS, None),
    (f"{API}/loans/{{loan}}/repayments", {"amount": "10.00", "on": "2026-06-01"}, BANKS | {"admin"}, "bank"),
    (f"{API}/reference/rates", {"kind": "lpr", "tenor": "1y", "effective_from": "2026-06-01", "rate": "3.00"},
     IMPORTERS, None),
    (f"{API}/rating/campaigns", {"village_code": "{village_code}"}, {"village", "admin"}, "region"),
    (f"{API}/rating/campaigns/{{campaign}}/actions", {"action": "approve", "opinion": "同意"}, BANKS | {"admin"},
     "rating"),
    (f"{API}/rating/campaigns", {"village_code": "{village_code}", "notice_days": 0}, set(), None),
    (f"{API}/rating/ratings/{{rating}}/votes", {"voter": "委员", "score": 90}, {"village", "admin"}, "region"),
    (f"{API}/rating/blacklist", {"household_id": "{hh}", "reason": "恶意逃废债"}, {"county", "admin"}, "region"),
    (f"{API}/rating/blacklist/{{blacklist}}/lift", {"decision": "县联络办决定"}, {"county", "admin"}, "region"),
    (f"{API}/rating/honours", {"household_id": "{hh}", "kind": "integrity"}, {"county", "admin"}, "region"),
    (f"{API}/rating/credit-regions/evaluate", {"year": 2026}, {"county", "admin"}, None),
    (f"{API}/rating/scorecards", {"definition": {}}, {"county", "admin"}, None),
    (f"{API}/origination/applications/{{app}}/actions", {"action": "submit"}, {"village", "admin"}, "bank"),
    (f"{API}/origination/applications/{{app}}/disburse", {"annual_rate": "4.35", "method": "bullet",
                                                         "account_number": "6228"}, BANKS | {"admin"}, "bank"),
]


# ---------------------------------------------------------------------------------------------- the world


class World:
    def __init__(self):
        from microcredit.apps.audit.services import record_audit
        from microcredit.apps.funds import claims, ledger, subsidy
        from microcredit.apps.funds.models import FundAccount
        from microcredit.apps.jobs.runner import enqueue
        from microcredit.apps.loans import servicing as svc
        from microcredit.apps.loans.services import loan_open
        from django.core.files.uploadedfile import SimpleUploadedFile

        from microcredit.apps.origination import services as orig
        from microcredit.apps.origination.models import ApplicationDocument
        from microcredit.apps.rating import selectors as rsel, services as rsvc
        from microcredit.apps.rating.models import BlacklistEntry, Rating, RatingStatus
        from microcredit.apps.reference.models import PolicyEra, ReferenceRate

        tree = make_region_tree()
        self.tree = tree
        county = tree.county.prefix
        bank = {"A": make_bank("NSH", "卢氏农商银行"), "B": make_bank("YCB", "邮储银行卢氏县支行")}
        village = {"A": tree.villages[0], "B": tree.villages[2]}
        Branch.objects.create(bank=bank["A"], name="农商行城关支行", region=tree.townships[0])
        Branch.objects.create(bank=bank["B"], name="邮储东明支行", region=tree.townships[1])
        self.users = {
            "county": make_user("county_office", [county]),
            "township": make_user("township_station", [tree.townships[0].prefix]),
            "village": make_user("village_station", [village["A"].prefix]),
            "bankA": make_user("bank_officer", [county], bank=bank["A"]),
            "bankB": make_user("bank_officer", [county], bank=bank["B"]),
            "pboc": make_user("pboc", [county]),
            "finance": make_user("finance", [county]),
            "insurer": make_user("insurer", [county]),
            "auditor": make_user("auditor", [county]),
            "admin": make_user("admin"),
        }
        admin = self.users["admin"]
        self.obj: dict[str, dict[str, object]] = {"A": {}, "B": {}}
        self.markers: dict[str, list[str]] = {"A": [], "B": []}       # region-scoped markers
        self.bank_markers: dict[str, list[str]] = {"A": [], "B": []}  # bank-scoped markers
        self.rating_markers: dict[str, list[str]] = {"A": [], "B": []}  # what a bank not serving the side never sees
        self.ids: list[str] = []
        self.phones: list[str] = []
        for side, head in (("A", "甲户张三丰"), ("B", "乙户李四海")):
            o = self.obj[side]
            hh = make_household(village[side], members=2, head_name=head,
                                head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
            o["hh"] = hh
            o["member"] = hh.members.exclude(relation="head").first()
            o["village_code"] = village[side].code
            o["id_number"] = hh.head_id_number
            self.ids += list(hh.members.values_list("id_number", flat=True))
            self.phones.append(hh.phone)
            record_audit(actor=admin, action="household.update", obj=hh, region_code=hh.region_code,
                         household_id=hh.pk, before={"head_id_number": hh.head_id_number, "phone": hh.phone},
                         after={"head_id_number": hh.head_id_number, "phone": hh.phone})
            Rating.objects.create(household=hh, region_code=hh.region_code, scorecard=rsel.scorecard_for("411224", "x"),
                                  grade="AAA", credit_limit=4_000_000, status=RatingStatus.EFFECTIVE,
                                  valid_from=TODAY - dt.timedelta(days=30), valid_until=TODAY + dt.timedelta(days=900))
            start = TODAY - dt.timedelta(days=20)
            campaign = rsvc.campaign_create(village=village[side], scorecard=rsel.scorecard_for("411224", "x"),
                                            actor=admin, on=start)
            for action, day in (("submit", 0), ("start_notice", 0), ("close_notice", 7), ("approve", 8), ("approve", 9)):
                campaign = rsvc.campaign_transition(campaign=campaign, action=action, actor=None,
                                                    on=start + dt.timedelta(days=day), opinion="同意")
            assert campaign.state == "bank_review"  # the stage from which the serving bank sees it
            o["campaign"] = campaign
            o["rating"] = campaign.ratings.first()
            app = orig.application_create(household=hh, borrower=hh.members.get(relation="head"), bank=bank[side],
                                          amount=3_000_000, term_months=36, industry="养殖", purpose="养殖肉牛5头",
                                          actor=admin, on=TODAY)
            o["app"] = app
            o["document"] = ApplicationDocument.objects.create(
                application=app, kind="id_card", file=SimpleUploadedFile(f"id{side}.png", b"\x89PNG\r\n\x1a\n0"),
                original_name=f"id{side}.png", content_type="image/png", size=9)
            account = FundAccount.objects.create(county_code="411224", bank=bank[side], opened_on=dt.date(2024, 1, 1),
                                                 name=f"卢氏县风险补偿金{side}专户{bank[side].code}",
                                                 sharing_preset="zheng_yin_bao" if side == "B" else "fund_bank_70_30")
            ledger.fund_deposit(account=account, amount=50_000_000, on=dt.date(2024, 1, 2), actor=None)
            o["account"] = account
            loan = loan_open(household=hh, borrower=hh.members.get(relation="head"), bank=bank[side],
                             principal=3_000_000, annual_rate=Decimal("4.35"), cap_rate=Decimal("4.75"),
                             disbursed_on=dt.date(2025, 1, 10), term_months=12, method="bullet", policy_era="2021",
                             actor=admin)
            o["loan"] = loan
            o["loan_number"] = loan.number
            event, _ = svc.repayment_post(loan=loan, amount=5_000, on=dt.date(2025, 6, 1), actor=admin)
            o["event"] = event
            o["claim"] = claims.claim_file(loan=loan, cause="death", collection_note="借款人去世，家属无力偿还",
                                           actor=admin, on=dt.date(2026, 5, 1))
            o["batch"] = subsidy.batch_draft(bank=bank[side], county_code="411224", period="quarter",
                                             start=dt.date(2025, 10, 1), actor=admin)
            creator = self.users["village"] if side == "A" else self.users["bankB"]
            o["job"] = enqueue(kind=f"report_{side}", params={}, user=creator)
            # A listing written directly (the service would revoke the rating the other rows rely on).
            o["blacklist"] = BlacklistEntry.objects.create(
                household=hh, region_code=hh.region_code, covered_id_numbers=[hh.head_id_number],
                reason=f"恶意逃废债{side}记", listed_on=TODAY - dt.timedelta(days=400), until=TODAY + dt.timedelta(days=1400))
            self.markers[side] += [head, hh.number, app.number, loan.number, campaign.number, f"恶意逃废债{side}记"]
            self.rating_markers[side] += [head, campaign.number, f"恶意逃废债{side}记"]
            self.bank_markers[side] += [app.number, loan.number, account.name, o["batch"].number]
        self.shared = {"rate": ReferenceRate.objects.current().first().pk, "era": PolicyEra.objects.current().first().pk}

    def url(self, template: str, side: str = "A") -> str:
        values = {k: getattr(v, "pk", v) for k, v in self.obj[side].items()} | self.shared
        return template.format(**values)

    def payload(self, data: dict, side: str = "A") -> dict:
        return {k: (self.url(v, side) if isinstance(v, str) else v) for k, v in data.items()}

    def forbidden(self, role: str) -> list[str]:
        """Strings that must never appear in any response to `role`."""
        out = []
        for side in "AB":
            if side not in sides(role, banked=False):
                out += self.markers[side]
            if side not in sides(role, banked=True):
                out += self.bank_markers[side]
            if side not in RATING_SIDES.get(role, "AB"):
                out += self.rating_markers[side]
        if role not in SEE_IDENTITY:
            out += self.ids + self.phones
        return out


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end; each test runs in a savepoint."""
    from django.db import transaction

    with django_db_blocker.unblock(), pinned_business_date(TODAY):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# ---------------------------------------------------------------------------------------------- checks


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an Excel file: every cell of every sheet
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return "\n".join(str(c) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python()
                         for c in row)
    text = content.decode("utf-8", "replace")
    try:  # JSON escapes non-ASCII; compare on the decoded form
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def expected_get(role: str, allowed: set, kind: str | None, side: str) -> str:
    """'ok', 'login', or 'refused' for a GET by `role` on side `side` of a URL."""
    if role == "anon":
        return "login"
    if role not in allowed:
        return "refused"
    if kind == "job":
        return "ok" if side in JOB_SIDES[role] else "refused"
    if kind is not None and side not in kind_sides(role, kind):
        return "refused"
    return "ok"


def outcome(response, api: bool) -> str:
    code = response.status_code
    if code == 200:
        return "ok"
    if api and code == 401:
        return "login"
    if not api and code == 302 and "/login/" in response["Location"]:
        return "login"
    if code in (403, 404):
        return "refused"
    return f"HTTP {code}"


def leaks(world: World, role: str, text: str) -> list[str]:
    return [m for m in world.forbidden(role) if m in text]


def client_for(role: str, world: World):
    from django.test import Client

    client = Client()
    if role != "anon":
        client.force_login(world.users[role])
    return client


def audit_count() -> int:
    from microcredit.apps.audit.models import AuditEntry

    return AuditEntry.objects.count()


@pytest.mark.parametrize("role", ROLES)
def test_reads_match_the_matrix_and_never_leak(role, world):
    client = client_for(role, world)
    problems = []
    with pinned_business_date(TODAY):
        for api, table in ((False, PAGES), (True, ENDPOINTS)):
            for template, allowed, kind in table:
                for side in ("AB" if kind else "A"):
                    url = world.url(template, side)
                    r = client.get(url)
                    want, got = expected_get(role, allowed, kind, side), outcome(r, api)
                    if want != got:
                        problems.append(f"GET {url}: expected {want}, got {got}")
                    if r.status_code == 200:
                        found = leaks(world, role, body_text(r))
                        if found:
                            problems.append(f"GET {url}: leaks {found}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_writes_are_refused_for_roles_not_allowed(role, world):
    client = client_for(role, world)
    problems = []
    with pinned_business_date(TODAY):
        for api, table in ((False, PAGE_WRITES), (True, API_WRITES)):
            for template, data, allowed, kind in table:
                for side in ("AB" if kind else "A"):
                    may = role in allowed and (kind is None or side in kind_sides(role, kind))
                    if may:
                        continue
                    url, payload = world.url(template, side), world.payload(data, side)
                    before = audit_count()
                    if api:
                        r = client.post(url, json.dumps(payload), content_type="application/json")
                    else:
                        r = client.post(url, payload)
                    got = outcome(r, api)
                    want = "login" if role == "anon" else "refused"
                    # A domain refusal (API 409/422 "无权…"; a page that re-renders or redirects with the reason
                    # when the view checks the permission inline) is a refusal too, as long as nothing was recorded.
                    inline = r.status_code in (409, 422) if api else r.status_code in (200, 302)
                    if got != want and not (role != "anon" and inline):
                        problems.append(f"POST {url}: expected {want}, got {got}")
                    if audit_count() != before:
                        problems.append(f"POST {url}: changed the world (new audit rows)")
                    if r.status_code == 200 and leaks(world, role, body_text(r)):
                        problems.append(f"POST {url}: leaks {leaks(world, role, body_text(r))}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_bank_officer_may_verify_an_id_number_but_not_list_the_registry(world):
    client = client_for("bankA", world)
    with pinned_business_date(TODAY):
        r = client.post(f"{API}/registry/verify", {"id_number": world.obj["B"]["id_number"]},
                        content_type="application/json")
        assert r.status_code == 200 and r.json()["registered"] is True
        assert client.get(f"{API}/households").status_code == 403
        assert client.get("/households/").status_code == 403


def test_exports_hold_only_rows_in_scope(world):
    with pinned_business_date(TODAY):
        text = body_text(client_for("village", world).get("/households/export/"))
        assert world.obj["A"]["hh"].number in text and world.obj["B"]["hh"].number not in text
        text = body_text(client_for("auditor", world).get("/households/export/"))
        assert world.obj["B"]["hh"].number in text
        assert not [i for i in world.ids if i in text]
