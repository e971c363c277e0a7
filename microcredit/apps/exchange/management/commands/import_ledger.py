"""`python -m microcredit import-ledger [--bank CODE] FILE [--report report.json]`: a bank's ledger, all or nothing.

Exit status 0 when the file was imported (findings or not), 2 when it was refused (the report lists
every error). Progress on stderr; the report (issue #13 §2) as JSON to --report, a summary on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from microcredit.apps.exchange.models import ImportSource
from microcredit.apps.exchange.services import ledger_import
from microcredit.apps.reference.selectors import bank_list


class Command(BaseCommand):
    help = "导入银行贷款台账（CSV/Excel/ODS；全部校验通过才写入；可重复导入；导入后自动对账）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--bank", default="", help="银行代码；不填则按“贷款银行”列逐行确定银行")
        parser.add_argument("--as-of", default="", help="数据日期 YYYY-MM-DD（默认业务日期）")
        parser.add_argument("--report", default="", help="把导入报告（JSON）写到此文件")

    def handle(self, *args, file, bank, as_of, report, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        the_bank = None
        if bank:
            the_bank = bank_list().filter(code=bank).first()
            if the_bank is None:
                raise CommandError(f"没有代码为 {bank} 的银行")
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"数据日期格式应为 YYYY-MM-DD：{as_of}") from None
        self._started = time.monotonic()
        result = ledger_import(filename=path.name, data=path.read_bytes(), actor=None, bank=the_bank, as_of=day,
                               source=ImportSource.CLI, report=self._progress)
        self.stderr.write("")
        body = result.as_dict()
        out = {"counts": body["counts"], "errors": body["errors"], "findings": body["findings"],
               "error_count": body["error_count"], "finding_count": body["finding_count"],
               "ignored_columns": body["ignored_columns"], "import_id": body["import_id"]}
        if report:
            Path(report).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        c = body["counts"]
        if result.refused:
            for error in body["errors"][:20]:
                self.stderr.write(f"第{error['row']}行 列{error['column']}：“{error['value']}” {error['message']}")
            self.stderr.write(f"发现 {body['error_count']} 处错误（{c.get('rejected', 0)} 行），未导入任何数据")
            sys.exit(2)
        self.stdout.write(f"导入完成：读取 {c['read']} 行，新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}；"
                          f"对账发现问题 {body['finding_count']} 个（{time.monotonic() - self._started:.1f} 秒）")

    def _progress(self, done: int, total: int, message: str = "") -> None:
        """A one-line progress bar on stderr (a count while the total is unknown)."""
        elapsed = time.monotonic() - self._started
        if total:
            width, done = 30, min(done, total)
            filled = width * done // total
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        else:
            bar = f"{done} 行"
        self.stderr.write(f"\r{message} {bar} {elapsed:.0f}s   ", ending="")
        self.stderr.flush()
