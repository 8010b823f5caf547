from datetime import date, timedelta
from decimal import Decimal as D

from django.core.management import call_command

from salesdesk.core.workflow import events_for
from salesdesk.sales import services
from salesdesk.sales.models import Contract, Quotation


def test_expire_documents_expires_what_has_passed_and_nothing_else(company, users, product, customer_of):
    customer = customer_of("sales", "C1", email="c1@example.com")
    membership = users["sales"].memberships.get(company=company)
    old = services.quotation_create(
        company=company, actor=users["sales"], membership=membership, customer=customer, lines=[{"product": product, "quantity": D(1)}]
    )
    fresh = services.quotation_create(
        company=company, actor=users["sales"], membership=membership, customer=customer, lines=[{"product": product, "quantity": D(1)}]
    )
    for q in (old, fresh):
        services.quotation_send(quotation=q, actor=users["sales"])
    Quotation.objects.filter(pk=old.pk).update(valid_until=date.today() - timedelta(days=1), date=date.today() - timedelta(days=31))
    contract = services.contract_create(
        company=company,
        actor=users["manager"],
        customer=customer,
        valid_from=date.today() - timedelta(days=60),
        valid_to=date.today(),
        items=[{"product": product, "price": "9", "quantity": "5"}],
    )
    services.contract_activate(contract=contract, actor=users["manager"])
    Contract.objects.filter(pk=contract.pk).update(valid_to=date.today() - timedelta(days=1))

    call_command("expire_documents")

    old.refresh_from_db()
    fresh.refresh_from_db()
    contract.refresh_from_db()
    assert (old.status, fresh.status, contract.status) == ("expired", "sent", "expired")
    assert events_for(old).last().to_status == "expired"
