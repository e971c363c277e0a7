"""Segregation of duties on loan applications and the scope of their documents (issue #9 §1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.origination import services
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number
from tests.integration.test_origination_flow import rate

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world():
    with pinned_business_date(DAY):
        tree = make_region_tree()
        village = tree.villages[0]
        hh = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
        rate(hh)
        bank = make_bank()
        users = {
            "village": make_user("village_station", [village.prefix]),
            "village_reviewer": make_user("village_station", [village.prefix]),
            "township": make_user("township_station", [tree.townships[0].prefix]),
            "admin": make_user("admin", [tree.county.prefix], is_staff=True),
            "finance": make_user("finance", [tree.county.prefix]),
            "other_village": make_user("village_station", [tree.villages[1].prefix]),
        }
        yield tree, hh, bank, users


def apply(hh, bank, users, **kw):
    return services.application_create(household=hh, borrower=hh.members.get(relation="head"), bank=bank,
                                       amount=3_000_000, term_months=36, industry="养殖", purpose="养殖肉牛5头",
                                       actor=users["village"], on=DAY, **kw)


def step(app, action, who):
    return services.application_transition(application=app, action=action, actor=who, on=DAY, opinion="同意")


def test_the_submitter_may_not_give_the_village_first_review(world):
    tree, hh, bank, users = world
    app = step(apply(hh, bank, users), "submit", users["village"])
    with pytest.raises(services.WorkflowRefused) as exc:
        step(app, "approve", users["village"])
    assert exc.value.field == "actor" and "职责分离" in exc.value.message
    app.refresh_from_db()
    assert app.state == "village_review"
    assert step(app, "approve", users["village_reviewer"]).state == "township_review"


def test_nobody_approves_two_consecutive_steps(world):
    tree, hh, bank, users = world
    app = step(apply(hh, bank, users), "submit", users["village"])
    app = step(app, "approve", users["admin"])  # an administrator may act on any step …
    with pytest.raises(services.WorkflowRefused, match="职责分离"):
        step(app, "approve", users["admin"])  # … but not on the next one too
    assert step(app, "approve", users["township"]).state == "county_review"


def test_the_submitter_may_still_return_or_withdraw_own_work(world):
    tree, hh, bank, users = world
    app = step(apply(hh, bank, users), "submit", users["village"])
    app = services.application_transition(application=app, action="return", actor=users["village"], on=DAY,
                                          opinion="补充材料")
    assert app.state == "draft"


def test_the_system_actor_is_not_a_person(world):
    """The demo generator walks applications with ``actor=None``: never refused for duties."""
    tree, hh, bank, users = world
    app = apply(hh, bank, users)
    for action in ("submit", "approve", "approve"):
        app = step(app, action, None)
    assert app.state == "county_review"


def test_documents_need_the_permission_and_scope_of_the_application(client, world):
    tree, hh, bank, users = world
    scan = SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    app = apply(hh, bank, users, documents={"id_card": scan})
    url = f"/origination/documents/{app.documents.get().pk}/"
    client.force_login(users["village"])
    assert client.get(url).status_code == 200
    client.force_login(users["finance"])  # in the county, but may not view applications
    assert client.get(url).status_code == 403
    client.force_login(users["other_village"])  # may view applications, not this village's
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
