"""Writes of customer files: customers, contacts, groups, payment terms and credit figures."""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesdesk.accounts.selectors import visible_salesperson_ids
from salesdesk.core import arithmetic, audit, workflow
from salesdesk.core.errors import Invalid
from salesdesk.core.money import HUNDRED
from salesdesk.customers.models import Customer, CustomerAccount, CustomerContact, PaymentTerm, PaymentTermLine


def _check_salesperson(membership, salesperson) -> None:
    """A salesperson files customers for themselves; a manager for their team."""
    allowed = visible_salesperson_ids(membership)
    if allowed is not None and (salesperson is None or salesperson.pk not in allowed):
        raise Invalid({"salesperson": ["You can only assign customers to yourself or your team."]})


# ISO 3166 alpha-2, as e-invoices carry it (FR, DE); empty means the company's own country.
_COUNTRY = re.compile(r"[A-Z]{2}")


def _check_country(values: Mapping[str, Any]) -> None:
    country = values.get("country")
    if country and not (isinstance(country, str) and _COUNTRY.fullmatch(country)):
        raise Invalid({"country": ["Give the two capital letters of the ISO 3166 country code (e.g. FR), or leave it empty."]})


@transaction.atomic
def customer_create(*, company, actor, membership, values: Mapping[str, Any], contacts: Iterable[Mapping[str, Any]] = ()) -> Customer:
    values = dict(values)
    if visible_salesperson_ids(membership) is not None and values.get("salesperson") is None:
        values["salesperson"] = actor  # a salesperson's new customer is their own
    _check_salesperson(membership, values.get("salesperson"))
    _check_country(values)
    status = values.pop("status", Customer.Status.PROSPECT)
    customer = audit.audited_create(model=Customer, company=company, actor=actor, values={**values, "status": status})
    CustomerAccount.objects.create(company=company, customer=customer)
    for contact in contacts:
        contact_create(customer=customer, actor=actor, values=contact)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor, membership, values: Mapping[str, Any]) -> Customer:
    values = dict(values)
    _check_country(values)
    # Compare with the stored row, not with an object the caller may already have changed.
    stored = Customer.objects.select_for_update().get(pk=customer.pk, company_id=customer.company_id)
    if "status" in values and values["status"] != stored.status:
        stored = customer_set_status(customer=stored, actor=actor, status=values.pop("status"))
    values.pop("status", None)
    if "salesperson" in values and values["salesperson"] != stored.salesperson:
        _check_salesperson(membership, values["salesperson"])
    customer = stored
    return audit.audited_update(instance=customer, actor=actor, values=values)


@transaction.atomic
def customer_set_status(*, customer: Customer, actor, status: str, note: str = "") -> Customer:
    """Activate, block or unblock a customer (a workflow move, logged with its reason)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk, company_id=customer.company_id)
    return workflow.transition(customer, to=status, actor=actor, note=note)


def customer_delete(*, customer: Customer, actor) -> None:
    audit.audited_delete(instance=customer, actor=actor)


def contact_create(*, customer: Customer, actor, values: Mapping[str, Any]) -> CustomerContact:
    return audit.audited_create(model=CustomerContact, company=customer.company, actor=actor, values={**values, "customer": customer})


@transaction.atomic
def payment_term_save(*, company, actor, name: str, lines: Iterable[Mapping[str, Any]], term: PaymentTerm | None = None) -> PaymentTerm:
    """Create or change a payment term; its instalments must add up to exactly 100 %."""
    lines = list(lines)
    if not lines:
        raise Invalid({"lines": ["A payment term needs at least one instalment."]})
    # Every instalment is a real part of the total: more than 0 % and at most 100 %.
    errors = {
        f"lines[{i}]": [f"Instalment {i + 1}: the percent must be more than 0 and at most 100 (got {line['percent']})."]
        for i, line in enumerate(lines)
        if not HUNDRED >= Decimal(str(line["percent"])) > 0
    }
    if errors:
        raise Invalid(errors)
    total = sum((Decimal(str(line["percent"])) for line in lines), Decimal(0))
    if total != HUNDRED:
        raise Invalid({"lines": [f"The instalments add up to {total} %, not 100 %."]})
    if term is None:
        term = audit.audited_create(model=PaymentTerm, company=company, actor=actor, values={"name": name})
        before = ""
    else:
        before = _lines_summary(term)
        term = audit.audited_update(instance=term, actor=actor, values={"name": name})
    PaymentTermLine.objects.filter(term=term).delete()
    PaymentTermLine.objects.bulk_create(
        [
            PaymentTermLine(company=company, term=term, sequence=i, percent=line["percent"], days=line["days"])
            for i, line in enumerate(lines)
        ]
    )
    audit.record(instance=term, actor=actor, action="update", before={"lines": before}, after={"lines": _lines_summary(term)})
    return term


def _lines_summary(term: PaymentTerm) -> str:
    # format "f": normalize() alone writes 50 as "5E+1".
    return "; ".join(f"{line.percent.normalize():f}% @ {line.days}d" for line in term.lines.all())


def account_add(
    *,
    customer_id: int,
    company_id: int,
    receivable: Decimal = Decimal(0),
    open_orders: Decimal = Decimal(0),
    unapplied_deposits: Decimal = Decimal(0),
) -> None:
    """Move the maintained credit figures in the caller's transaction (an atomic UPDATE of the figures that change)."""
    deltas = {"receivable": receivable, "open_orders": open_orders, "unapplied_deposits": unapplied_deposits}
    changes = {name: delta for name, delta in deltas.items() if delta}
    if not changes:
        return
    if not arithmetic.bump(CustomerAccount, where={"company": company_id, "customer": customer_id}, add=changes):
        CustomerAccount.objects.create(
            company_id=company_id,
            customer_id=customer_id,
            receivable=receivable,
            open_orders=open_orders,
            unapplied_deposits=unapplied_deposits,
        )
