"""One money edge (issue #10 §6, ADR 0006): ``YuanField`` for forms, ``Yuan`` for the API, yuan strings
out, and one ``DomainError`` → HTTP mapping whichever endpoint a refusal comes through."""

from __future__ import annotations

import re

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from microcredit.apps.core.api_errors import domain_error_body, domain_error_status
from microcredit.apps.core.forms import YuanField
from microcredit.apps.origination.services import DisbursementRefused, PolicyRefused, WorkflowRefused
from microcredit.apps.rating.services import WorkflowRefused as RatingWorkflowRefused
from microcredit.domain.bounds import MAX_FEN
from microcredit.domain.errors import ConflictError, DomainError, FieldError
from microcredit.domain.money import fen_to_yuan
from microcredit.web.api import api
from tests.integration.helpers import user_with_role

_CJK = re.compile(r"[\u4e00-\u9fff]")


class _Form(forms.Form):
    amount = YuanField(label="金额（元）")
    income = YuanField(label="收入（元）", min_fen=0, required=False)


def _clean(value, field: str = "amount"):
    form = _Form({"amount": "1.00", "income": "", field: value})
    return form.cleaned_data[field] if form.is_valid() else form.errors[field][0]


# ------------------------------------------------------------------------------------ YuanField

@pytest.mark.parametrize("text, fen", [
    ("1234.50", 123450), ("1,234.50", 123450), ("1234.5", 123450), ("１２３４．５", 123450), ("¥1,234.50", 123450),
    (" 1234.5 元", 123450), ("0.01", 1), ("50000", 5_000_000), (fen_to_yuan(MAX_FEN), MAX_FEN),
])
def test_yuan_field_reads_what_people_and_bank_statements_write_as_integer_fen(text, fen):
    value = _clean(text)
    assert value == fen and type(value) is int


@pytest.mark.parametrize("text", [
    "abc", "1.005", "-1", "1E5", "0", "0.00", fen_to_yuan(MAX_FEN + 1), "12,34.5", "1" * 60, "nan", "inf",
])
def test_yuan_field_refuses_with_a_chinese_message(text):
    message = _clean(text)
    assert isinstance(message, str) and _CJK.search(message), (text, message)


def test_yuan_field_required_optional_and_zero():
    assert _CJK.search(str(_Form({"amount": ""}).errors["amount"][0]))
    assert _clean("", "income") is None
    assert _clean("0", "income") == 0  # min_fen=0: an income may be nothing


def test_yuan_field_shows_fen_as_yuan():
    field = YuanField(label="金额")
    assert field.prepare_value(123450) == "1234.50"
    assert field.prepare_value("1,234.50") == "1,234.50"
    assert 'value="1234.50"' in str(_Form(initial={"amount": 123450})["amount"])


@settings(max_examples=300, deadline=None)
@given(fen=st.integers(min_value=1, max_value=MAX_FEN), grouped=st.booleans(), wide=st.booleans())
def test_any_fen_formatted_as_yuan_round_trips(fen, grouped, wide):
    text = fen_to_yuan(fen)
    if grouped:
        whole, cents = text.split(".")
        text = f"{int(whole):,}.{cents}"
    if wide:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.,"})
    assert _clean(text) == fen


# ------------------------------------------------------------------------------------ API schema

AMOUNT = re.compile(r"amount|principal|interest|penalty|advance|quota|balance|outstanding|bonus|credit_limit|"
                    r"income|household_share|subsidy_share|loss")
NOT_MONEY = {"rated_share", "npl_ratio", "subsidy_ratio", "without_principal_repayment",  # a yes/no
             "loans_outstanding", "households_outstanding"}  # counts


