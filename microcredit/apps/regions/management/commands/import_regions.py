"""`python -m microcredit import-regions FILE`: import the region CSV (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from microcredit.apps.regions.services import import_regions, read_regions_csv


class Command(BaseCommand):
    help = "从 CSV 导入行政区划（列：代码,名称,上级代码；或 code,name,parent_code）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = import_regions(rows=read_regions_csv(path.read_bytes()), actor=None)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"发现{len(result.errors)}处错误，未导入任何数据")
        self.stdout.write(f"导入完成：新增{result.created}，更新{result.updated}，未变{result.unchanged}")
