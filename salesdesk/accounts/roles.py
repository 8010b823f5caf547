"""The roles of a company and what each may do.

A role is a Django group; its permissions are the standard model permissions
(`app.view_model`, `app.add_model`, ...) plus custom ones. The table below is the single
source, synced into the groups after every migration.
"""

from django.utils.translation import gettext_lazy as _

SALESPERSON = "salesperson"
SALES_MANAGER = "sales_manager"
WAREHOUSE_CLERK = "warehouse_clerk"
ACCOUNTANT = "accountant"
ADMINISTRATOR = "administrator"

LABELS = {
    SALESPERSON: _("Salesperson"),
    SALES_MANAGER: _("Sales manager"),
    WAREHOUSE_CLERK: _("Warehouse clerk"),
    ACCOUNTANT: _("Accountant"),
    ADMINISTRATOR: _("Administrator"),
}
ALL = tuple(LABELS)

# Roles that see every record of the company; the others are limited to their own records
# (salesperson) or their team's (sales manager).
COMPANY_WIDE = {ADMINISTRATOR, ACCOUNTANT, WAREHOUSE_CLERK}

SALESDESK_APPS = ("accounts", "catalog", "customers", "inventory", "sales", "fulfilment", "ledger", "billing", "reporting", "core")
# The ledger is company-wide money: sellers and the warehouse do not read it.
_OPERATIONS_APPS = tuple(app for app in SALESDESK_APPS if app != "ledger")
# The warehouse does not read invoices and payments either, nor the priced sales documents:
# it works from deliveries, returns and stock, which show quantities, never prices or margins.
_WAREHOUSE_APPS = tuple(app for app in _OPERATIONS_APPS if app not in ("billing", "sales", "reporting"))
# Custom permissions: `post_invoice` (post invoices and credit notes), `release_salesorder`
# (release an order held for credit), `approve_returnrequest` (decide on a return),
# `margins_delivery` (see what goods cost and the margin on them).
_BILLING_WRITES = ("add", "change", "delete", "post")
_MASTER = ("view",)
# Quotations and orders a seller files and works on (contracts and approvals are the manager's).
_SALES_DOCUMENTS = ("quotation", "quotationline", "salesorder", "salesorderline")

# role -> list of (app_label, model or "*", actions)
GRANTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    ADMINISTRATOR: [
        (app, "*", ("view", "add", "change", "delete", "post", "release", "approve", "margins", "demand")) for app in SALESDESK_APPS
    ],
    SALES_MANAGER: [
        *[(app, "*", _MASTER) for app in SALESDESK_APPS],
        ("customers", "customer", ("add", "change", "delete")),
        ("customers", "customercontact", ("add", "change", "delete")),
        ("customers", "customergroup", ("add", "change", "delete")),
        ("catalog", "pricelist", ("add", "change", "delete")),
        ("catalog", "pricelistitem", ("add", "change", "delete")),
        *[("sales", model, ("add", "change")) for model in _SALES_DOCUMENTS],
        ("sales", "salesorder", ("delete",)),  # draft orders only (the service refuses others)
        ("sales", "priceapproval", ("change",)),
        ("sales", "contract", ("add", "change")),
        ("sales", "contractitem", ("add", "change")),
        ("sales", "salesorder", ("release",)),
        ("fulfilment", "returnrequest", ("add", "change", "approve")),
        ("fulfilment", "delivery", ("margins",)),
        ("reporting", "salesfact", ("demand",)),
    ],
    SALESPERSON: [
        *[(app, "*", _MASTER) for app in _OPERATIONS_APPS],
        ("customers", "customer", ("add", "change")),
        ("customers", "customercontact", ("add", "change", "delete")),
        *[("sales", model, ("add", "change")) for model in _SALES_DOCUMENTS],
        ("sales", "salesorder", ("delete",)),  # draft orders only (the service refuses others)
        ("fulfilment", "returnrequest", ("add", "change")),
        ("fulfilment", "delivery", ("margins",)),
        ("reporting", "salesfact", ("demand",)),
    ],
    WAREHOUSE_CLERK: [
        *[(app, "*", _MASTER) for app in _WAREHOUSE_APPS],
        ("inventory", "warehouse", ("add", "change")),
        ("inventory", "stockadjustment", ("add",)),
        # Picks, ships, records deliveries and refusals, and receives returns.
        ("fulfilment", "delivery", ("add", "change")),
        ("fulfilment", "returnrequest", ("change",)),
        # The demand board: quantities ordered and not yet shipped, against stock (no prices).
        ("reporting", "salesfact", ("demand",)),
    ],
    ACCOUNTANT: [
        *[(app, "*", _MASTER) for app in SALESDESK_APPS],
        ("customers", "customer", ("change",)),
        ("customers", "paymentterm", ("add", "change", "delete")),
        ("catalog", "tax", ("add", "change", "delete")),
        ("catalog", "currency", ("add", "change")),
        ("catalog", "currencyrate", ("add", "change", "delete")),
        ("billing", "*", _BILLING_WRITES),
        ("sales", "salesorder", ("release",)),
        ("fulfilment", "delivery", ("margins",)),
        ("reporting", "salesfact", ("demand",)),
    ],
}

