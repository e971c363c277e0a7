"""POST /api/v1/repayment-batches: a bank's repayment file, all or nothing (see repayment_import)."""

from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from microcredit.apps.core.tables import TableError, check_uploaded
from microcredit.apps.loans.repayment_import import LIMITS, RepaymentImportError, parse_repayments, repayments_import

router = Router(tags=["贷款"])


@router.post("", response={201: dict, 413: dict, 422: dict})
def repayments_batch(request, file: UploadedFile = File(...)):
    """Upload CSV/Excel/ODS (≤ 20 MB) with 借据号, 还款日期, 还款金额(元), 流水号 → counts.

    413: the file is too large; 422: the file was refused — `errors` lists every broken rule
    as "第N行 列X：“值” 规则"; nothing was posted.
    """
    if not request.user.has_perm("loans.post_repayment"):
        raise HttpError(403, "无权登记还款")
    try:
        check_uploaded(file, LIMITS)
    except TableError as exc:
        return (413 if file.size > LIMITS.max_bytes else 422), {"detail": exc.message, "errors": [exc.message]}
    try:
        rows = parse_repayments(filename=file.name, data=file.read(), user=request.user)
        result = repayments_import(rows=rows, actor=request.user)
    except RepaymentImportError as exc:
        return 422, {"detail": "文件未入账", "errors": exc.errors}
    return 201, {"posted": result.posted, "already_posted": result.already_posted, "event_ids": result.event_ids}
