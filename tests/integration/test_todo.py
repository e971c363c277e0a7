"""The to-do list 待办 (issue #11 §2) on the demo county (seed 1, test scale).

Each demo login sees exactly the items of every registered workflow whose current step's roles
include its role, in its scope, overdue first; a clerk of another village sees none of the
village's; a circuit breaker to lift waits on the county office only; the counts (badge,
dashboard) equal the list; the township and the county office see the items overdue below them;
the page, the API and the old 待我审批 address agree.

The demo is generated once for the module inside a transaction rolled back afterwards; everything
is read there (pages and API through a test client) and each test asserts one fact.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import transaction
from django.test import Client

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import TODO_LIMIT, todo_counts, todo_for
from microcredit.apps.core.workflow import WORKFLOWS
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for
from microcredit.domain.todo import SUPERVISED_ROLES
from microcredit.domain.workflow import is_overdue
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)
LOGINS = ("village", "village2", "township", "county", "county2", "bank", "pboc", "finance")


def _expected(user) -> set[tuple[str, str]]:
    """(kind, url) of every item in the user's scope whose current step its role acts on."""
    out = set()
    for wf in WORKFLOWS.values():
        for item in wf.items(user):
            step = wf.table.step(wf.state_of(item))
            if not step.terminal and user.role in step.roles:
                out.add((wf.table.code, wf.describe(item)[1]))
    return out


def _overdue_at(user, roles: frozenset[str]) -> set[str]:
    """URLs of the items in the user's scope overdue (by the domain rule) at a step of ``roles``."""
    out = set()
    for wf in WORKFLOWS.values():
        # a workflow whose step owner is per item (problem cases) names the items the user supervises
        pool = wf.supervised(user) if wf.supervised else wf.items(user)
        records = wf.record_model.objects.filter(**{f"{wf.record_fk}__in": pool})
        for item in pool:
            state = wf.state_of(item)
            step = wf.table.step(state)
            if step.terminal or not step.limit_days or not step.roles:
                continue
            if not wf.supervised and not set(step.roles) <= roles:
                continue
            entered = getattr(item, wf.entered_field) if wf.entered_field else records.filter(
                **{wf.record_fk: item, "to_state": state}).order_by("-at", "-id").first().on
            if is_overdue(wf.table, state, entered, DAY):
                out.add(wf.describe(item)[1])
    return out


def _read(ctx) -> dict:
    from microcredit.apps.monitoring.models import Suspension

    village = ctx.users["village"].scope_regions[0]
    Suspension.objects.create(level="village", region_code=village, reason="不良率 6.1% 超过 5%", since=DAY)
    users = {name: ctx.users[name] for name in LOGINS}
    other = next(v.code for v in ctx.villages if v.code != village and v.code[:9] == village[:9])
    users["other_village"] = make_user("village_station", [other])
    client, out = Client(), {"users": users, "todo": {}, "counts": {}, "expected": {}, "page": {}, "api": {}}
    for name, user in users.items():
        out["todo"][name] = todo_for(user, DAY)
        out["counts"][name] = todo_counts(user, DAY)
        out["expected"][name] = _expected(user)
        client.force_login(user)
        out["page"][name] = client.get("/todo/").content.decode()
        out["api"][name] = client.get("/api/v1/todo").json()
        if name == "township":
            out["dashboard"] = client.get("/").content.decode()
            out["inbox"] = client.get("/origination/inbox/")
    out["below_expected"] = {name: _overdue_at(users[name], SUPERVISED_ROLES[users[name].role])
                             for name in ("township", "county")}
    out["limited"] = todo_for(ctx.users["admin"], DAY, limit=5)
    out["admin"] = todo_for(ctx.users["admin"], DAY)
    return out


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pinned_business_date(DAY), transaction.atomic():
        ctx = generate(seed=1, scale=scale_for("test"), business_date=DAY, progress=io.StringIO())
        out = _read(ctx)
        transaction.set_rollback(True)
    return out


@pytest.mark.parametrize("name", LOGINS)
def test_each_role_sees_exactly_its_workflow_items_in_scope(demo, name):
    items = demo["todo"][name].items
    workflow_kinds = {wf.table.code for wf in WORKFLOWS.values()}  # the to-do sources (熔断, 贷后检查 …) aside
    assert {(i.kind, i.url) for i in items if i.kind in workflow_kinds} == demo["expected"][name]
    assert all(i.url and i.title and i.state_label and i.kind_label for i in items)


def test_every_role_has_something_to_do_and_some_of_it_is_overdue(demo):
    assert all(demo["todo"][name].items for name in LOGINS)
    assert {i.kind_label for name in LOGINS for i in demo["todo"][name].items} >= {"申请", "评级批次", "贴息批次"}
    assert any(i.overdue for i in demo["todo"]["village"].items)


