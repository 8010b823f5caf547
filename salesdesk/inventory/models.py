"""Warehouses (stock levels and moves come with the goods capability)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from salesdesk.core.models import CompanyOwned


class Warehouse(CompanyOwned):
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="warehouse_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
