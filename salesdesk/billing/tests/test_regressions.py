"""Regressions found while loading the demo's money side: each once failed on one database."""

from decimal import Decimal

import pytest

from salesdesk.billing import services
from salesdesk.customers.models import CustomerAccount

D = Decimal


def _posted_invoice(company, users, product, customer, unit_price: str):
    accountant = users["accountant"]
    invoice = services.invoice_create(
        company=company,
        actor=accountant,
        membership=accountant.memberships.get(company=company),
        customer=customer,
        lines=[{"product": product, "quantity": D("1"), "unit_price": D(unit_price)}],
    )
    return services.invoice_post(invoice=invoice, actor=accountant)


@pytest.mark.django_db
def test_paying_the_exact_remainder_settles_the_invoice_on_every_database(company, users, product, customer_of):
    """SQLite computes decimals in binary floating point (152.94 - 61.18 = 91.75999999999999);
    the maintained figures are rounded to their places in the same UPDATE (core.arithmetic),
    so the exact remainder 91.76 is accepted and everything ends at zero."""
    accountant = users["accountant"]
    customer = customer_of("sales", code="DRIFT")
    invoice = _posted_invoice(company, users, product, customer, "126.40")  # 152.94 with VAT 21 %
    assert invoice.total_amount == D("152.94")
    for amount in (D("61.18"), D("91.76")):
        services.payment_create(
            company=company, actor=accountant, customer=customer, amount=amount, allocations=[{"invoice": invoice, "amount": amount}]
        )
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.amount_due == D("0.00")
    assert CustomerAccount.objects.get(customer=customer).receivable == D("0.00")


@pytest.mark.django_db
def test_a_credit_note_posts_on_postgresql_too(company, users, product, customer_of):
    """The credited invoice is locked alone (`of=("self",)`): PostgreSQL cannot lock the nullable
    side of the outer join to its order."""
    customer = customer_of("sales", code="CREDIT")
    invoice = _posted_invoice(company, users, product, customer, "100.00")
    note = services.invoice_credit(invoice=invoice, actor=users["accountant"], reason="returned")
    invoice.refresh_from_db()
    assert note.total_amount == D("121.00") and invoice.status == "paid" and invoice.amount_credited == D("121.00")
