"""The workflow kit (issue #10 §3, ADR 0007), table-driven over every registered workflow.

For each table: every role × state × action is allowed exactly when the table allows it (refused
with the table's Chinese reason otherwise), the buttons are the table's, the same person cannot take
two approving steps in a row, a user of another village or bank is refused, and the system and an
administrator act as the step's role. The items are real rows of each app, put into each state.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import (
    WORKFLOWS, WorkflowRefused, actions_for, overdue, overdue_below, pending_counts, pending_for, transition_take,
)
from microcredit.apps.funds import claims, subsidy
from microcredit.apps.funds.models import Claim, FundAccount, SubsidyBatch
from microcredit.apps.origination import services as origination
from microcredit.apps.rating import services as rating
from microcredit.apps.rating.selectors import scorecard_for
from microcredit.apps.reference.models import Branch
from microcredit.domain.access import BANK, COUNTY, FINANCE, PBOC, TOWNSHIP, VILLAGE
from microcredit.domain.workflow import APPLICATION, RISK_FUND_CLAIM, find_transition, transition_errors
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)
ROLES = (VILLAGE, TOWNSHIP, COUNTY, BANK, PBOC, FINANCE)  # the household's logins come with the portal
OPINION = "意见"


class World:
    """One county, one bank serving it, one user per role, and one item of every registered workflow."""

    def __init__(self):
        c = County()
        self.tree, self.bank = c.tree, c.bank
        village = self.tree.villages[0]
        Branch.objects.create(bank=self.bank, name="农商行城关支行", region=self.tree.townships[0])
        self.users = {role: make_user(role, [self.tree.county.prefix], bank=self.bank if role == BANK else None)
                      for role in ROLES}
        self.second = {role: make_user(role, [self.tree.county.prefix], bank=self.bank if role == BANK else None)
                       for role in ROLES}
        self.other_village = make_user(VILLAGE, [self.tree.villages[1].prefix])
        self.other_bank = make_user(BANK, [self.tree.county.prefix], bank=make_bank("YCB", "邮储银行"))
        self.admin = make_user("admin", [self.tree.county.prefix], is_staff=True)
        loan = c.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3000000)
        applicant = make_household(village)
        account = FundAccount.objects.create(county_code=self.tree.county.prefix[:6], bank=self.bank, name="专户",
                                             opened_on=dt.date(2024, 1, 1))
        self.items = {
            "loan_application": origination.application_create(
                household=applicant, borrower=applicant.members.first(), bank=self.bank, amount=1_000_000,
                term_months=12, industry="养殖", purpose="养牛", actor=None, on=DAY, check=False),
            "rating_campaign": rating.campaign_create(village=village, scorecard=scorecard_for("411224", "x"),
                                                      actor=None, households=[], on=DAY),
            "subsidy_batch": SubsidyBatch.objects.create(
                number="TX1", bank=self.bank, county_code=account.county_code, period="month",
                period_start=dt.date(2026, 5, 1), period_end=dt.date(2026, 5, 31)),
            "risk_fund_claim": Claim.objects.create(
                number="DC1", loan=loan, account=account, region_code=loan.region_code, cause="death",
                collection_note="已催收", filed_on=DAY, days_past_due=120, loss_principal=3000000, loss_interest=0,
                sharing_preset=account.sharing_preset),
        }

    def put(self, code: str, state: str):
        """The item of table ``code`` in ``state``, with nobody recorded as having brought it there."""
        wf = WORKFLOWS[code]
        item = self.items[code]
        wf.model.objects.filter(pk=item.pk).update(**{wf.state_field: state})
        wf.records(item).update(actor=None)
        if code == "rating_campaign" and not wf.records(item).filter(to_state="bank_review").exists():
            # a bank sees a campaign once it reached the bank review
            wf.record_model.objects.create(campaign=item, from_state="county_review", action="approve",
                                           to_state="bank_review", on=DAY)
        item.refresh_from_db()
        return item


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the module (building it took 5–7 s per test): made inside an outer transaction
    that each test's own transaction nests in as a savepoint, and rolled back after the last test."""
    with django_db_blocker.unblock(), transaction.atomic(), pinned_business_date(DAY):
        yield World()
        transaction.set_rollback(True)


