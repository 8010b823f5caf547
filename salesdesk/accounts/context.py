"""Template context for every page: the navigation the user's roles allow."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.tenancy import memberships_of

# (section, label, url name, permission needed to see it)
NAVIGATION = [
    (_("Reports"), _("Dashboard"), "reporting:dashboard", None),
    (_("Reports"), _("Sales analysis"), "reporting:analysis", "reporting.view_salesfact"),
    (_("Reports"), _("Demand board"), "reporting:demand", "reporting.demand_salesfact"),
    (_("Sales"), _("Customers"), "customers:customer-list", "customers.view_customer"),
    (_("Sales"), _("Customer groups"), "customers:group-list", "customers.view_customergroup"),
    (_("Sales"), _("Quotations"), "sales:quotation-list", "sales.view_quotation"),
    (_("Sales"), _("Sales orders"), "sales:order-list", "sales.view_salesorder"),
    (_("Sales"), _("Price approvals"), "sales:approval-list", "sales.view_priceapproval"),
    (_("Sales"), _("Price overrides"), "sales:price-overrides", "sales.view_priceapproval"),
    (_("Sales"), _("Contracts"), "sales:contract-list", "sales.view_contract"),
    (_("Sales"), _("Credit holds"), "sales:credit-holds", "sales.release_salesorder"),
    (_("Billing"), _("Invoices"), "billing:invoice-list", "billing.view_invoice"),
    (_("Billing"), _("Payments"), "billing:payment-list", "billing.view_payment"),
    (_("Billing"), _("Deposits"), "billing:deposit-list", "billing.view_deposit"),
    (_("Billing"), _("Receivables ageing"), "billing:ageing", "billing.view_invoice"),
    (_("Billing"), _("Dunning"), "billing:dunning-list", "billing.view_dunningletter"),
    (_("Billing"), _("Disputes"), "billing:dispute-list", "billing.view_dispute"),
    (_("Catalog"), _("Products"), "catalog:product-list", "catalog.view_product"),
    (_("Catalog"), _("Categories"), "catalog:category-list", "catalog.view_productcategory"),
    (_("Catalog"), _("Price lists"), "catalog:pricelist-list", "catalog.view_pricelist"),
    (_("Warehouse"), _("To ship"), "fulfilment:to-ship", "fulfilment.view_delivery"),
    (_("Warehouse"), _("Deliveries"), "fulfilment:delivery-list", "fulfilment.view_delivery"),
    (_("Warehouse"), _("Returns"), "fulfilment:return-list", "fulfilment.view_returnrequest"),
    (_("Warehouse"), _("Stock levels"), "inventory:stock-levels", "inventory.view_stocklevel"),
    (_("Warehouse"), _("Stock adjustments"), "fulfilment:adjustment-list", "inventory.view_stockadjustment"),
    (_("Warehouse"), _("Warehouses"), "inventory:warehouse-list", "inventory.view_warehouse"),
    (_("Accounting"), _("Trial balance"), "ledger:trial-balance", "ledger.view_account"),
    (_("Settings"), _("Taxes"), "catalog:tax-list", "catalog.view_tax"),
    (_("Settings"), _("Currencies"), "catalog:currency-list", "catalog.view_currency"),
    (_("Settings"), _("Payment terms"), "customers:paymentterm-list", "customers.view_paymentterm"),
    (_("Settings"), _("Units"), "catalog:unit-list", "catalog.view_unit"),
    (_("Settings"), _("Sales settings"), "sales:settings", "sales.change_salessettings"),
    (_("Settings"), _("Billing settings"), "billing:settings", "billing.change_billingsettings"),
    (_("Organization"), _("Regions"), "accounts:region-list", "accounts.view_region"),
    (_("Organization"), _("Sales teams"), "accounts:team-list", "accounts.view_salesteam"),
    (_("Organization"), _("Users"), "accounts:user-list", "accounts.view_membership"),
    (_("Organization"), _("Audit log"), "accounts:audit-list", "core.view_auditentry"),
]


def navigation(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_sections": [], "user_companies": []}
    sections: dict[str, list[dict]] = {}
    for section, label, url_name, perm in NAVIGATION:
        if perm is None or membership.has_perm(perm):
            try:
                url = reverse(url_name)
            except NoReverseMatch:  # a page not installed in this build is simply not shown
                continue
            sections.setdefault(str(section), []).append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {
        "nav_sections": list(sections.items()),
        "user_companies": list(memberships_of(request.user)) if request.user.is_authenticated else [],
    }
