"""List and detail pages of invoices, payments, deposits and dunning letters.

Every list reads through the billing selectors' `*_visible` scopes (a salesperson sees their
own customers' documents, a sales manager their team's), and every write goes through the
billing services, from the action views next to this module.
"""

from django.utils.translation import gettext_lazy as _

from salesdesk.billing import selectors
from salesdesk.billing.models import Deposit, DunningLetter, Invoice, Payment, PaymentMethod
from salesdesk.billing.web import details
from salesdesk.billing.web.forms import DepositForm, InvoiceForm, PaymentForm
from salesdesk.core.web.resource import Column, DocumentResource, Filter, yes_no
from salesdesk.customers.web.filters import CustomerFilter

INVOICE_COLOURS = {"draft": "secondary", "posted": "primary", "paid": "success", "cancelled": "dark"}
PAYMENT_COLOURS = {"posted": "success", "reversed": "danger"}
DEPOSIT_COLOURS = {"held": "warning", "applied": "success", "refunded": "secondary"}
PAYMENT_STATES = {"unpaid": _("unpaid"), "partial": _("partly paid"), "paid": _("paid")}


class PaymentStateFilter(Filter):
    """unpaid / partly paid / paid, as `Invoice.payment_state` reads it (billing.selectors)."""

    def apply(self, qs, request, raw):
        condition = selectors.PAYMENT_STATE.get(raw)
        return qs.filter(condition) if condition is not None else qs


class OverdueFilter(Filter):
    """Posted invoices with money due whose earliest unpaid instalment is past its date."""

    def apply(self, qs, request, raw):
        overdue = selectors.overdue()
        if raw == "1":
            return qs.filter(overdue)
        if raw == "0":
            return qs.exclude(overdue)
        return qs


def invoice_number(invoice) -> str:
    return invoice.number or str(_("draft #%(id)s") % {"id": invoice.pk})


def payment_state_label(invoice) -> str:
    """unpaid / partly paid / paid, and "overdue" when the earliest unpaid instalment is late."""
    if invoice.status == Invoice.Status.CANCELLED:
        return ""
    label = str(PAYMENT_STATES[invoice.payment_state])
    return str(_("%(state)s, overdue") % {"state": label}) if details.is_overdue(invoice) else label


def amount_due(invoice):
    """What is due once posted; a draft or a cancelled invoice owes nothing yet."""
    return invoice.amount_due if invoice.status in (Invoice.Status.POSTED, Invoice.Status.PAID) else None


class BillingResource(DocumentResource):
    """Billing documents: scoped reads, numbered (never deleted), their own detail templates and action views."""


class InvoiceResource(BillingResource):
    def queryset(self, request):
        return selectors.invoices_visible(request.company, request.membership)

    def label(self, obj):
        return invoice_number(obj)

    def detail_context(self, request, obj):
        return details.invoice_context(request, obj)


class PaymentResource(BillingResource):
    def queryset(self, request):
        return selectors.payments_visible(request.company, request.membership)

    def detail_context(self, request, obj):
        return details.payment_context(request, obj)


class DepositResource(BillingResource):
    def queryset(self, request):
        return selectors.deposits_visible(request.company, request.membership)

    def detail_context(self, request, obj):
        return details.deposit_context(request, obj)


class DunningLetterResource(BillingResource):
    def queryset(self, request):
        return selectors.dunning_letters_visible(request.company, request.membership)

    # `add` here means "may run dunning": letters are only made by a run, never typed in.

    def detail_context(self, request, obj):
        return details.dunning_context(request, obj)