def test_every_workflow_of_the_issue_is_registered():
    assert {"loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"} <= set(WORKFLOWS)


@pytest.mark.parametrize("code", ["loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"])
def test_each_role_state_and_action_is_allowed_exactly_as_the_table_says(world, code):
    wf = WORKFLOWS[code]
    table = wf.table
    actions = sorted({t.action for t in table.transitions})
    checked = 0
    with pinned_business_date(DAY):
        for step in table.steps:
            for role, user in world.users.items():
                item = world.put(code, step.state)
                assert {t.action for t in actions_for(wf, item, user)} == \
                    {t.action for t in table.transitions if t.state == step.state and role in t.roles}
                for action in actions:
                    item = world.put(code, step.state)
                    expected = transition_errors(table, step.state, action, role, OPINION)
                    if expected:
                        with pytest.raises(WorkflowRefused) as exc:
                            transition_take(wf, item, action, actor=user, opinion=OPINION, on=DAY)
                        reasons = {e.message for e in expected} | {wf.out_of_scope}
                        assert exc.value.message in reasons, (code, step.state, role, action, exc.value.message)
                        assert wf.state_of(wf.model.objects.get(pk=item.pk)) == step.state
                    else:
                        done = transition_take(wf, item, action, actor=user, opinion=OPINION, on=DAY)
                        assert wf.state_of(done) == find_transition(table, step.state, action).next_state
                        record = wf.records(item).latest("id")
                        assert (record.from_state, record.action, record.actor, record.actor_role, record.on) == \
                            (step.state, action, user, role, DAY)
                    checked += 1
    assert checked == len(table.steps) * len(ROLES) * len(actions)


@pytest.mark.parametrize("code", ["loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"])
def test_return_and_reject_need_an_opinion(world, code):
    wf = WORKFLOWS[code]
    t = next(t for t in wf.table.transitions if t.needs_opinion)
    role = next(r for r in t.roles if r in world.users)
    with pinned_business_date(DAY), pytest.raises(WorkflowRefused, match="必须填写意见或理由"):
        transition_take(wf, world.put(code, t.state), t.action, actor=world.users[role], on=DAY)


@pytest.mark.parametrize("code", ["loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"])
def test_nobody_takes_two_approving_steps_in_a_row(world, code):
    """Segregation of duties: whoever brought the item to its step may not approve it; another person may."""
    wf = WORKFLOWS[code]
    first = next(t for t in wf.table.transitions if t.action == "approve")
    role = first.roles[0]
    with pinned_business_date(DAY):
        item = world.put(code, first.state)
        wf.record_model.objects.create(**{wf.record_fk: item}, from_state="x", action="approve",
                                       to_state=first.state, actor=world.users[role], on=DAY)
        with pytest.raises(WorkflowRefused, match="职责分离") as exc:
            transition_take(wf, item, "approve", actor=world.users[role], opinion=OPINION, on=DAY)
        assert exc.value.field == "actor"
        assert wf.state_of(transition_take(wf, item, "approve", actor=world.second[role], on=DAY)) == first.next_state


@pytest.mark.parametrize("code", ["loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"])
def test_a_user_of_another_village_or_bank_is_refused(world, code):
    wf = WORKFLOWS[code]
    for t in wf.table.transitions:
        outsider = world.other_village if VILLAGE in t.roles else world.other_bank if BANK in t.roles else None
        if outsider is None:
            continue
        with pinned_business_date(DAY), pytest.raises(WorkflowRefused, match="管辖范围") as exc:
            transition_take(wf, world.put(code, t.state), t.action, actor=outsider, opinion=OPINION, on=DAY)
        assert exc.value.field == "scope"


@pytest.mark.parametrize("code", ["subsidy_batch", "risk_fund_claim"])
def test_funds_workflows_now_check_scope(world, code):
    """The funds services had no scope check: an officer of another county is refused."""
    wf = WORKFLOWS[code]
    t = wf.table.transitions[0]
    stranger = make_user(t.roles[0], ["999999"])
    with pinned_business_date(DAY), pytest.raises(WorkflowRefused, match="不在您的管辖范围内"):
        transition_take(wf, world.put(code, t.state), t.action, actor=stranger, opinion=OPINION, on=DAY)


