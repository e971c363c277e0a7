"""Rewrite ``core/domain_words.py``'s WORDS from the domain vocabularies (before makemessages)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from microcredit.apps.core import domain_words

MARK = "# generated: python -m microcredit domain-words\n"


class Command(BaseCommand):
    help = "更新领域词汇表（翻译目录用）"

    def handle(self, *args, **options):
        path = Path(domain_words.__file__)
        head = path.read_text(encoding="utf-8").split(MARK)[0]
        path.write_text(head + MARK + domain_words.source(), encoding="utf-8")
        self.stdout.write(f"{len(domain_words.vocabulary())} 个词条")
