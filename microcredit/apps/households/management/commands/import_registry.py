"""`python -m microcredit import-registry FILE`: synchronous registry import (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.households.registry_file import parse_registry_file
from microcredit.apps.households.services import registry_import


class Command(BaseCommand):
    help = "从 CSV/Excel/ODS 导入建档立卡档案（一行一名成员；全部校验通过才写入；可重复导入）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        parsed = parse_registry_file(filename=path.name, data=path.read_bytes(),
                                     scope=Scope((), None, unrestricted=True))
        if not parsed.ok:
            for error in parsed.errors:
                self.stderr.write(error)
            raise CommandError(f"发现{len(parsed.errors)}处错误，未导入任何数据")
        result = registry_import(parsed=parsed, actor=None, source=path.name, report=self._progress)
        self.stderr.write("")
        r = result.as_dict()
        self.stdout.write(
            f"导入完成：新建{r['households_created']}户，更新{r['households_updated']}户，"
            f"新增成员{r['members_created']}人，更新成员{r['members_updated']}人"
        )

    def _progress(self, done: int, total: int, message: str = "") -> None:
        """A one-line progress bar on stderr (ARCHITECTURE §7)."""
        done = min(done, total)
        width = 30
        filled = width * done // total if total else width
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message}", ending="")
        self.stderr.flush()
