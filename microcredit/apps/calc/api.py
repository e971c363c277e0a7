"""POST /api/v1/calc/{schedule|statement|share-loss}: the calculator for other systems.

The body is the same JSON as the command line reads; the answer is the same JSON it writes.
Bad input → 400 {"field", "message"} in Chinese.
"""

from ninja import Body, Router
from ninja.errors import HttpError

from microcredit.calculator import run
from microcredit.domain.errors import DomainError

router = Router(tags=["贷款计算器"])


def _run(command: str, payload: dict) -> dict:
    try:
        return run(command, payload)
    except DomainError as exc:
        raise HttpError(400, f"字段 {exc.field}：{exc.message}") from None


@router.post("/schedule", summary="还款计划 schedule")
def schedule(request, payload: dict = Body(...)):
    """{"principal","annual_rate","disbursed_on","term_months","method"} → the schedule."""
    return _run("schedule", payload)


@router.post("/statement", summary="贷款状态 statement")
def statement(request, payload: dict = Body(...)):
    """{"loan":{…},"payments":[…],"as_of","subsidy":{…}} → the loan's state as of a date."""
    return _run("statement", payload)


@router.post("/share-loss", summary="损失分担 share-loss")
def share_loss(request, payload: dict = Body(...)):
    """{"loss","parties":[{"name","ratio"}]} → each party's share."""
    return _run("share-loss", payload)