def _openapi() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _properties(schema: dict, components: dict, seen: set):
    """Every (name, property schema) reachable from ``schema`` through $ref, anyOf and items."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        schema = components[name]
    for name, prop in schema.get("properties", {}).items():
        yield name, prop
        yield from _properties(prop, components, seen)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, ()):
            yield from _properties(sub, components, seen)
    if isinstance(schema.get("items"), dict):
        yield from _properties(schema["items"], components, seen)


def _fields(spec: dict, where: str):
    components = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            part = op.get("requestBody", {}) if where == "in" else op.get("responses", {})
            bodies = part.get("content", {}).values() if where == "in" else [
                c for r in part.values() for c in r.get("content", {}).values()]
            for body in bodies:
                for name, prop in _properties(body.get("schema", {}), components, set()):
                    yield f"{method.upper()} {path}", name, prop


def _is_yuan(prop: dict) -> bool:
    numbers = [s for s in prop.get("anyOf", [prop]) if s.get("type") == "number"]
    return bool(numbers) and all(s.get("minimum") == 0 and s.get("maximum") == MAX_FEN / 100 for s in numbers)


def _is_text(prop: dict) -> bool:
    return {s.get("type") for s in prop.get("anyOf", [prop])} <= {"string", "null"}


def test_every_api_input_amount_is_the_yuan_type():
    inputs = [(op, name, prop) for op, name, prop in _fields(_openapi(), "in")
              if AMOUNT.search(name) and name not in NOT_MONEY]
    assert inputs, "no amount found in any request body: the test lost its subject"
    wrong = [f"{op} {name}: {prop}" for op, name, prop in inputs if not _is_yuan(prop)]
    assert not wrong, "\n".join(wrong)


def test_every_api_output_amount_is_a_yuan_string_and_no_fen_field_remains():
    spec = _openapi()
    outputs = [(op, name, prop) for op, name, prop in _fields(spec, "out")
               if AMOUNT.search(name) and name not in NOT_MONEY]
    assert len(outputs) > 10
    wrong = [f"{op} {name}: {prop}" for op, name, prop in outputs if not _is_text(prop)]
    assert not wrong, "\n".join(wrong)
    fen = [f"{op} {name}" for where in ("in", "out") for op, name, _ in _fields(spec, where) if name.endswith("_fen")]
    assert not fen, fen


# ------------------------------------------------------------------------------------ DomainError → HTTP

class _Refusal(DomainError):
    def __init__(self):
        super().__init__("amount", "政策检查未通过")
        self.failures = [FieldError("amount", "超过授信额度")]


@pytest.mark.parametrize("exc, status", [
    (DomainError("on", "还款日期不能晚于业务日期"), 422),
    (ConflictError("state", "当前状态不能执行该操作"), 409),
    (_Refusal(), 422),
])
def test_the_same_domain_error_gets_the_same_answer_from_different_endpoints(client, db, monkeypatch, exc, status):
    def refuse(*args, **kwargs):
        raise exc

    monkeypatch.setattr("microcredit.apps.calc.api.run", refuse)
    monkeypatch.setattr("microcredit.apps.households.api.registry_verify", refuse)
    client.force_login(user_with_role("bank_officer"))
    answers = [
        client.post("/api/v1/calc/schedule", {"principal": "1.00"}, content_type="application/json"),
        client.post("/api/v1/registry/verify", {"id_number": "110101199003074574"}, content_type="application/json"),
    ]
    assert [a.status_code for a in answers] == [status, status]
    assert answers[0].json() == answers[1].json() == domain_error_body(exc)
    assert domain_error_status(exc) == status


def test_the_body_names_the_field_and_repeats_the_lists():
    body = domain_error_body(_Refusal())
    assert body == {"detail": "政策检查未通过", "field": "amount",
                    "failures": [{"field": "amount", "message": "超过授信额度"}]}


def test_workflow_refusals_are_conflicts():
    assert issubclass(WorkflowRefused, ConflictError) and issubclass(DisbursementRefused, ConflictError)
    assert issubclass(RatingWorkflowRefused, ConflictError)
    assert not issubclass(PolicyRefused, ConflictError)  # the policy rules refuse the values: 422 at every step
