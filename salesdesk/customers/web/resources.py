"""Pages of customer files: customers, customer groups, payment terms."""

from django.utils.translation import gettext_lazy as _

from salesdesk.accounts.selectors import region_tree, salespeople, visible_salesperson_ids
from salesdesk.core import workflow
from salesdesk.core.web.resource import Column, Filter, Resource
from salesdesk.customers import selectors
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer, CustomerGroup, PaymentTerm
from salesdesk.customers.web.forms import CustomerForm, GroupForm, InstalmentFormSet, PaymentTermForm

STATUS_COLOURS = {"prospect": "info", "active": "success", "blocked": "danger"}


def _groups(request):
    return [(g.pk, g.name) for g in CustomerGroup.objects.filter(company=request.company)]


def _regions(request):
    return [(r.pk, f"{'— ' * depth}{r.name}") for depth, r in region_tree(request.company)]


def _salespeople(request):
    people = salespeople(request.company).order_by("username")
    allowed = visible_salesperson_ids(request.membership)
    if allowed is not None:
        people = people.filter(pk__in=allowed)
    return [(u.pk, str(u)) for u in people]


class CustomerResource(Resource):
    def queryset(self, request):
        return selectors.customer_list(request.company, request.membership)

    def create(self, request, values, lines=None):
        return customer_services.customer_create(company=request.company, actor=request.user, membership=request.membership, values=values)

    def update(self, request, obj, values, lines=None):
        return customer_services.customer_update(customer=obj, actor=request.user, membership=request.membership, values=values)

    def delete(self, request, obj):
        customer_services.customer_delete(customer=obj, actor=request.user)

    def detail_context(self, request, obj):
        m = request.membership
        targets = workflow.allowed_targets(obj) if m.has_perm("customers.change_customer") else set()
        return {
            "credit": selectors.customer_credit(obj),
            "contacts": obj.contacts.all(),
            "can_activate": Customer.Status.ACTIVE in targets,
            "can_block": Customer.Status.BLOCKED in targets,
            "can_contact": {
                "add": m.has_perm("customers.add_customercontact"),
                "change": m.has_perm("customers.change_customercontact"),
                "delete": m.has_perm("customers.delete_customercontact"),
            },
            "events": workflow.events_for(obj),
            # Billing sits above customers: its panel on this page is fetched by URL (htmx), never imported.
            "show_billing": m.has_perm("billing.view_invoice"),
        }


customers = CustomerResource(
    model=Customer,
    url_base="customers:customer",
    route="",
    columns=[
        Column("code", _("code"), sort="code", link=True),
        Column("name", _("name"), sort="name", link=True),
        Column("group", _("group"), sort="group__name"),
        Column("region", _("region"), sort="region__name"),
        Column("salesperson", _("salesperson"), sort="salesperson__username"),
        Column("credit_limit", _("credit limit"), sort="credit_limit", numeric=True),
        Column("status", _("status"), sort="status", badge=STATUS_COLOURS),
        Column("tax_id", _("tax id"), export=True),
        Column("email", _("email")),
        Column("phone", _("phone")),
    ],
    search_fields=("code", "name", "legal_name", "tax_id", "email", "phone"),
    filters=[
        Filter("status", _("status"), "status", lambda r: list(Customer.Status.choices)),
        Filter("group", _("group"), "group_id", _groups),
        Filter("region", _("region"), "region_id", _regions),
        Filter("salesperson", _("salesperson"), "salesperson_id", _salespeople),
    ],
    form_class=CustomerForm,
    detail_template="customers/customer_detail.html",
    icon="person-vcard",
)


groups = Resource(
    model=CustomerGroup,
    url_base="customers:group",
    route="groups",
    columns=[Column("name", _("name"), sort="name", link=True), Column("price_list", _("price list"), sort="price_list__name")],
    search_fields=("name",),
    form_class=GroupForm,
    icon="collection",
)


class PaymentTermResource(Resource):
    def queryset(self, request):
        return super().queryset(request).prefetch_related("lines")

    def create(self, request, values, lines=None):
        return customer_services.payment_term_save(company=request.company, actor=request.user, name=values["name"], lines=lines or [])

    def update(self, request, obj, values, lines=None):
        return customer_services.payment_term_save(
            company=request.company, actor=request.user, name=values["name"], lines=lines or [], term=obj
        )

    def formset_initial(self, obj):
        return [{"percent": line.percent, "days": line.days} for line in obj.lines.all()]

    def detail_rows(self, obj):
        return [(_("name"), obj.name), (_("instalments"), _instalments(obj))]


def _instalments(term) -> str:
    return "; ".join(f"{line.percent.normalize()} % — {line.days} d" for line in term.lines.all())


payment_terms = PaymentTermResource(
    model=PaymentTerm,
    url_base="customers:paymentterm",
    route="payment-terms",
    columns=[Column("name", _("name"), sort="name", link=True), Column("lines", _("instalments"), accessor=_instalments)],
    search_fields=("name",),
    form_class=PaymentTermForm,
    formset_class=InstalmentFormSet,
    formset_label=_("Instalments (must add up to 100 %)"),
    icon="calendar3",
)