@pytest.mark.parametrize("code", ["loan_application", "rating_campaign", "subsidy_batch", "risk_fund_claim"])
def test_the_system_and_an_administrator_act_as_the_steps_role(world, code):
    wf = WORKFLOWS[code]
    with pinned_business_date(DAY):
        for actor in (None, world.admin):
            for t in wf.table.transitions:
                item = world.put(code, t.state)
                assert set(actions_for(wf, item, world.admin)) == {x for x in wf.table.transitions if x.state == t.state}
                done = transition_take(wf, item, t.action, actor=actor, opinion=OPINION, on=DAY)
                record = wf.records(item).latest("id")
                assert wf.state_of(done) == t.next_state
                assert (record.actor, record.actor_role) == (actor, t.roles[0])


def test_the_kit_is_what_the_services_use(world):
    """A service refusal is the kit's one WorkflowRefused, whatever the app (no per-app copies)."""
    with pinned_business_date(DAY):
        world.put("risk_fund_claim", "filed")
        with pytest.raises(WorkflowRefused, match="无权"):
            claims.claim_transition(claim=world.items["risk_fund_claim"], action="notice", actor=world.users[FINANCE])
        with pytest.raises(WorkflowRefused, match="无权"):
            subsidy.batch_transition(batch=world.items["subsidy_batch"], action="verify", actor=world.users[COUNTY])
    assert origination.WorkflowRefused is rating.WorkflowRefused is WorkflowRefused


def test_pending_for_lists_the_items_waiting_on_the_users_role_overdue_first(world):
    with pinned_business_date(DAY):
        app = world.put("loan_application", "township_review")
        world.put("risk_fund_claim", "notice")
        wf = WORKFLOWS["loan_application"]
        wf.model.objects.filter(pk=app.pk).update(state_entered_on=DAY - dt.timedelta(days=3))  # limit 2 days
        pending = pending_for(world.users[TOWNSHIP], on=DAY)
        assert [(p.workflow.table.code, p.item.pk, p.overdue) for p in pending] == [("loan_application", app.pk, True)]
        assert pending[0].due == DAY - dt.timedelta(days=1)
        assert list(overdue(APPLICATION, wf.model.objects.all(), DAY)) == [app]
        assert not overdue(APPLICATION, wf.model.objects.all(), DAY - dt.timedelta(days=1)).exists()
        # The claim entered its notice step (limit 17 days) on the day of its last record.
        claim_wf = WORKFLOWS["risk_fund_claim"]
        claim_wf.record_model.objects.create(claim=world.items["risk_fund_claim"], from_state="filed", action="notice",
                                             to_state="notice", on=DAY - dt.timedelta(days=20))
        county = pending_for(world.users[COUNTY], on=DAY)
        assert [(p.workflow.table.code, p.overdue) for p in county][0] == ("risk_fund_claim", True)
        assert not pending_for(world.other_village, on=DAY)
        assert {p.workflow.table.code for p in pending_for(world.admin, on=DAY)} >= {
            "loan_application", "risk_fund_claim", "rating_campaign", "subsidy_batch"}
        # The counts (one query per workflow) equal the lists; the county office sees the township's
        # overdue application below it (DOMAIN §12: the supervisor's inbox); a limit keeps the most urgent.
        for user in (world.users[TOWNSHIP], world.users[COUNTY], world.other_village, world.admin):
            listed = pending_for(user, on=DAY)
            assert pending_counts(user, on=DAY) == (len(listed), sum(p.overdue for p in listed),
                                                   len(overdue_below(user, on=DAY)))
        assert [(p.workflow.table.code, p.item.pk) for p in overdue_below(world.users[COUNTY], on=DAY)] == [
            ("loan_application", app.pk)]
        assert not overdue_below(world.users[TOWNSHIP], on=DAY) and not overdue_below(world.admin, on=DAY)
        assert pending_for(world.admin, on=DAY, limit=1) == pending_for(world.admin, on=DAY)[:1]
    assert RISK_FUND_CLAIM.step("notice").limit_days == 17
