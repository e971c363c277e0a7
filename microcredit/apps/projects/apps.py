from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "microcredit.apps.projects"
    label = "projects"
    verbose_name = "分贷统还项目"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
