"""`python -m microcredit …`: the one entry point (ARCHITECTURE §1).

Our commands are Django management commands with hyphenated names (`demo-data` runs
`demo_data`); `calc` runs the pure calculator without starting Django; `serve` runs gunicorn.
Every other word is passed to Django's management (migrate, createsuperuser, shell, …).
"""

from __future__ import annotations

import os
import sys

OUR_COMMANDS = {
    "demo-data": "生成演示县数据（--seed N，--scale county|province）",
    "demo-logins": "打印演示账号",
    "serve": "启动 Web 应用（gunicorn，生产配置，--port P）",
    "worker": "启动后台任务进程（导入、日终、报表）",
    "calc": "贷款计算器：schedule | statement | share-loss，JSON 输入输出",
    "import-regions": "从 CSV 导入行政区划",
    "import-registry": "从 CSV/Excel 导入建档立卡档案",
    "import-ledger": "导入银行贷款台账（--bank CODE FILE --report report.json）",
    "close-day": "日终批处理（--date D，默认补跑漏跑日期）",
    "domain-words": "更新领域词汇表（翻译目录用，makemessages 之前运行）",
}


def _help() -> None:
    print("用法 usage: python -m microcredit <命令> [参数]\n\n本系统命令 commands:")
    for name, text in OUR_COMMANDS.items():
        print(f"  {name:<18} {text}")
    print("\nDjango 管理命令也可用（migrate, createsuperuser, shell …）：python -m microcredit help")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        _help()
        return
    command, rest = argv[0], argv[1:]
    # Function-level imports below: the command line must start without Django (calc) and set
    # DJANGO_SETTINGS_MODULE before anything of Django is imported.
    if command == "calc":
        from microcredit.calculator import main as calc_main

        sys.exit(calc_main(rest))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
    if command == "serve":
        from microcredit.web.serve import serve

        serve(rest)
        return
    from django.core.management import execute_from_command_line

    name = command.replace("-", "_") if command in OUR_COMMANDS else command
    execute_from_command_line(["python -m microcredit", name, *rest])
