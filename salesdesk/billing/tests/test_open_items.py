"""Open items: after every posting and settlement, each document's items are what it leaves open.

The ageing tests compare the dashboards' totals with the report in each scenario; these
follow one customer's documents through every kind of change and compare item by item, so
a change that forgot its document would show even where the totals happen to agree."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from salesdesk.billing import selectors, services
from salesdesk.billing.errors import OverAllocation
from salesdesk.billing.models import Invoice, OpenItem, Payment
from salesdesk.billing.services.open_items import parts_of, payment_parts
from salesdesk.catalog.models import Currency, CurrencyRate
from salesdesk.customers.models import PaymentTerm, PaymentTermLine
from salesdesk.customers.services import customer_update

D = Decimal


def ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def from_documents(company) -> list[tuple]:
    """(document, due date, amount) of every open part, computed afresh from the documents."""
    expected = []
    for invoice in Invoice.objects.filter(company=company).prefetch_related("instalments"):
        parts = parts_of(invoice, [(i.due_date, i.amount) for i in invoice.instalments.all()])
        expected += [(f"invoice {invoice.number}", due, amount) for due, amount in parts if amount]
    for payment in Payment.objects.filter(company=company):
        parts = payment_parts(status=payment.status, unallocated_amount=payment.unallocated_amount, rate=payment.rate)
        expected += [(f"payment {payment.number}", due, amount) for due, amount in parts]
    return sorted(expected, key=str)


def kept(company) -> list[tuple]:
    rows = OpenItem.objects.filter(company=company).select_related("invoice", "payment")
    return sorted(((f"invoice {r.invoice.number}" if r.invoice_id else f"payment {r.payment.number}"), r.due_date, r.amount) for r in rows)


@pytest.fixture
def check(company):
    def run():
        assert kept(company) == from_documents(company)
        return kept(company)

    return run


def test_each_change_of_what_is_open_is_kept_in_the_items(company, acc, customer_of, manual, check):
    term = PaymentTerm.objects.create(company=company, name="Half now, half in 30 days")
    PaymentTermLine.objects.create(company=company, term=term, sequence=0, percent=D("50"), days=0)
    PaymentTermLine.objects.create(company=company, term=term, sequence=1, percent=D("50"), days=30)
    customer = customer_of("sales", code="OI1", status="active")

    split = manual(customer, "200.00", issue_date=ago(40), payment_term=term)
    assert check() == [(f"invoice {split.number}", ago(40), D("100.00")), (f"invoice {split.number}", ago(10), D("100.00"))]

    money = services.payment_create(company=company, actor=acc, customer=customer, amount=D("130.00"))
    assert check()[-1] == (f"payment {money.number}", None, D("-130.00"))
    services.payment_allocate(payment=money, actor=acc, allocations=[{"invoice": split, "amount": D("120.00")}])
    # The first instalment is paid, 80.00 of the second is open; 10.00 of the money is in hand.
    assert check() == [(f"invoice {split.number}", ago(10), D("80.00")), (f"payment {money.number}", None, D("-10.00"))]

    services.invoice_write_off(invoice=split, actor=acc, reason="small balance", amount=D("5.00"))
    assert check()[0] == (f"invoice {split.number}", ago(10), D("75.00"))

    services.payment_reverse(payment=money, actor=acc, reason="chargeback")  # open again, less what was written off
    assert check() == [(f"invoice {split.number}", ago(40), D("95.00")), (f"invoice {split.number}", ago(10), D("100.00"))]

    other = manual(customer, "60.00", issue_date=ago(3))
    paid = services.payment_create(
        company=company, actor=acc, customer=customer, amount=D("60.00"), allocations=[{"invoice": other, "amount": D("60.00")}]
    )
    check()
    note = services.invoice_credit(invoice=other, actor=acc, reason="returned")  # the invoice was paid: open credit
    assert (f"invoice {note.number}", None, D("-60.00")) in check()
    services.credit_note_apply(credit_note=note, invoice=split, amount=D("25.00"), actor=acc)
    assert (f"invoice {note.number}", None, D("-35.00")) in check()
    assert (f"invoice {split.number}", ago(40), D("70.00")) in check()

    deposit = services.deposit_create(company=company, actor=acc, customer=customer, amount=D("500.00"))
    services.deposit_apply(deposit=deposit, invoice=split, amount=D("170.00"), actor=acc)  # all that is left
    assert [row for row in check() if row[0] == f"invoice {split.number}"] == []
    assert paid.number not in str(check())


def test_a_credit_note_on_an_open_invoice_and_an_invoice_in_another_currency(company, acc, customer_of, manual, check):
    usd = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    CurrencyRate.objects.create(company=company, currency=usd, date=ago(400), rate=D("1.10"))
    customer = customer_of("sales", code="OI2", status="active")
    dollars = manual(customer, "99.99", issue_date=ago(20), currency=usd)
    assert check() == [(f"invoice {dollars.number}", dollars.due_date, D("90.90"))]
    services.invoice_credit(invoice=dollars, actor=acc, reason="wrong price")  # settles the open invoice in full
    assert check() == []
    services.payment_create(company=company, actor=acc, customer=customer, amount=D("11.00"), currency=usd)
    assert check()[0][1:] == (None, D("-10.00"))


def test_a_refused_allocation_leaves_the_items_as_they_were(company, acc, customer_of, manual, check):
    customer = customer_of("sales", code="OI3", status="active")
    invoice = manual(customer, "50.00", issue_date=ago(5))
    money = services.payment_create(company=company, actor=acc, customer=customer, amount=D("80.00"))
    before = check()
    with pytest.raises(OverAllocation):
        services.payment_allocate(payment=money, actor=acc, allocations=[{"invoice": invoice, "amount": D("60.00")}])
    assert check() == before


def test_the_ageing_follows_the_customer_to_their_new_salesperson(company, acc, users, member, customer_of, manual):
    """Items belong to the customer, so a salesperson's view follows whoever files the customer now."""
    customer = customer_of("sales", code="OI4", status="active")
    manual(customer, "70.00", issue_date=ago(45))
    today = timezone.localdate()
    assert selectors.ageing_totals(company, member("sales"), today)["31_60"] == D("70.00")
    assert selectors.ageing_totals(company, member("sales3"), today)["total"] == D("0.00")
    assert selectors.overdue_by_customer(company, users["sales"].pk, today) == [
        {"id": customer.pk, "code": "OI4", "name": customer.name, "overdue": D("70.00")}
    ]
    customer_update(customer=customer, actor=users["admin"], membership=member("admin"), values={"salesperson": users["sales3"]})
    assert selectors.ageing_totals(company, member("sales"), today)["total"] == D("0.00")
    assert selectors.ageing_totals(company, member("sales3"), today)["31_60"] == D("70.00")
    assert selectors.overdue_by_customer(company, users["sales"].pk, today) == []
