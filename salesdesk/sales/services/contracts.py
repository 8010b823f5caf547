"""Contracts: agreed prices and committed quantities for a customer over a period."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from salesdesk.catalog.models import Product
from salesdesk.core import workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.sales.models import Contract, ContractItem
from salesdesk.sales.services import common

_HEADER_FIELDS = {"valid_from", "valid_to", "currency", "allow_over_commitment", "notes"}


def _items(company, raw_items) -> list[dict]:
    if not raw_items:
        raise Invalid({"items": ["Add at least one product."]})
    errors, out, seen = [], [], set()
    for raw in raw_items:
        e: dict[str, list[str]] = {}
        product = raw.get("product")
        if not isinstance(product, Product) or product.company_id != company.pk:
            e["product"] = ["Unknown product."]
        elif product.pk in seen:
            e["product"] = ["This product is already in the contract."]
        else:
            seen.add(product.pk)
        values = {}
        for name in ("price", "quantity"):
            try:
                values[name] = Decimal(str(raw.get(name)))
            except (InvalidOperation, ValueError):
                e[name] = ["A number is required."]
                continue
            if values[name] < 0 or (name == "quantity" and values[name] == 0):
                e[name] = ["Must be greater than zero." if name == "quantity" else "Cannot be negative."]
        errors.append(e)
        if not e:
            out.append({"product": product, **values})
    if any(errors):
        raise Invalid({"items": errors})
    return out


def _check_period(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise Invalid({"valid_to": ["Must be on or after the start date."]})


@transaction.atomic
def contract_create(
    *, company, actor, customer, valid_from: date, valid_to: date, items, currency=None, allow_over_commitment=False, notes=""
) -> Contract:
    if customer is None or customer.company_id != company.pk:
        raise Invalid({"customer": ["Unknown customer."]})
    _check_period(valid_from, valid_to)
    rows = _items(company, items)
    _, number = common.take_number(company=company, series="CTR", on=valid_from)
    contract = Contract.objects.create(
        company=company,
        number=number,
        customer=customer,
        valid_from=valid_from,
        valid_to=valid_to,
        currency=common.document_currency(company, customer, currency),
        allow_over_commitment=allow_over_commitment,
        notes=notes,
    )
    ContractItem.objects.bulk_create([ContractItem(company=company, contract=contract, **row) for row in rows])
    workflow.record_event(contract, actor=actor, note="created")
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, actor, values: dict, items=None) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk, company_id=contract.company_id)
    if contract.status != Contract.Status.DRAFT:
        from salesdesk.sales.errors import NotEditable

        raise NotEditable(status=contract.status)
    unknown = set(values) - _HEADER_FIELDS
    if unknown:
        raise Invalid({name: ["This field cannot be changed."] for name in sorted(unknown)})
    for name, value in values.items():
        setattr(contract, name, value)
    _check_period(contract.valid_from, contract.valid_to)
    contract.save()
    if items is not None:
        rows = _items(contract.company, items)
        ContractItem.objects.filter(contract=contract).delete()
        ContractItem.objects.bulk_create([ContractItem(company=contract.company, contract=contract, **row) for row in rows])
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, actor) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk, company_id=contract.company_id)
    if not workflow.can_transition(contract, Contract.Status.ACTIVE):
        raise InvalidTransition(
            from_status=contract.status, to_status=Contract.Status.ACTIVE, allowed=sorted(workflow.allowed_targets(contract))
        )
    if contract.valid_to < common.today():
        raise Invalid({"valid_to": ["The contract has already ended."]})
    return workflow.transition(contract, to=Contract.Status.ACTIVE, actor=actor)


@transaction.atomic
def contract_cancel(*, contract: Contract, actor, reason: str = "") -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk, company_id=contract.company_id)
    return workflow.transition(contract, to=Contract.Status.CANCELLED, actor=actor, note=reason)


def contracts_expire(*, company, today: date | None = None) -> int:
    today = today or common.today()
    count = 0
    for contract in Contract.objects.filter(company=company, status=Contract.Status.ACTIVE, valid_to__lt=today):
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            if locked.status == Contract.Status.ACTIVE:
                workflow.transition(locked, to=Contract.Status.EXPIRED, actor=None, note=f"ended on {locked.valid_to.isoformat()}")
                count += 1
    return count