invoices = InvoiceResource(
    model=Invoice,
    url_base="billing:invoice",
    route="invoices",
    columns=[
        Column("number", _("number"), accessor=invoice_number, sort="number", link=True),
        Column("kind", _("kind"), sort="kind"),
        Column("customer", _("customer"), sort="customer__name"),
        Column("issue_date", _("issue date"), sort="issue_date"),
        Column("due_date", _("due date"), sort="due_date"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("total_amount", _("total"), sort="total_amount", numeric=True),
        Column("amount_due", _("due"), accessor=amount_due, sort="amount_due", numeric=True),
        Column("status", _("status"), sort="status", badge=INVOICE_COLOURS),
        Column("payment_state", _("payment"), accessor=payment_state_label),
        Column("salesperson", _("salesperson"), sort="salesperson__username"),
    ],
    search_fields=("number", "customer__code", "customer__name", "customer_reference", "sales_order__number"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Invoice.Status.choices)),
        Filter("kind", _("kind"), "kind", lambda r: list(Invoice.Kind.choices)),
        PaymentStateFilter("payment", _("payment"), "", lambda r: list(PAYMENT_STATES.items())),
        OverdueFilter("overdue", _("overdue"), "", yes_no),
        CustomerFilter(),
        Filter("issued_from", _("issued from"), "issue_date__gte", kind="date_from"),
        Filter("issued_to", _("issued to"), "issue_date__lte", kind="date_to"),
    ],
    default_sort="-issue_date",
    form_class=InvoiceForm,  # shows the "New invoice" button; the page is `invoices.InvoiceFormView`
    detail_template="billing/invoice_detail.html",
    icon="receipt",
    deletable=False,
    show_history=False,
)

payments = PaymentResource(
    model=Payment,
    url_base="billing:payment",
    route="payments",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("date", _("date"), sort="date"),
        Column("method", _("method"), sort="method"),
        Column("reference", _("reference")),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("amount", _("amount"), sort="amount", numeric=True),
        Column("allocated_amount", _("allocated"), sort="allocated_amount", numeric=True),
        Column("unallocated_amount", _("unallocated"), sort="unallocated_amount", numeric=True),
        Column("status", _("status"), sort="status", badge=PAYMENT_COLOURS),
    ],
    search_fields=("number", "reference", "customer__code", "customer__name"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Payment.Status.choices)),
        Filter("method", _("method"), "method", lambda r: list(PaymentMethod.choices)),
        CustomerFilter(),
        Filter("date_from", _("from"), "date__gte", kind="date_from"),
        Filter("date_to", _("to"), "date__lte", kind="date_to"),
    ],
    default_sort="-date",
    form_class=PaymentForm,  # shows the "New payment" button; the page is `payments.PaymentCreateView`
    detail_template="billing/payment_detail.html",
    icon="cash-coin",
    deletable=False,
    show_history=False,
)

deposits = DepositResource(
    model=Deposit,
    url_base="billing:deposit",
    route="deposits",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("sales_order", _("sales order"), accessor="sales_order.number"),
        Column("date", _("date"), sort="date"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("amount", _("amount"), sort="amount", numeric=True),
        Column("applied_amount", _("applied"), sort="applied_amount", numeric=True),
        Column("refunded_amount", _("refunded"), sort="refunded_amount", numeric=True),
        Column("held_amount", _("held"), sort="held_amount", numeric=True),
        Column("status", _("status"), sort="status", badge=DEPOSIT_COLOURS),
    ],
    search_fields=("number", "reference", "customer__code", "customer__name", "sales_order__number"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Deposit.Status.choices)),
        CustomerFilter(),
    ],
    default_sort="-date",
    form_class=DepositForm,  # shows the "New deposit" button; the page is `deposits.DepositCreateView`
    detail_template="billing/deposit_detail.html",
    icon="piggy-bank",
    deletable=False,
    show_history=False,
)

dunning_letters = DunningLetterResource(
    model=DunningLetter,
    url_base="billing:dunning",
    route="dunning",
    columns=[
        Column("number", _("number"), sort="number", link=True),
        Column("customer", _("customer"), sort="customer__name"),
        Column("level", _("level"), sort="level", numeric=True),
        Column("date", _("date"), sort="date"),
        Column("currency", _("currency"), accessor="currency.code"),
        Column("total_overdue", _("overdue"), sort="total_overdue", numeric=True),
        Column("sent_to", _("sent to")),
        Column("sent_at", _("sent"), sort="sent_at"),
    ],
    search_fields=("number", "customer__code", "customer__name"),
    filters=[
        Filter("level", _("level"), "level", lambda r: [(1, _("reminder")), (2, _("second reminder")), (3, _("final notice"))]),
        CustomerFilter(),
    ],
    default_sort="-date",
    list_template="billing/dunning_list.html",
    detail_template="billing/dunning_detail.html",
    icon="envelope-exclamation",
    deletable=False,
    show_history=False,
    title=_("dunning letter"),
    title_plural=_("dunning letters"),
)
