"""Warehouse pages (written through the audited master-data writes) and the home card."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.core.web.home import home_card
from salesdesk.core.web.resource import Column, Filter, Resource, yes_no
from salesdesk.inventory.models import Warehouse
from salesdesk.inventory.web.forms import WarehouseForm

warehouses = Resource(
    model=Warehouse,
    url_base="inventory:warehouse",
    route="warehouses",
    columns=[
        Column("code", _("code"), sort="code", link=True),
        Column("name", _("name"), sort="name", link=True),
        Column("address", _("address")),
        Column("active", _("active"), sort="active"),
    ],
    search_fields=("code", "name", "address"),
    filters=[Filter("active", _("active"), "active", yes_no)],
    form_class=WarehouseForm,
    icon="building",
)


@home_card(order=30)
def warehouses_card(request):
    if not request.membership.has_perm("inventory.view_warehouse"):
        return None
    return {
        "title": _("Warehouses"),
        "value": Warehouse.objects.filter(company=request.company, active=True).count(),
        "icon": "building",
        "url": reverse("inventory:warehouse-list"),
        "hint": "",
    }
