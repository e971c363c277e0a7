"""Administrative divisions with their statistical codes (DOMAIN §2, ARCHITECTURE §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.domain.regions import LEVEL_LABELS, LEVELS, significant_prefix


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=15, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(
        _("级别"), max_length=10, choices=[(lv, LEVEL_LABELS[lv]) for lv in LEVELS], db_index=True
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return significant_prefix(self.code)
