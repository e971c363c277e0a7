"""Report definitions (issue #12 §9): a report is data — its parameters, dataset, columns, grouping,
totals and title rows in a JSON spec validated by ``microcredit.domain.reports.validate_spec`` —
so a county adds or edits one on a page without a code change. The built-in ones are seeded by a
data migration and may be edited like any other (``builtin`` only marks where they came from)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportDefinition(models.Model):
    code = models.SlugField(_("报表代码"), max_length=40, unique=True)
    name = models.CharField(_("报表名称"), max_length=100)
    spec = models.JSONField(_("报表定义"), default=dict)
    builtin = models.BooleanField(_("内置报表"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("报表定义")
        verbose_name_plural = _("报表定义")
        ordering = ["-builtin", "id"]
        permissions = [("view_report", "查看和生成统计报表"), ("edit_report", "编辑报表定义")]

    def __str__(self) -> str:
        return self.name
