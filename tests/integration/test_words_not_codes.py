"""Words, not codes (issue #11 §3): no page shows an internal code, audit entries read as sentences.

1. Every registered workflow's states and actions have a label that is not the code, and the
   ``label`` filter renders it; on the demo county each workflow's item page shows its history in words.
2. The main pages of the demo county (test scale, generated once for the module inside a transaction
   that is rolled back), rendered for the county office, contain none of the known internal codes —
   workflow states and actions, job kinds, audit actions, era codes, role codes, event kinds — as a
   whole word of their visible text (tags, attribute values and URLs are not visible text).
3. Audit entries are sentences: a household edit, a role change, a repayment.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.audit.selectors import describe
from microcredit.apps.audit.services import AUDIT_ACTIONS
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.labels import label_of
from microcredit.apps.core.workflow import WORKFLOWS
from microcredit.apps.households.services import household_update
from microcredit.apps.jobs.runner import HANDLERS, enqueue
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import EventKind
from microcredit.apps.reference.models import PolicyEra
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for
from tests.batch.portfolio import County
from tests.factories import make_household, make_region_tree, make_user
from tests.integration.helpers import user_with_role

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)
ITEM_PAGES = {"loan_application": "origination:detail", "rating_campaign": "rating:campaign",
              "subsidy_batch": "funds:batch", "risk_fund_claim": "funds:claim", "problem_case": "problems:case",
              "loan_extension": "loans:extension", "classification_move": "loans:class_proposal"}


def visible_text(page: str) -> str:
    """What a reader sees: no scripts or styles, no tags (so no attribute values), no URLs."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = html.unescape(re.sub(r"(?s)<[^>]*>", " ", page))
    return re.sub(r"(https?://|/)[\w./?=&%#:-]*", " ", page)


def codes_in(text: str, codes: set[str]) -> set[str]:
    """The codes that appear in ``text`` as whole words (ASCII word boundaries: 审批submit counts too)."""
    return {c for c in codes if re.search(rf"(?<![A-Za-z0-9_.]){re.escape(c)}(?![A-Za-z0-9_])", text)}


def internal_codes() -> set[str]:
    codes = set(HANDLERS) | set(AUDIT_ACTIONS) | set(ROLE_LABELS) | set(EventKind.values)
    codes |= set(PolicyEra.objects.values_list("code", flat=True))
    for wf in WORKFLOWS.values():
        codes |= {s.state for s in wf.table.steps} | {t.action for t in wf.table.transitions}
    return codes


# --- 1. every workflow state and action has a word ------------------------------------------------

def test_every_workflow_state_and_action_has_a_label_that_is_not_its_code():
    template = Template('{% load labels %}{{ code|label:vocabulary }}')
    assert len(WORKFLOWS) >= 4
    for code, wf in WORKFLOWS.items():
        for step in wf.table.steps:
            assert step.label and step.label != step.state
            assert template.render(Context({"code": step.state, "vocabulary": f"state:{code}"})) == step.label
        for t in wf.table.transitions:
            word = label_of("workflow_action", t.action)
            assert word != t.action and t.label != t.action, (code, t.action)
            assert template.render(Context({"code": t.action, "vocabulary": "workflow_action"})) == word


def test_every_job_kind_audit_action_role_and_era_has_a_label():
    assert all(label_of("job_kind", kind) != kind for kind in HANDLERS), "a job kind registered without a label"
    assert all(str(label) != code for code, label in AUDIT_ACTIONS.items())
    assert all(label_of("role", role) != role for role in ROLE_LABELS)
    assert {label_of("era", e.code) for e in PolicyEra.objects.current()} >= {"扶贫小额信贷", "脱贫人口小额信贷", "帮扶小额信贷"}


# --- 2. the demo county's pages show no code ---------------------------------------------------------

def _main_pages(ctx) -> tuple[dict[str, str], dict[str, list[tuple[str, str, str]]]]:
    """Visible text of the main pages for the county office, and each workflow's item page with its history."""
    from microcredit.apps.funds.models import SubsidyBatch
    from microcredit.apps.households.models import Household
    from microcredit.apps.loans.models import Loan
    from microcredit.apps.origination.models import LoanApplication

    county = ctx.users["county"]
    client = Client()
    client.force_login(county)
    enqueue(kind="daily_close", params={"date": DAY.isoformat(), "source": "page"}, user=county)
    loan = Loan.objects.filter(region_code__startswith=county.scope_regions[0]).order_by("id").first()
    household = Household.objects.filter(pk=loan.household_id).first()
    app = LoanApplication.objects.filter(loan__isnull=False).order_by("id").first()
    batch = SubsidyBatch.objects.filter(status="paid").order_by("-period_end").first()
    urls = ["/", reverse("loans:list"), reverse("loans:detail", args=[loan.pk]),
            reverse("households:detail", args=[household.pk]), reverse("origination:detail", args=[app.pk]),
            reverse("origination:contract", args=[app.pk]), reverse("funds:claims"), reverse("funds:subsidy_batches"),
            reverse("funds:subsidy_report") + (f"?year={batch.period_end.year}&quarter={(batch.period_end.month + 2) // 3}"
                                               if batch else ""),
            reverse("rating:campaigns"), reverse("jobs:list"), reverse("monitoring:close"), reverse("calc:page")]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = visible_text(response.content.decode())
    auditor = Client()  # the audit log is the auditor's page (the county office does not read it)
    auditor.force_login(ctx.users["auditor"])
    pages[reverse("audit:list")] = visible_text(auditor.get(reverse("audit:list")).content.decode())
    histories = {}
    for code, wf in WORKFLOWS.items():
        item = wf.model.objects.filter(pk__in=wf.record_model.objects.values(wf.record_fk)).order_by("-id").first()
        if item is None:
            continue
        url = reverse(ITEM_PAGES[code], args=[item.pk])
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = visible_text(response.content.decode())
        histories[code] = [(url, r.from_state, r.to_state) for r in wf.records(item)]
    histories["contract"] = [(reverse("origination:contract", args=[app.pk]), label_of("era", app.loan.policy_era), "")]
    return pages, histories


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            ctx = generate(seed=11, scale=scale_for("test"), business_date=DAY, progress=io.StringIO())
            with pinned_business_date(DAY):
                pages, histories = _main_pages(ctx)
            codes = internal_codes()
            transaction.set_rollback(True)
    return pages, histories, codes


