"""Quote-to-cash money flow through the billing services, with exact amounts at each step."""

from decimal import Decimal

import pytest

from salesdesk.billing import services
from salesdesk.billing.errors import OverAllocation, OverCredit
from salesdesk.billing.models import Invoice
from salesdesk.customers.models import CustomerAccount
from salesdesk.ledger import selectors as ledger_selectors
from salesdesk.ledger.models import AccountBalance

D = Decimal


def account(customer):
    return CustomerAccount.objects.get(customer=customer)


def balance(company, role):
    row = AccountBalance.objects.filter(company=company, account__role=role).first()
    return (row.debit - row.credit) if row else D(0)


@pytest.mark.django_db
def test_order_to_cash_moves_every_figure_exactly(company, users, member, buyer, confirmed_order):
    accountant = users["accountant"]
    order = confirmed_order(buyer, quantity="10", price="10.00")
    assert account(buyer).open_orders == D("121.00")
    deposit = services.deposit_create(company=company, actor=accountant, customer=buyer, amount=D("21.00"), sales_order=order)
    assert account(buyer).unapplied_deposits == D("21.00")
    assert balance(company, "customer_deposits") == D("-21.00")

    invoice = services.invoice_from_order(order=order, actor=accountant, membership=member("accountant"))
    assert invoice.total_amount == D("121.00") and invoice.status == "draft"
    invoice = services.invoice_post(invoice=invoice, actor=accountant)
    assert invoice.number.startswith("INV-") and invoice.sequence == 1
    # The deposit paid part of it at once.
    assert invoice.amount_paid == D("21.00") and invoice.amount_due == D("100.00")
    deposit.refresh_from_db()
    assert deposit.status == "applied" and deposit.held_amount == D("0")
    acc = account(buyer)
    assert (acc.receivable, acc.open_orders, acc.unapplied_deposits) == (D("100.00"), D("0.00"), D("0.00"))
    order.refresh_from_db()
    assert order.invoice_state == "invoiced" and order.payment_state == "partial" and order.paid_amount == D("21.00")

    payment = services.payment_create(
        company=company, actor=accountant, customer=buyer, amount=D("150.00"), allocations=[{"invoice": invoice, "amount": D("60.00")}]
    )
    assert payment.unallocated_amount == D("90.00")
    invoice.refresh_from_db()
    assert invoice.amount_due == D("40.00") and invoice.payment_state == "partial"
    assert account(buyer).receivable == D("-50.00")  # the customer has 50 in hand beyond what they owe

    with pytest.raises(OverAllocation):
        services.payment_allocate(payment=payment, actor=accountant, allocations=[{"invoice": invoice, "amount": D("40.01")}])
    services.payment_allocate(payment=payment, actor=accountant, allocations=[{"invoice": invoice.pk, "amount": D("40.00")}])
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == "paid" and order.payment_state == "paid"

    note = services.invoice_credit(
        invoice=invoice, actor=accountant, lines=[{"invoice_line": invoice.lines.get().pk, "quantity": D("2")}], reason="damaged"
    )
    assert note.kind == "credit_note" and note.number.startswith("CN-") and note.total_amount == D("24.20")
    # The invoice was fully paid, so the credit stays open on the note for later use.
    assert note.amount_due == D("24.20") and note.status == "posted"
    with pytest.raises(OverCredit):
        services.invoice_credit(
            invoice=invoice, actor=accountant, lines=[{"invoice_line": invoice.lines.get().pk, "quantity": D("8.0001")}]
        )

    reversed_payment = services.payment_reverse(payment=payment, actor=accountant, reason="chargeback")
    assert reversed_payment.status == "reversed"
    invoice.refresh_from_db()
    assert invoice.status == "posted" and invoice.amount_due == D("100.00")
    trial = ledger_selectors.trial_balance(company)
    assert trial.total_debit == trial.total_credit
    # receivable: 121 - 21 (deposit) - 150 (payment) + 150 (chargeback) - 24.20 (credit note)
    assert account(buyer).receivable == D("75.80")
    assert balance(company, "receivable") == D("75.80")


@pytest.mark.django_db
def test_write_off_books_bad_debt_and_settles_the_invoice(company, users, member, buyer, confirmed_order):
    accountant = users["accountant"]
    order = confirmed_order(buyer, quantity="1", price="100.00")
    invoice = services.invoice_post(
        invoice=services.invoice_from_order(order=order, actor=accountant, membership=member("accountant")), actor=accountant
    )
    services.invoice_write_off(invoice=invoice, actor=accountant, reason="customer insolvent")
    invoice.refresh_from_db()
    assert invoice.amount_due == D("0") and invoice.amount_written_off == D("121.00") and invoice.status == Invoice.Status.PAID
    assert balance(company, "bad_debt") == D("121.00")
    assert account(buyer).receivable == D("0.00")
