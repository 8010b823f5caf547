"""`manage.py load_demo` fills an empty database with the demo company, once."""

from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts.models import Company, Membership, Region, SalesTeam, User
from salesdesk.catalog.models import PriceList, Product, ProductCategory, Tax
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers.models import Customer, CustomerContact
from salesdesk.inventory.models import Warehouse
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder

DEMO_ROLES = {
    "admin": roles.ADMINISTRATOR,
    "manager": roles.SALES_MANAGER,
    "sales": roles.SALESPERSON,
    "sales2": roles.SALESPERSON,
    "sales3": roles.SALESPERSON,
    "warehouse": roles.WAREHOUSE_CLERK,
    "accountant": roles.ACCOUNTANT,
}


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo(settings):
    """One load (it takes seconds), checked part by part, then loaded again."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    output = _load()
    assert "Customers: 200" in output
    assert "Quotations: " in output and "Sales orders: " in output and "Price approvals: " in output
    demo = Company.objects.get(code="DEMO")
    _check_users_roles_and_teams(demo)
    _check_sign_in()
    _check_master_data(demo)
    _check_customers(demo)
    _check_quotations(demo)
    _check_orders(demo)
    _check_price_approvals(demo)
    _check_contracts(demo)
    _check_second_load_changes_nothing()


def _check_users_roles_and_teams(demo):
    assert demo.base_currency == "EUR" and demo.country == "ES"
    memberships = {m.user.username: m for m in Membership.objects.filter(company=demo).select_related("user", "team", "manager")}
    assert set(memberships) == set(DEMO_ROLES)
    for username, role in DEMO_ROLES.items():
        assert memberships[username].role_names == {role}
        assert memberships[username].user.full_name
        assert memberships[username].user.email.endswith("@example.com")
    north, south = SalesTeam.objects.get(company=demo, name="North"), SalesTeam.objects.get(company=demo, name="South")
    assert north.manager.username == "manager"
    assert memberships["manager"].team == north
    for username in ("sales", "sales2"):
        assert memberships[username].team == north
        assert memberships[username].manager.username == "manager"
    assert memberships["sales3"].team == south
    assert Region.objects.filter(company=demo).count() == 3


def _check_sign_in():
    for username in DEMO_ROLES:
        assert authenticate(username=username, password=username) == User.objects.get(username=username)


def _check_master_data(demo):
    products = Product.objects.filter(company=demo)
    assert 140 <= products.count() <= 160
    assert not products.filter(category__isnull=True).exists()
    assert products.filter(category__parent__isnull=False).count() == products.count()  # all in subcategories
    assert ProductCategory.objects.filter(company=demo, parent__isnull=True).count() == 4
    assert products.filter(serial_tracked=True, warranty_months__gt=0).exists()
    assert products.filter(kind=Product.Kind.SERVICE, unit__code="h").exists()
    assert products.filter(active=False).exists()
    assert all(p.cost < p.list_price for p in products)
    assert Tax.objects.filter(company=demo, included_in_price=True).count() == 1
    assert PriceList.objects.filter(company=demo).count() == 2
    assert Warehouse.objects.filter(company=demo).count() == 1


def _check_customers(demo):
    customers = Customer.objects.filter(company=demo)
    assert 180 <= customers.count() <= 220
    owners = set(customers.values_list("salesperson__username", flat=True))
    assert {"sales", "sales2", "sales3"} <= owners
    for username in ("sales", "sales2", "sales3"):
        assert customers.filter(salesperson__username=username).count() >= 30
    # A customer sits in its salesperson's region (South includes the Islands below it).
    assert not customers.filter(salesperson__username="sales", region__name__in=["South", "Islands"]).exists()
    assert not customers.filter(salesperson__username="sales3", region__name="North").exists()
    statuses = set(customers.values_list("status", flat=True))
    assert statuses == {Customer.Status.PROSPECT, Customer.Status.ACTIVE, Customer.Status.BLOCKED}
    assert (
        DocumentEvent.objects.filter(company=demo, to_status=Customer.Status.BLOCKED).count() == customers.filter(status="blocked").count()
    )
    assert not customers.filter(contacts__isnull=True).exists()
    assert CustomerContact.objects.filter(company=demo).count() > customers.count()
    assert AuditEntry.objects.filter(company=demo, actor__username="admin").exists()


def _check_quotations(demo):
    quotations = Quotation.objects.filter(company=demo)
    assert 35 <= quotations.count() <= 45
    assert set(quotations.values_list("status", flat=True)) == set(Quotation.Status.values)
    today = timezone.localdate()
    assert not quotations.filter(date__lt=today - timedelta(days=100)).exists()
    assert not quotations.filter(date__gt=today).exists()
    assert not quotations.filter(status=Quotation.Status.REJECTED, rejection_reason="").exists()
    # Still open ones are still valid; expired ones were sent and are past their date.
    assert not quotations.filter(status__in=["sent", "accepted"], valid_until__lt=today).exists()
    assert not quotations.filter(status=Quotation.Status.EXPIRED, valid_until__gte=today).exists()
    assert quotations.filter(status=Quotation.Status.EXPIRED).exclude(sent_to="").count() == quotations.filter(status="expired").count()
    revisions = quotations.filter(revision=2).select_related("previous")
    assert revisions.count() >= 2
    for revision in revisions:
        assert revision.previous.revision == 1 and revision.previous.number == revision.number
    assert quotations.filter(status=Quotation.Status.ACCEPTED, orders__isnull=False).exists()
    assert mail.outbox == []  # the quotations were "sent" to an in-memory mail box that was emptied again


def _check_orders(demo):
    orders = SalesOrder.objects.filter(company=demo)
    assert 50 <= orders.count() <= 70
    # credit_hold and closed are not reachable yet (credit management, fulfilment and billing come later).
    assert set(orders.values_list("status", flat=True)) == {"draft", "pending_approval", "confirmed", "cancelled"}
    assert orders.filter(status="confirmed").count() > orders.count() / 2
    line_counts = set(orders.annotate(n=Count("lines")).values_list("n", flat=True))
    assert min(line_counts) >= 1 and max(line_counts) <= 6
    assert orders.filter(status="confirmed", quotation__isnull=False).exists()
    amended = orders.filter(status="confirmed", revision__gte=1)
    assert amended.exists()
    assert all(order.revisions.filter(revision=order.revision).exists() for order in amended)
    # Confirmed numbers (cancelled orders keep theirs) are gapless per year: SO-YYYY-00001, 00002, ...
    assert not orders.filter(status="confirmed", number="").exists()
    assert not orders.filter(status__in=["draft", "pending_approval"]).exclude(number="").exists()
    by_year = defaultdict(list)
    for year, sequence, number in orders.exclude(sequence__isnull=True).values_list("year", "sequence", "number"):
        assert number == f"SO-{year}-{sequence:05d}"
        by_year[year].append(sequence)
    assert by_year
    for sequences in by_year.values():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))


def _check_price_approvals(demo):
    approvals = PriceApproval.objects.filter(company=demo)
    assert set(approvals.values_list("status", flat=True)) == set(PriceApproval.Status.values)
    for approval in approvals.filter(status="pending").select_related("order"):
        assert approval.order.status == SalesOrder.Status.PENDING_APPROVAL
        assert approval.lines.filter(net_unit_price__lt=F("floor_price")).exists()
    for approval in approvals.filter(status="approved").select_related("order", "decided_by"):
        assert approval.order.status == SalesOrder.Status.CONFIRMED
        assert approval.decided_by.username in {"manager", "admin"}
    # Pending requests wait on the North manager's page and on the administrator's (team South has no manager).
    assert {"sales", "sales2"} & set(approvals.filter(status="pending").values_list("order__salesperson__username", flat=True))
    assert not approvals.filter(status="rejected", reason="").exists()


def _check_contracts(demo):
    contracts = Contract.objects.filter(company=demo)
    assert {"active", "draft"} <= set(contracts.values_list("status", flat=True))
    active = contracts.filter(status="active", items__consumed_quantity__gt=0).distinct()
    assert active.exists()
    assert SalesOrder.objects.filter(contract__in=active, status="confirmed", lines__contract_item__isnull=False).exists()
    today = timezone.localdate()
    assert contracts.filter(status="active", valid_to__gte=today, valid_to__lte=today + timedelta(days=30)).exists()


def _check_second_load_changes_nothing():
    def counts():
        return (
            User.objects.count(),
            Customer.objects.count(),
            Product.objects.count(),
            AuditEntry.objects.count(),
            Quotation.objects.count(),
            SalesOrder.objects.count(),
        )

    before = counts()
    assert "nothing loaded" in _load()
    assert counts() == before
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_no_demo_next_to_an_existing_company(db):
    from salesdesk.setup.services import company_setup

    company_setup(code="ACME", name="Acme Trading S.L.")
    assert "nothing loaded" in _load()
    assert not Company.objects.filter(code="DEMO").exists()
