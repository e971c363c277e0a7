"""Uploaded documents (ID card scans, death certificates, collection records): one check for every
upload of a document (issue #9 §2). The type is read from the file's first bytes, never from the
name or the browser's word; the size is bounded. Spreadsheets go through ``core.tables`` instead.
"""

from __future__ import annotations

from microcredit.domain.errors import FieldError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniffed_type(upload) -> str | None:
    """The content type the file's first bytes prove (PDF, JPEG, PNG), else None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def document_errors(upload, field: str = "file") -> list[FieldError]:
    """Type and size limits of one uploaded document (every failure at once)."""
    errors = []
    if upload.size > MAX_DOCUMENT_BYTES:
        errors.append(FieldError(field, f"单个材料不能超过 {MAX_DOCUMENT_BYTES // 1024 // 1024}MB"))
    if sniffed_type(upload) is None:
        errors.append(FieldError(field, "材料只能是 PDF、JPG 或 PNG 文件（按文件内容判断，改扩展名无效）"))
    return errors
