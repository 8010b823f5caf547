"""`manage.py load_demo` fills an empty database with the demo company, once."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts.models import Company, Membership, Region, SalesTeam, User
from salesdesk.billing.models import BillingSettings, Deposit, Dispute, DunningLetter, Invoice, Payment
from salesdesk.billing.selectors import ageing_report
from salesdesk.catalog.models import PriceList, Product, ProductCategory, Tax
from salesdesk.core.models import AuditEntry, DocumentEvent
from salesdesk.customers.models import Customer, CustomerAccount, CustomerContact
from salesdesk.fulfilment.models import Delivery, ReturnLine, ReturnRequest
from salesdesk.inventory import selectors as inventory_selectors
from salesdesk.inventory.models import Reservation, StockAdjustment, StockLevel, StockMove, Warehouse
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry
from salesdesk.reporting.models import FactCursor, SalesFact
from salesdesk.sales.models import Contract, PriceApproval, Quotation, SalesOrder
from salesdesk.setup import demo_history

DEMO_ROLES = {
    "admin": roles.ADMINISTRATOR,
    "manager": roles.SALES_MANAGER,
    "sales": roles.SALESPERSON,
    "sales2": roles.SALESPERSON,
    "sales3": roles.SALESPERSON,
    "warehouse": roles.WAREHOUSE_CLERK,
    "accountant": roles.ACCOUNTANT,
}

# Confirmed orders, and those that closed themselves once delivered, invoiced and paid.
LIVE = ("confirmed", "closed")


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
    assert "Invoices: " in output and "Payments: " in output and "dunning letters" in output
    assert "Stock: " in output and "Deliveries: " in output and "Returns: " in output and "disputes: " in output
    demo = Company.objects.get(code="DEMO")
    _check_users_roles_and_teams(demo)
    _check_sign_in()
    _check_master_data(demo)
    _check_customers(demo)
    _check_quotations(demo)
    _check_history(demo)
    _check_orders(demo)
    _check_price_approvals(demo)
    _check_contracts(demo)
    _check_billing(demo)
    _check_receivables(demo)
    _check_stock(demo)
    _check_deliveries(demo)
    _check_returns_and_disputes(demo)
    _check_ledger(demo)
    _check_second_load_changes_nothing()


def _check_users_roles_and_teams(demo):
    assert demo.base_currency == "EUR" and demo.country == "ES"
    # The legal details invoices print and e-invoices carry.
    assert demo.legal_name == "Demo Trading S.L." and demo.tax_id == "ESB28123453"
    assert (demo.street, demo.postal_code, demo.city) == ("Calle de Alcalá 120, 3º", "28009", "Madrid")
    assert demo.email and demo.phone and demo.iban == "ES9121000418450200051332"
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
    # Every file has a tax id and the country of its billing address (e-invoices need both).
    assert not customers.filter(tax_id="").exists()
    assert set(customers.values_list("country", flat=True)) == {"ES", "GB", "US", "MX", "CO", "CN", "MA"}
    assert customers.filter(country="ES").count() == customers.count() - 12
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


def _check_history(demo):
    """Two years of settled orders before the recent stories: delivered, invoiced, paid and closed."""
    today = timezone.localdate()
    history = SalesOrder.objects.filter(company=demo, date__lt=today - timedelta(days=demo_history.RECENT_DAYS))
    assert 200 <= history.count() <= 400
    assert set(history.values_list("status", "delivery_state", "invoice_state", "payment_state").distinct()) == {
        ("closed", "delivered", "invoiced", "paid")
    }
    months = {(d.year, d.month) for d in history.values_list("date", flat=True)}
    assert len(months) >= 17 and min(months) <= ((today - timedelta(days=700)).year, (today - timedelta(days=700)).month)
    invoices = Invoice.objects.filter(company=demo, sales_order__in=history)
    assert invoices.count() == history.count() and set(invoices.values_list("status", flat=True)) == {"paid"}
    # The dashboards read them at once: the sales facts were written with the demo.
    assert FactCursor.objects.get(company=demo).last_event_id == DocumentEvent.objects.filter(company=demo).latest("pk").pk
    cutoff = today - timedelta(days=demo_history.RECENT_DAYS)
    ordered = SalesFact.objects.filter(company=demo, measure="ordered", date__lt=cutoff).aggregate(total=Sum("revenue"))["total"]
    assert ordered == history.aggregate(total=Sum("untaxed_amount"))["total"] > 0  # in euros, as the history is


def _check_orders(demo):
    # The recent stories (the history is checked on its own).
    orders = SalesOrder.objects.filter(company=demo, date__gte=timezone.localdate() - timedelta(days=demo_history.RECENT_DAYS))
    assert 50 <= orders.count() <= 70
    # Orders delivered, invoiced and paid have closed themselves; credit_hold orders wait in the release queue.
    assert set(orders.values_list("status", flat=True)) == {"draft", "pending_approval", "credit_hold", "confirmed", "closed", "cancelled"}
    assert orders.filter(status__in=LIVE).count() > orders.count() / 2
    line_counts = set(orders.annotate(n=Count("lines")).values_list("n", flat=True))
    assert min(line_counts) >= 1 and max(line_counts) <= 6
    assert orders.filter(status__in=LIVE, quotation__isnull=False).exists()
    amended = orders.filter(status__in=LIVE, revision__gte=1)
    assert amended.exists()
    assert all(order.revisions.filter(revision=order.revision).exists() for order in amended)
    # Confirmed numbers (cancelled orders keep theirs) are gapless per year: SO-YYYY-00001, 00002, ...
    assert not orders.filter(status__in=LIVE, number="").exists()
    assert not orders.filter(status__in=["draft", "pending_approval", "credit_hold"]).exclude(number="").exists()
    by_year = defaultdict(list)
    numbered = SalesOrder.objects.filter(company=demo).exclude(sequence__isnull=True)  # the history's too
    for year, sequence, number in numbered.values_list("year", "sequence", "number"):
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
        assert approval.order.status in LIVE
        assert approval.decided_by.username in {"manager", "admin"}
    # Pending requests wait on the North manager's page and on the administrator's (team South has no manager).
    assert {"sales", "sales2"} & set(approvals.filter(status="pending").values_list("order__salesperson__username", flat=True))
    assert not approvals.filter(status="rejected", reason="").exists()


def _check_contracts(demo):
    contracts = Contract.objects.filter(company=demo)
    assert {"active", "draft"} <= set(contracts.values_list("status", flat=True))
    active = contracts.filter(status="active", items__consumed_quantity__gt=0).distinct()
    assert active.exists()
    assert SalesOrder.objects.filter(contract__in=active, status__in=LIVE, lines__contract_item__isnull=False).exists()
    today = timezone.localdate()
    assert contracts.filter(status="active", valid_to__gte=today, valid_to__lte=today + timedelta(days=30)).exists()


def _check_billing(demo):
    settings = BillingSettings.objects.get(company=demo)
    assert settings.invoice_policy == "on_order" and settings.apply_deposits_automatically
    assert settings.dunning_thresholds() == [(1, 7), (2, 30), (3, 60)]
    invoices = Invoice.objects.filter(company=demo)
    assert set(invoices.values_list("status", flat=True)) == {"draft", "posted", "paid", "cancelled"}
    today = timezone.localdate()
    posted = invoices.filter(kind="invoice", status__in=["posted", "paid"])
    # Six months of history; numbers follow the issue dates.
    assert posted.filter(issue_date__lt=today - timedelta(days=150)).exists()
    assert not invoices.filter(issue_date__gt=today).exists()
    numbers = list(posted.order_by("year", "sequence").values_list("issue_date", flat=True))
    assert numbers == sorted(numbers)
    drafts = invoices.filter(status="draft")
    assert drafts.filter(sales_order__isnull=False).count() >= 2 and drafts.filter(sales_order__isnull=True).exists()
    assert {invoice.payment_state for invoice in posted} == {"unpaid", "partial", "paid"}
    # Instalments: a two-instalment invoice with its first part paid and the second still open.
    assert posted.filter(status="posted", amount_paid__gt=0, instalments__sequence=1).exists()
    notes = invoices.filter(kind="credit_note")
    assert notes.count() >= 2 and not notes.filter(status="draft").exists()
    assert posted.filter(status="paid", amount_credited=F("total_amount")).exists()  # fully credited
    assert posted.filter(status="posted", amount_credited__gt=0).exists()  # partly credited, the rest still due
    written_off = posted.filter(amount_written_off__gt=0)
    assert written_off.filter(status="paid", amount_paid__gt=0).exists()  # partly paid, the rest written off

    payments = Payment.objects.filter(company=demo)
    assert set(payments.values_list("status", flat=True)) == {"posted", "reversed"}
    assert payments.filter(status="posted", unallocated_amount__gt=0).exists()  # credit left with the customer
    assert payments.filter(date__lt=today - timedelta(days=90)).exists()
    assert payments.filter(allocations__invoice__sales_order__isnull=False).exists()
    reversed_payment = payments.get(status="reversed")
    assert reversed_payment.reversal_entry_id and reversed_payment.reversal_reason
    assert Invoice.objects.filter(pk__in=reversed_payment.allocations.values("invoice"), status="posted").exists()  # reopened

    deposits = Deposit.objects.filter(company=demo)
    assert set(deposits.values_list("status", flat=True)) == {"held", "applied", "refunded"}
    held = deposits.get(status="held")
    assert held.sales_order.status == "confirmed" and not held.sales_order.invoices.exclude(status="draft").exists()
    applied = deposits.get(status="applied")
    assert applied.applications.filter(invoice__sales_order=applied.sales_order).exists()  # applied as its invoice posted
    assert CustomerAccount.objects.get(customer=held.customer).unapplied_deposits == held.amount


def _check_receivables(demo):
    today = timezone.localdate()
    accountant = Membership.objects.get(company=demo, user__username="accountant")
    report = ageing_report(demo, accountant, today)
    for bucket in ("current", "1_30", "31_60", "61_90", "over_90"):
        assert report["totals"][bucket] > 0, bucket
    # At least three customers more than 30 days overdue.
    late = Invoice.objects.filter(company=demo, status="posted", kind="invoice", next_due_date__lt=today - timedelta(days=30))
    assert late.values("customer").distinct().count() >= 3
    # In the release queue: one order held over the credit limit, one for an invoice overdue past the customer's block.
    held = SalesOrder.objects.filter(company=demo, status="credit_hold").select_related("customer")
    reasons = set(DocumentEvent.objects.filter(company=demo, to_status="credit_hold").values_list("note", flat=True))
    assert reasons == {"credit_limit_exceeded", "customer_blocked"}
    assert held.count() == 2 and not held.filter(credit_released_by__isnull=False).exists()
    for order in held:
        account = CustomerAccount.objects.get(customer=order.customer)
        overdue = account.oldest_overdue_due_date and (today - account.oldest_overdue_due_date).days
        blocked = order.customer.overdue_block_days is not None and overdue and overdue > order.customer.overdue_block_days
        exposure = account.receivable + account.open_orders - account.unapplied_deposits
        near_limit = order.customer.credit_limit and exposure <= order.customer.credit_limit < exposure + order.total_amount
        assert blocked or (near_limit and exposure >= order.customer.credit_limit * Decimal("0.8")), order.customer.code
    letters = DunningLetter.objects.filter(company=demo)
    assert set(letters.values_list("level", flat=True)) == {1, 2, 3}
    assert not letters.filter(sent_to="").exists() and not letters.filter(lines__isnull=True).exists()
    assert mail.outbox == []  # the letters went to an in-memory mail box that was emptied again


def _check_stock(demo):
    assert inventory_selectors.level_mismatches(demo) == []
    levels = StockLevel.objects.filter(company=demo)
    assert levels.filter(on_hand__gt=0).count() > 100
    # The inventory account holds exactly what the stock is worth.
    inventory = AccountBalance.objects.get(company=demo, account__role=Account.Role.INVENTORY)
    assert inventory.debit - inventory.credit == sum(levels.values_list("value", flat=True), Decimal("0.00")) > 0
    documents = StockAdjustment.objects.filter(company=demo)
    assert set(documents.values_list("kind", flat=True)) == {"receipt", "adjustment"}
    assert not documents.filter(journal_entry__isnull=True).exists()
    assert (
        documents.filter(kind="adjustment", lines__quantity__lt=0).exists()
        and documents.filter(kind="adjustment", lines__quantity__gt=0).exists()
    )
    # Moving average: some products came in at two different unit costs.
    receipts = StockMove.objects.filter(company=demo, kind="receipt")
    assert receipts.values("product").annotate(costs=Count("unit_cost", distinct=True)).filter(costs__gt=1).exists()
    # Confirmed orders hold stock; some lines wait for more than came in (backorders).
    claims = Reservation.objects.filter(company=demo)
    assert claims.filter(reserved__gt=0).exists()
    assert claims.filter(reserved__lt=F("wanted")).count() >= 2


def _check_deliveries(demo):
    deliveries = Delivery.objects.filter(company=demo)
    assert set(deliveries.values_list("status", flat=True)) == set(Delivery.Status.values)
    shipped = deliveries.filter(status__in=["shipped", "delivered"])
    assert not shipped.filter(journal_entry__isnull=True).exists() and not shipped.filter(cost_amount=0).exists()
    assert not deliveries.filter(status__in=["draft", "picked", "cancelled"], lines__move__isnull=False).exists()
    # Partial deliveries: orders still owed goods after a shipment, and orders shipped in two.
    assert SalesOrder.objects.filter(company=demo, delivery_state="partial", deliveries__status__in=["shipped", "delivered"]).exists()
    two = SalesOrder.objects.filter(company=demo, deliveries__status__in=["shipped", "delivered"]).annotate(n=Count("deliveries"))
    assert two.filter(n__gte=2).exists()
    closed = SalesOrder.objects.filter(company=demo, status="closed")
    assert closed.exists()
    assert set(closed.values_list("delivery_state", "invoice_state", "payment_state")) == {("delivered", "invoiced", "paid")}
    # The refused delivery: its goods are owed again and what was invoiced for them is credited.
    refused = deliveries.get(status="refused")
    assert refused.refusal_reason and Invoice.objects.filter(kind="credit_note", delivery=refused, status__in=["posted", "paid"]).exists()
    assert claims_for(refused.sales_order).exists()
    # Invoicing on delivery: invoices of a delivery, for customers billed that way.
    per_delivery = Invoice.objects.filter(company=demo, kind="invoice", delivery__isnull=False, status__in=["posted", "paid"])
    # The recent stories (the generated history bills each order with its one delivery).
    per_delivery = per_delivery.filter(issue_date__gte=timezone.localdate() - timedelta(days=demo_history.RECENT_DAYS))
    assert per_delivery.count() >= 3
    assert set(per_delivery.values_list("customer__invoice_policy", flat=True)) == {"on_delivery"}


def claims_for(order):
    return Reservation.objects.filter(company=order.company, order_line_id__in=order.lines.values("pk"))


def _check_returns_and_disputes(demo):
    returns = ReturnRequest.objects.filter(company=demo)
    assert set(returns.values_list("status", flat=True)) == set(ReturnRequest.Status.values)
    outcomes = set(ReturnLine.objects.filter(company=demo).exclude(outcome="").values_list("outcome", flat=True))
    assert {"restock", "scrap", "replace"} <= outcomes
    assert not returns.filter(status__in=["approved", "rejected", "received", "credited"], decided_by__isnull=True).exists()
    credited = returns.get(status="credited")
    assert credited.credit_notes.filter(status__in=["posted", "paid"]).exists()
    replaced = returns.get(lines__outcome="replace")
    assert replaced.replacements.exists()
    disputes = Dispute.objects.filter(company=demo)
    assert set(disputes.values_list("status", "outcome")) == {
        ("open", ""),
        ("resolved", "credit_note"),
        ("resolved", "write_off"),
        ("resolved", "collect"),
    }
    opened = disputes.get(status="open")
    assert opened.invoice.disputed and opened.invoice.disputed_amount == opened.amount
    assert disputes.get(outcome="credit_note").credit_note_id and disputes.get(outcome="write_off").write_off_id


def _check_ledger(demo):
    trial = ledger_selectors.trial_balance(demo)
    assert trial.total_debit == trial.total_credit > 0
    assert ledger_selectors.maintained_balances(demo) == ledger_selectors.balances_from_entries(demo)
    rebuilt = ledger_selectors.customer_receivables_from_entries(demo)
    for account in CustomerAccount.objects.filter(company=demo):
        assert account.receivable == rebuilt.get(account.customer_id, 0), account.customer_id


def _check_second_load_changes_nothing():
    def counts():
        return (
            User.objects.count(),
            Customer.objects.count(),
            Product.objects.count(),
            AuditEntry.objects.count(),
            Quotation.objects.count(),
            SalesOrder.objects.count(),
            Invoice.objects.count(),
            JournalEntry.objects.count(),
            StockMove.objects.count(),
            Delivery.objects.count(),
            ReturnRequest.objects.count(),
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
