import logging

from django.core.management.base import BaseCommand

from microcredit.apps.jobs.runner import lease_seconds, max_attempts, work_forever


class Command(BaseCommand):
    help = "后台任务进程：运行排队的导入、日终、报表任务（--once 运行一轮后退出）；进程中断的任务租约到期后自动重新排队"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前队列后退出")
        parser.add_argument("--poll", type=float, default=1.0, help="空闲时轮询间隔（秒）")

    def handle(self, *args, once=False, poll=1.0, **options):
        # Failures are logged with their traceback here (the job record gets a Chinese line only).
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.stderr.write(f"后台任务进程已启动（租约 {lease_seconds():g} 秒，最多运行 {max_attempts()} 次）")
        work_forever(poll_seconds=poll, once=once)
