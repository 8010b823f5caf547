"""`manage.py generate_data`: a generated company whose history adds up, as the services would have written it."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from salesdesk.accounts.models import Company, Membership
from salesdesk.billing.models import Invoice, Payment
from salesdesk.catalog.models import Product
from salesdesk.core.models import NumberCounter
from salesdesk.customers.models import Customer, CustomerAccount
from salesdesk.fulfilment.models import Delivery
from salesdesk.inventory import selectors as inventory_selectors
from salesdesk.inventory.models import Reservation, StockLevel
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import JournalEntry
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder, SalesOrderLine
from salesdesk.setup.generate import GenerateError, add_customer_history, generate

pytestmark = pytest.mark.django_db

SCALE = 0.005  # 5 customers, 5 products, 500 order lines


@pytest.fixture
def generated():
    return generate(scale=SCALE, seed=7)


def _consistent(company) -> None:
    """Every maintained figure equals what the generated entries add up to."""
    assert inventory_selectors.level_mismatches(company) == []
    assert ledger_selectors.balances_from_entries(company) == ledger_selectors.maintained_balances(company)
    trial = ledger_selectors.trial_balance(company)
    assert trial.total_debit == trial.total_credit > 0
    from_entries = ledger_selectors.customer_receivables_from_entries(company)
    accounts = {a.customer_id: a for a in CustomerAccount.objects.filter(company=company)}
    for customer_id, account in accounts.items():
        assert account.receivable == from_entries.get(customer_id, Decimal("0.00"))
        open_orders = SalesOrder.objects.filter(company=company, customer_id=customer_id).aggregate(s=Sum("open_amount"))["s"]
        assert account.open_orders == (open_orders or 0)
        oldest = (
            Invoice.objects.filter(company=company, customer_id=customer_id, status="posted", amount_due__gt=0)
            .order_by("next_due_date")
            .values_list("next_due_date", flat=True)
            .first()
        )
        assert account.oldest_overdue_due_date == oldest


def _gapless(company) -> None:
    """Each series and year runs 1..N with the counter at N: the next document continues the series."""
    numbered = defaultdict(list)
    for model in (SalesOrder, Invoice, Delivery, Payment, JournalEntry):
        for number in model.objects.filter(company=company).exclude(number="").values_list("number", flat=True):
            series, year, sequence = number.rsplit("-", 2)
            numbered[(series, int(year))].append(int(sequence))
    counters = {(c.series, c.year): c.last_value for c in NumberCounter.objects.filter(company=company)}
    for key, sequences in numbered.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), key
        assert counters[key] == len(sequences), key


def test_generates_the_scaled_company_with_two_years_of_history(generated):
    company = generated.company
    assert not generated.reused
    assert Customer.objects.filter(company=company).count() == 5
    assert SalesOrderLine.objects.filter(company=company).count() == 500
    assert generated.counts["sales_salesorderline"] == 500
    dates = SalesOrder.objects.filter(company=company).order_by("date").values_list("date", flat=True)
    today = timezone.localdate()
    assert dates[0] == today - timedelta(days=730)
    assert (today - dates.reverse()[0]).days <= 10  # 100 orders over two years: one a week
    # Every fate is there: closed (paid), invoiced but open, shipped, waiting with stock reserved, cancelled.
    statuses = dict(SalesOrder.objects.filter(company=company).values_list("status").annotate(n=Count("id")))
    assert statuses["closed"] > statuses["confirmed"] > 0 and statuses["cancelled"] > 0
    assert Invoice.objects.filter(company=company, status="posted", amount_due__gt=0).exists()
    assert Reservation.objects.filter(company=company).exists()
    assert StockLevel.objects.filter(company=company, reserved__gt=0).exists()
    # A closed order was delivered, billed and paid to the cent.
    closed = SalesOrder.objects.filter(company=company, status="closed").first()
    assert closed.paid_amount == closed.invoiced_amount == closed.total_amount > 0
    assert (closed.delivery_state, closed.invoice_state, closed.payment_state) == ("delivered", "invoiced", "paid")
    _consistent(company)
    _gapless(company)


def test_the_same_seed_gives_the_same_data():
    first = generate(scale=SCALE, seed=3, company_code="GENA")
    second = generate(scale=SCALE, seed=3, company_code="GENB")
    other = generate(scale=SCALE, seed=4, company_code="GENC")

    def fingerprint(company):
        return list(SalesOrder.objects.filter(company=company).order_by("id").values_list("date", "status", "total_amount"))

    assert fingerprint(first.company) == fingerprint(second.company)
    assert fingerprint(first.company) != fingerprint(other.company)


def test_a_second_run_reuses_the_company_and_another_scale_is_refused(generated):
    orders = SalesOrder.objects.count()
    again = generate(scale=SCALE, seed=7)
    assert again.reused and again.company == generated.company
    assert SalesOrder.objects.count() == orders
    with pytest.raises(GenerateError):
        generate(scale=0.01, seed=7)
    assert SalesOrder.objects.count() == orders


def test_customer_history_adds_settled_orders_and_keeps_every_figure_exact(generated):
    company = generated.company
    customer = Customer.objects.filter(company=company).order_by("id").first()
    before = SalesOrderLine.objects.filter(company=company, order__customer=customer).count()
    receivable = CustomerAccount.objects.get(customer=customer).receivable

    add_customer_history(company=company, customer=customer, lines=300)

    assert SalesOrderLine.objects.filter(company=company, order__customer=customer).count() == before + 300
    # Settled history: it changes nothing the customer owes.
    assert CustomerAccount.objects.get(customer=customer).receivable == receivable
    _consistent(company)
    _gapless(company)


def test_services_carry_on_from_the_generated_numbers(generated):
    company = generated.company
    admin = Membership.objects.get(company=company, user__username="bench-admin")
    customer = Customer.objects.filter(company=company).order_by("id").first()
    product = Product.objects.filter(company=company).order_by("id").first()
    today = timezone.localdate()
    counter = NumberCounter.objects.get(company=company, series="SO", year=today.year).last_value
    order = sales_services.order_create(
        company=company, actor=admin.user, membership=admin, customer=customer, lines=[{"product": product, "quantity": "1"}]
    )
    order = sales_services.order_confirm(order=order, actor=admin.user, membership=admin)
    assert order.status == "confirmed"
    assert order.number == f"SO-{today.year}-{counter + 1:05d}"
    _consistent(company)


def test_command_generates_and_refuses_bad_input(settings):
    out = StringIO()
    call_command("generate_data", "--scale", "0.002", "--company", "CMD", stdout=out)
    assert "Generated in" in out.getvalue()
    assert Company.objects.filter(code="CMD").exists()
    with pytest.raises(CommandError, match="scale"):
        call_command("generate_data", "--scale", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="not the generated company"):
        call_command("generate_data", "--scale", "0.5", "--company", "CMD", stdout=StringIO())
    settings.SALESDESK_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("generate_data", "--scale", "0.002", "--company", "PROD", stdout=StringIO())
    assert not Company.objects.filter(code="PROD").exists()
