from django.core.management.base import BaseCommand

from microcredit.apps.jobs.runner import work_forever


class Command(BaseCommand):
    help = "后台任务进程：运行排队的导入、日终、报表任务（--once 运行一轮后退出）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="处理完当前队列后退出")
        parser.add_argument("--poll", type=float, default=1.0, help="空闲时轮询间隔（秒）")

    def handle(self, *args, once=False, poll=1.0, **options):
        self.stderr.write("后台任务进程已启动")
        work_forever(poll_seconds=poll, once=once)
