"""`python -m microcredit demo-logins`: the demo accounts, their role and scope."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from microcredit.demo.logins import demo_login_rows, demo_portal_rows


class Command(BaseCommand):
    help = "打印演示账号（用户名、密码、角色、管辖范围）"

    def handle(self, *args, **options):
        rows = demo_login_rows()
        if not rows:
            self.stdout.write("没有演示账号：先运行 python -m microcredit demo-data --seed 1")
            return
        header = ("用户名", "密码", "姓名", "角色", "管辖范围")
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)).rstrip())
        portal = demo_portal_rows()
        if portal:
            self.stdout.write("\n农户（手机号登录，验证码见 var/sms/outbox.jsonl）：/portal/signin/")
            for phone, name, number in portal:
                self.stdout.write(f"  {phone}  {name}（户编号 {number}）")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