def test_no_main_page_of_the_demo_county_shows_an_internal_code(demo):
    pages, _histories, codes = demo
    assert {"submit", "approve", "bangfu2026", "daily_close", "household.update", "village_station", "repayment"} <= codes
    assert "日终批处理" in pages[reverse("jobs:list")] and "「" in pages[reverse("audit:list")]
    assert codes_in("审批记录 submit", codes) == {"submit"} and not codes_in("提交", codes)
    shown = {url: sorted(codes_in(text, codes)) for url, text in pages.items()}
    assert {url: found for url, found in shown.items() if found} == {}


def test_each_workflow_item_page_shows_its_history_in_words(demo):
    pages, histories, _codes = demo
    assert {"loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"} <= set(histories)
    for code, rows in histories.items():
        if code == "contract":
            continue
        for url, from_state, to_state in rows:
            assert label_of(f"state:{code}", to_state) in pages[url], (code, to_state)
            if from_state:
                assert label_of(f"state:{code}", from_state) in pages[url], (code, from_state)


def test_the_close_page_the_contract_and_the_calculator_read_as_words(demo):
    pages, histories, _codes = demo
    close = next(text for url, text in pages.items() if url.startswith(reverse("monitoring:close")))
    assert "{'" not in close and "日终批处理" in close
    (url, era, _), = histories["contract"]
    assert era in {"扶贫小额信贷", "脱贫人口小额信贷", "帮扶小额信贷"} and f"（{era}政策）" in pages[url]
    calc = pages[reverse("calc:page")]
    assert "DOMAIN" not in calc and "docs" not in calc


# --- 3. audit entries as sentences -------------------------------------------------------------------

def _sentence_on_the_audit_page(client, entry) -> str:
    text = visible_text(client.get(reverse("audit:list"), {"object_type": entry.object_type}).content.decode())
    return re.sub(r"\s+", " ", text)


def test_a_household_edit_reads_as_a_sentence_with_fields_named_and_money_in_yuan(client):
    tree = make_region_tree()
    officer = make_user("county_office", scope_regions=[tree.county.prefix], username="wjg")
    officer.last_name, officer.first_name = "王", "建国"
    officer.save()
    household = make_household(tree.villages[0], head_name="刘波飞", status="general", income_per_head=500000)
    household_update(actor=officer, household=household, status="exited", income_per_head=600000)
    entry = AuditEntry.objects.filter(action="household.update").latest("id")
    sentence = describe(entry, officer).text
    assert sentence.startswith("王建国 修改农户信息「")
    assert "户类型 一般农户 → 已脱贫户" in sentence and "5,000.00 元 → 6,000.00 元" in sentence
    assert "income_per_head" not in sentence and "500000" not in sentence
    client.force_login(make_user("auditor", scope_regions=[tree.county.prefix]))
    page = _sentence_on_the_audit_page(client, entry)
    assert "王建国 修改农户信息「" in page and "household.update" not in page
    options = client.get(reverse("audit:list")).content.decode()
    assert '<option value="household.update"' in options and "修改农户信息</option>" in options
    assert "农户</option>" in options  # 对象类型 by its name, value the code


def test_a_role_change_reads_as_a_sentence_with_the_roles_by_name():
    user = user_with_role("village_station", username="lixiuying")
    user.role = "township_station"
    user.save()
    entry = AuditEntry.objects.filter(action="user.role", object_id=str(user.pk)).latest("id")
    sentence = describe(entry, make_user("auditor", scope_regions=["62"])).text
    assert "变更角色" in sentence and "角色 村金融服务室 → 乡镇金融服务站" in sentence
    assert "village_station" not in sentence and "user.role" not in sentence


def test_a_repayment_reads_as_a_sentence_in_yuan_with_its_channel_by_name():
    county = County()
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        svc.repayment_post(loan=loan, amount=579600, on=dt.date(2025, 8, 1), actor=county.officer)
    entry = AuditEntry.objects.filter(action="loan.repayment").latest("id")
    sentence = describe(entry, county.county_user)
    assert sentence.action == "登记还款" and sentence.note == "还款 5796.00 元（柜面）"
    assert " 元 → " in sentence.text and "counter" not in sentence.text + sentence.note
    assert not codes_in(sentence.text, set(EventKind.values) | set(AUDIT_ACTIONS))


@pytest.mark.django_db
def test_a_foreign_key_kept_as_a_name_in_an_old_snapshot_is_shown_as_it_is():
    """Snapshots may hold a related row's name rather than its id (e.g. a loan's bank); the sentence
    shows the name instead of failing the page (household pages render these sentences)."""
    entry = AuditEntry.objects.create(actor=None, actor_label="系统", action="loan.disburse", object_type="loans.loan",
                                      object_id="1", object_repr="贷款 1", after={"bank": "卢氏农商银行"})
    assert "卢氏农商银行" in describe(entry, make_user("auditor")).text