# The company-wide audit log shows changes to every customer; roles limited to their own
# records (a salesperson) or their team's (a sales manager) see the history on the pages of the
# records they can open, not the whole log.
HIDDEN_FROM = {
    SALESPERSON: {("core", "auditentry")},
    SALES_MANAGER: {("core", "auditentry")},
    # Price lists are prices: the warehouse does not read them.
    WAREHOUSE_CLERK: {("core", "auditentry"), ("catalog", "pricelist"), ("catalog", "pricelistitem")},
}

# Models nobody changes through the role table (append-only or internal). Custom permissions on
# them (seeing the demand board built from the sales facts) are still granted.
WRITES = ("add", "change", "delete")
READ_ONLY_MODELS = {("core", "auditentry"), ("core", "documentevent"), ("core", "numbercounter"), ("core", "idempotencyrecord")}
# Ledger postings are append-only: written by the posting services, never through the role table.
READ_ONLY_MODELS |= {("ledger", "journalentry"), ("ledger", "journalline"), ("ledger", "accountbalance")}
# Sales facts and rollups are reporting's read models, written only by its refresh.
READ_ONLY_MODELS |= {("reporting", "salesfact"), ("reporting", "salesrollup"), ("reporting", "yeartotal"), ("reporting", "factcursor")}
# Stock is changed only by moves, which the goods services write; lines come with their documents.
READ_ONLY_MODELS |= {
    ("inventory", "stockmove"),
    ("inventory", "stocklevel"),
    ("inventory", "reservation"),
    ("inventory", "stockadjustmentline"),
    ("fulfilment", "deliveryline"),
    ("fulfilment", "returnline"),
}
# Billing records written only by their services, as side effects of posting and settling.
READ_ONLY_MODELS |= {
    ("billing", "invoiceinstalment"),
    ("billing", "paymentallocation"),
    ("billing", "depositapplication"),
    ("billing", "dunningletterline"),
}


def permissions_for(role: str, available: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """(app_label, codename) pairs a role holds, out of `available` (app_label, model, codename)."""
    granted: set[tuple[str, str]] = set()
    for app_label, model, actions in GRANTS.get(role, []):
        for a_app, a_model, codename in available:
            if a_app != app_label or (model != "*" and a_model != model):
                continue
            action = codename.split("_", 1)[0]
            if action not in actions:
                continue
            if action in WRITES and (a_app, a_model) in READ_ONLY_MODELS:
                continue
            if (a_app, a_model) in HIDDEN_FROM.get(role, set()):
                continue
            granted.add((a_app, codename))
    return granted


def sync_role_groups(sender=None, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type").filter(content_type__app_label__in=SALESDESK_APPS))
    available = [(p.content_type.app_label, p.content_type.model, p.codename) for p in perms]
    by_key = {(p.content_type.app_label, p.codename): p for p in perms}
    for role in ALL:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [by_key[k] for k in sorted(permissions_for(role, available))]
        group.permissions.set(wanted)