@pytest.mark.parametrize("name", [*LOGINS, "admin"])
def test_overdue_first_with_the_time_limit(demo, name):
    items = demo["todo"][name].items if name != "admin" else demo["admin"].items
    flags = [i.overdue for i in items]
    assert flags == sorted(flags, reverse=True)
    assert all(i.due is not None and i.due < DAY for i in items if i.overdue)


def test_village_items_are_in_the_village_and_another_village_sees_none_of_them(demo):
    village = demo["users"]["village"].scope_regions[0]
    mine = {i.url for i in demo["todo"]["village"].items}
    assert {i.url for i in demo["todo"]["village2"].items} == mine  # same village, same role
    assert not mine & {i.url for i in demo["todo"]["other_village"].items}
    assert demo["users"]["other_village"].scope_regions[0] != village


def test_a_circuit_breaker_to_lift_waits_on_the_county_office_only(demo):
    for name in ("county", "county2"):
        [s] = [i for i in demo["todo"][name].items if i.kind == "suspension"]
        assert s.kind_label == "风险熔断" and s.url == "/monitoring/suspensions/" and not s.overdue
    assert not [i for name in ("village", "township", "bank", "pboc", "finance")
                for i in demo["todo"][name].items if i.kind == "suspension"]


@pytest.mark.parametrize("name", [*LOGINS, "other_village"])
def test_counts_equal_the_list(demo, name):
    todo, counts = demo["todo"][name], demo["counts"][name]
    assert (counts.total, counts.overdue, counts.below) == (todo.total, todo.overdue, todo.below_total)
    assert todo.total == len(todo.items) and todo.overdue == sum(i.overdue for i in todo.items)
    assert todo.below_total == len(todo.below)


def test_supervisors_see_the_items_overdue_below_them(demo):
    for name in ("township", "county"):
        below = demo["todo"][name].below
        assert {i.url for i in below} == demo["below_expected"][name]
        assert all(i.overdue for i in below)
    township_below = {i.url for i in demo["todo"]["township"].below}
    workflow_kinds = {wf.table.code for wf in WORKFLOWS.values()}  # sources' items are not workflow steps
    assert {i.url for i in demo["todo"]["village"].items if i.overdue and i.kind in workflow_kinds} <= township_below
    assert township_below  # the demo has a village step overdue
    county_below = {i.url for i in demo["todo"]["county"].below}
    assert township_below | {i.url for i in demo["todo"]["township"].items
                             if i.overdue and i.kind in workflow_kinds} <= county_below
    assert all(not demo["todo"][name].below for name in ("village", "bank", "pboc", "finance"))
    assert "下级超时" in demo["page"]["township"] and "下级超时" not in demo["page"]["bank"]


@pytest.mark.parametrize("name", LOGINS)
def test_the_page_lists_every_item_and_the_api_equals_it(demo, name):
    todo, page, api = demo["todo"][name], demo["page"][name], demo["api"][name]
    for item in todo.items + todo.below:
        assert f'href="{item.url}"' in page
    assert page.count('<span class="late">已超时</span>') == todo.overdue + todo.below_total
    assert 'class="error"' not in page  # 已超时 is orange (.late), not the red of errors
    assert (api["total"], api["overdue"], api["below_total"]) == (todo.total, todo.overdue, todo.below_total)
    fields = ("kind", "kind_label", "title", "url", "state_label", "overdue")
    for got, item in ((api["items"], todo.items), (api["below"], todo.below)):
        assert [tuple(g[f] for f in fields) + (g["due"],) for g in got] == \
            [tuple(getattr(i, f) for f in fields) + (i.due and i.due.isoformat(),) for i in item]


def test_badge_and_dashboard_show_the_counts(demo):
    counts, html = demo["counts"]["township"], demo["dashboard"]
    assert re.search(rf'id="todo-link">待办 <span class="badge late"[^>]*>{counts.total}</span>', html)
    assert f"待办 {counts.total}，其中超时 <span class=\"late\">{counts.overdue}</span>" in html


def test_the_old_inbox_address_leads_to_the_todo_page(demo):
    assert demo["inbox"].status_code == 302 and demo["inbox"]["Location"] == "/todo/"


def test_the_list_is_bounded_and_keeps_the_most_urgent(demo):
    full, limited = demo["admin"], demo["limited"]
    assert full.total > 5 and len(limited.items) == 5 and limited.total == full.total
    assert limited.items == full.items[:5]
    assert TODO_LIMIT == 200


def test_every_workflow_names_its_kind_and_its_items():
    assert {wf.table.code: wf.label for wf in WORKFLOWS.values()} == {
        "loan_application": "申请", "rating_campaign": "评级批次", "subsidy_batch": "贴息批次",
        "risk_fund_claim": "代偿申请", "loan_extension": "展期续贷申请", "classification_move": "五级分类调整",
        "problem_case": "问题台账"}
    assert all(wf.describe for wf in WORKFLOWS.values())
