"""POST /api/v1/calc/{schedule|statement|share-loss}: the calculator for other systems.

The body is the same JSON as the command line reads; the answer is the same JSON it writes.
Bad input → 422 {"detail", "field"} in Chinese (the API's one ``DomainError`` mapping, ``core.api_errors``).
"""

from ninja import Body, Router

from microcredit.calculator import run

router = Router(tags=["贷款计算器"])


@router.post("/schedule", summary="还款计划 schedule")
def schedule(request, payload: dict = Body(...)):
    """{"principal","annual_rate","disbursed_on","term_months","method"} → the schedule."""
    return run("schedule", payload)


@router.post("/statement", summary="贷款状态 statement")
def statement(request, payload: dict = Body(...)):
    """{"loan":{…},"payments":[…],"as_of","subsidy":{…}} → the loan's state as of a date."""
    return run("statement", payload)


@router.post("/share-loss", summary="损失分担 share-loss")
def share_loss(request, payload: dict = Body(...)):
    """{"loss","parties":[{"name","ratio"}]} → each party's share."""
    return run("share-loss", payload)
