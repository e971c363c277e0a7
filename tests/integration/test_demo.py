"""The demo generator: deterministic, valid IDs, consistent regions and ages, users, --if-empty."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from microcredit.apps.accounts.models import User
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.households.models import Household, Member
from microcredit.apps.reference.models import Bank, Branch
from microcredit.apps.regions.models import Region
from microcredit.demo import households as households_module
from microcredit.demo.context import DEMO_ANCHOR
from microcredit.demo.runner import BUILTIN_STEPS, generate
from microcredit.demo.scales import SCALES, scale_for
from microcredit.demo.steps import STEPS
from microcredit.domain.identity import age_on, is_valid_id_number, parse_id_number
from microcredit.domain.regions import region_code_errors

pytestmark = pytest.mark.django_db

TEST = SCALES["test"]


def _generate(seed: int = 1, scale=TEST, only=BUILTIN_STEPS):
    """The built-in steps only: these tests are about them (later issues test their own steps)."""
    return generate(seed=seed, scale=scale, business_date=dt.date(2026, 11, 20), progress=io.StringIO(), only=only)


def _first_households(n: int = 50) -> list:
    rows = []
    for h in Household.objects.order_by("number").prefetch_related("members")[:n]:
        rows.append((h.number, h.head_name, h.head_id_number, h.status, h.income_per_head,
                     sorted((m.name, m.id_number, m.relation) for m in h.members.all())))
    return rows


def _wipe() -> None:
    Member.objects.all().delete()
    Household.objects.all().delete()
    Branch.objects.all().delete()
    User.objects.all().delete()
    Bank.objects.all().delete()
    for level in ("village", "township", "county", "city", "province"):
        Region.objects.filter(level=level).delete()


def test_same_seed_gives_identical_households():
    _generate(seed=7)
    first = _first_households()
    assert len(first) == 50
    _wipe()
    _generate(seed=7)
    assert _first_households() == first
    _wipe()
    _generate(seed=8)
    assert _first_households() != first


def test_test_scale_sizes():
    ctx = _generate()
    assert Household.objects.count() == 120 == len(ctx.households)
    assert Region.objects.filter(level="township").count() == 2
    assert Region.objects.filter(level="village").count() == 6
    assert Bank.objects.count() == 3 and Branch.objects.count() >= 3
    assert ctx.counts["members"] == Member.objects.count()


def test_every_id_number_is_valid_unique_and_in_the_county():
    _generate()
    members = list(Member.objects.values_list("id_number", "birth_date", "is_male"))
    ids = [m[0] for m in members]
    assert len(ids) == len(set(ids))
    for id_number, birth, male in members:
        assert is_valid_id_number(id_number)
        info = parse_id_number(id_number)
        assert info.region_code == "621221"
        assert (info.birth_date, info.is_male) == (birth, male)
    heads = dict(Member.objects.filter(relation="head").values_list("household_id", "id_number"))
    for h in Household.objects.all():
        assert heads[h.pk] == h.head_id_number


def test_region_codes_nest():
    _generate()
    for region in Region.objects.select_related("parent"):
        assert region_code_errors(region.code, region.parent.code if region.parent else None) == []
    assert Region.objects.get(code="621221000000").name == "青山县"
    for h in Household.objects.select_related("village__parent"):
        assert h.region_code == h.village.code
        assert h.village.level == "village"
        assert h.village.code.startswith(h.village.parent.code[:9])


def test_ages_fit_relations_and_statuses_are_plausible():
    _generate()
    for h in Household.objects.prefetch_related("members"):
        members = list(h.members.all())
        head = next(m for m in members if m.relation == "head")
        head_age = age_on(head.birth_date, DEMO_ANCHOR)
        assert 18 <= head_age <= 95
        for m in members:
            age = age_on(m.birth_date, DEMO_ANCHOR)
            if m.relation == "child":
                assert age <= head_age - 15
            if m.relation == "parent":
                assert age >= head_age + 18
            if m.relation == "spouse":
                assert m.is_male != head.is_male
            if age < 16:
                assert m.labour == "none"
        if h.is_wubao:
            assert len(members) == 1 and not h.is_dibao
        if h.year_exited:
            assert h.year_registered < h.year_exited <= 2020 and h.status in ("exited", "monitored")
        if h.status == "general":
            assert h.year_registered is None
        assert h.income_per_head > 0 and h.income_per_head % 100 == 0


def test_users_have_groups_and_scopes(client):
    _generate()
    township = Region.objects.filter(level="township").order_by("code").first()
    expected = {
        "county": ("county_office", ["621221"]),
        "township": ("township_station", [township.code[:9]]),
        "bank": ("bank_officer", ["621221"]),
        "pboc": ("pboc", ["621221"]),
        "finance": ("finance", ["621221"]),
        "auditor": ("auditor", ["621221"]),
        "insurer": ("insurer", ["621221"]),
        "admin": ("admin", []),
    }
    for username, (role, scope) in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role and user.scope_regions == scope
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.last_name and user.first_name
    village = User.objects.get(username="village")
    assert len(village.scope_regions[0]) == 12 and village.scope_regions[0].startswith(township.code[:9])
    assert User.objects.get(username="bank").bank == Bank.objects.order_by("id").first()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="county").has_perm("core.manage_reference")
    assert client.login(username="village", password="demo")


def test_one_summary_audit_row():
    _generate()
    entries = AuditEntry.objects.filter(action="demo.generate")
    assert entries.count() == 1
    assert entries.get().after["counts"]["households"] == 120
    # not one row per household (later steps may audit a few workflow transitions)
    assert AuditEntry.objects.count() < 120


def test_command_if_empty_is_a_no_op_the_second_time():
    out = io.StringIO()
    call_command("demo_data", "--seed", "3", "--scale", "test", stdout=out, stderr=io.StringIO())
    assert "120" in out.getvalue()
    out = io.StringIO()
    call_command("demo_data", "--seed", "3", "--scale", "test", "--if-empty", stdout=out, stderr=io.StringIO())
    assert "跳过" in out.getvalue()
    assert Household.objects.count() == 120
    with pytest.raises(CommandError):
        call_command("demo_data", "--seed", "3", "--scale", "test", stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_logins_lists_every_account():
    _generate()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ("county", "township", "village", "bank", "pboc", "finance", "auditor", "insurer", "admin"):
        assert f"\n{username} " in text
    assert "青山县" in text and "demo" in text and "青山农商银行" in text


def test_streamed_scale_writes_in_chunks_without_keeping_households(monkeypatch):
    monkeypatch.setattr(households_module, "CHUNK", 100)
    progress = io.StringIO()
    ctx = generate(seed=1, scale=scale_for("province", 450), progress=progress, only=BUILTIN_STEPS)
    assert ctx.households == []
    assert Household.objects.count() == 450
    assert sum(len(ids) for ids in ctx.iter_household_ids(chunk=100)) == 450


def test_steps_run_in_their_declared_order_and_only_the_named_ones():
    names = [s.name for s in STEPS]
    assert names == ["regions", "banks", "households", "users", "ratings", "loans", "servicing", "postloan", "collection",
                     "reminders", "decisions", "problems", "projects", "targets", "ledgers", "portal"]
    progress = io.StringIO()
    generate(seed=1, scale=TEST, business_date=dt.date(2026, 11, 20), progress=progress,
             only=("regions", "banks"))
    ran = [line.split()[1] for line in progress.getvalue().splitlines() if line.startswith("步骤 ")]
    assert ran == ["regions", "banks"]
    assert not Household.objects.exists()
