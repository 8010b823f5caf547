"""Credit notes settle exactly: the tax is taken back at the rate the invoice charged, the
company-currency parts of a credit and what it settles leave no cent and no rate difference on
the receivable, and an invoice settled by credit counts as paid on its order."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from salesdesk.billing import services
from salesdesk.billing.models import Invoice, OpenItem
from salesdesk.catalog.models import Currency, CurrencyRate, Product
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger.models import AccountBalance
from salesdesk.sales import services as sales_services
from salesdesk.sales.models import SalesOrder

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def balance(company, role) -> D:
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D("0.00")


def receivable(customer) -> D:
    return CustomerAccount.objects.get(customer=customer).receivable


def open_items(customer) -> D:
    return sum((item.amount for item in OpenItem.objects.filter(customer=customer)), D("0"))


@pytest.fixture
def usd(company):
    currency = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    CurrencyRate.objects.create(company=company, currency=currency, date=today() - timedelta(days=10), rate=D("1.10"))
    return currency


def test_a_credit_note_takes_tax_back_at_the_rate_the_invoice_charged(company, acc, buyer, manual, vat21):
    invoice = manual(buyer, "100.00", tax=vat21)
    assert invoice.total_amount == D("121.00")
    vat21.rate = D("10")  # the tax's rate changes after the invoice was posted
    vat21.save()
    note = services.invoice_credit(invoice=invoice, actor=acc)
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("100.00"), D("21.00"), D("121.00"))
    assert note.lines.get().tax_rate == D("21")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.amount_due == D("0.00")
    assert balance(company, "tax_payable") == D("0.00")
    assert receivable(buyer) == D("0.00")


def test_a_credit_note_drafted_before_a_rate_change_posts_at_the_invoices_rate(company, acc, buyer, manual, vat21):
    invoice = manual(buyer, "100.00", tax=vat21)
    draft = services.invoice_credit(invoice=invoice, actor=acc, post=False)
    assert draft.total_amount == D("121.00")
    vat21.rate = D("10")
    vat21.save()
    note = services.invoice_post(invoice=draft, actor=acc)
    assert note.total_amount == D("121.00") and note.tax_amount == D("21.00")


def test_a_dispute_credit_takes_tax_back_at_the_invoices_rate(company, acc, buyer, manual, vat21):
    invoice = manual(buyer, "100.00", tax=vat21)
    vat21.rate = D("10")
    vat21.save()
    dispute = services.dispute_open(invoice=invoice, actor=acc, amount=D("60.50"), reason="quality")
    services.dispute_resolve(dispute=dispute, actor=acc, outcome="credit_note")
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE, original_invoice=invoice)
    assert (note.untaxed_amount, note.tax_amount, note.total_amount) == (D("50.00"), D("10.50"), D("60.50"))


def test_two_partial_credit_notes_in_another_currency_leave_no_cent_on_the_receivable(company, acc, buyer, usd, manual):
    invoice = manual(buyer, "1.05", quantity="2", currency=usd)  # 2.10 USD at 1.10: 1.91 EUR
    assert receivable(buyer) == D("1.91")
    line = invoice.lines.get()
    for _ in range(2):  # 1.05 USD each: 0.95 EUR each by itself
        services.invoice_credit(invoice=invoice, actor=acc, lines=[{"invoice_line": line.pk, "quantity": D("1")}])
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert receivable(buyer) == open_items(buyer) == D("0.00")
    assert balance(company, "receivable") == D("0.00")
    assert balance(company, "exchange_difference") == D("0.01")  # the cent of rounding, as for a payment in two parts


def test_credit_applied_to_an_invoice_at_another_rate_books_the_exchange_difference(company, acc, buyer, usd, manual):
    first = manual(buyer, "110.00", currency=usd, issue_date=today() - timedelta(days=8))  # at 1.10: 100.00 EUR
    services.payment_create(
        company=company,
        actor=acc,
        customer=buyer,
        amount=D("110.00"),
        currency=usd,
        date=today() - timedelta(days=8),
        allocations=[{"invoice": first, "amount": D("110.00")}],
    )
    CurrencyRate.objects.create(company=company, currency=usd, date=today() - timedelta(days=3), rate=D("1.25"))
    second = manual(buyer, "110.00", currency=usd, issue_date=today() - timedelta(days=2))  # at 1.25: 88.00 EUR
    note = services.invoice_credit(invoice=first, actor=acc)  # the first is paid: the credit (100.00 EUR) stays open
    assert receivable(buyer) == D("-12.00")
    services.credit_note_apply(credit_note=note, invoice=second, amount=D("110.00"), actor=acc)
    second.refresh_from_db()
    note.refresh_from_db()
    assert second.status == Invoice.Status.PAID and note.status == Invoice.Status.PAID
    assert receivable(buyer) == open_items(buyer) == D("0.00")
    assert balance(company, "receivable") == D("0.00")
    assert balance(company, "exchange_difference") == D("-12.00")  # a gain: the credit was worth more than what it settled


def test_an_order_whose_invoice_is_settled_by_credit_closes(company, acc, users, member, buyer, manual, unit_pc, vat21):
    service = Product.objects.create(
        company=company, sku="S-1", name="Consulting", unit=unit_pc, list_price=D("100.00"), cost=D("0"), tax=vat21, kind="service"
    )
    admin = users["admin"]
    order = sales_services.order_create(
        company=company,
        actor=admin,
        membership=member("admin"),
        customer=buyer,
        lines=[{"product": service, "quantity": D("1"), "unit_price": D("100.00")}],
    )
    order = sales_services.order_confirm(order=order, actor=admin, membership=member("admin"))
    billed = services.invoice_post(invoice=services.invoice_from_order(order=order, actor=acc, membership=member("accountant")), actor=acc)
    earlier = manual(buyer, "121.00")  # paid, then credited: its credit stays open
    services.payment_create(
        company=company, actor=acc, customer=buyer, amount=D("121.00"), allocations=[{"invoice": earlier, "amount": D("121.00")}]
    )
    note = services.invoice_credit(invoice=earlier, actor=acc)
    services.credit_note_apply(credit_note=note, invoice=billed, amount=D("121.00"), actor=acc)
    order = SalesOrder.objects.get(pk=order.pk)
    assert order.paid_amount == D("121.00")
    assert order.payment_state == "paid"
    assert order.status == SalesOrder.Status.CLOSED
