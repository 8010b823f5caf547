"""Quotations: drafts, sending, acceptance, rejection, expiry, revisions and conversion."""

from datetime import date, timedelta

from django.db import transaction

from salesdesk.core import instances, workflow
from salesdesk.core.errors import Invalid, InvalidTransition
from salesdesk.sales import reads
from salesdesk.sales.errors import AlreadyConverted, NoEmailAddress, NotEditable, QuotationExpired, Superseded
from salesdesk.sales.models import Quotation, QuotationLine
from salesdesk.sales.selectors import sales_settings
from salesdesk.sales.services import common
from salesdesk.sales.services import lines as line_service

_HEADER_FIELDS = {"valid_until", "date", "notes", "price_list", "currency"}


def _validity_days(company) -> int:
    return sales_settings(company).quotation_validity_days


def _price(quotation: Quotation, raw_lines):
    """The quotation's lines priced, and their totals (nothing is written)."""
    # A customer with a contract in force on the quotation's date is quoted its agreed prices
    # (within what is left of the committed quantities), as an order of that day would be.
    priced = line_service.build(
        company=quotation.company,
        customer=quotation.customer,
        currency=quotation.currency.code,
        on=quotation.date,
        raw_lines=raw_lines,
        price_list=quotation.price_list,
        contract=reads.active_contract(quotation.company_id, quotation.customer_id, quotation.date),
    )
    return priced, line_service.apply_totals(priced, quotation.currency.decimal_places)


def _write_lines(quotation: Quotation, raw_lines) -> None:
    """A stored draft's lines replaced, and its totals with them."""
    common.store_priced(quotation, *_price(quotation, raw_lines), line_model=QuotationLine, parent_field="quotation")


@transaction.atomic
def quotation_create(
    *,
    company,
    actor,
    membership,
    customer,
    lines,
    valid_until: date | None = None,
    date: date | None = None,
    currency=None,
    price_list=None,
    notes: str = "",
) -> Quotation:
    customer = common.check_customer(company, membership, customer)
    on = date or common.today()
    try:
        valid_until = valid_until or on + timedelta(days=_validity_days(company))
    except OverflowError:  # past the calendar's last day
        raise Invalid({"date": ["Too far in the future."]}) from None
    if valid_until < on:
        raise Invalid({"valid_until": ["Must be on or after the quotation date."]})
    if price_list is not None and price_list.company_id != company.pk:
        raise Invalid({"price_list": ["Unknown price list."]})
    _, number = common.take_number(company=company, series="QUO", on=on)
    quotation = instances.new(
        Quotation,
        company=company,
        number=number,
        customer=customer,
        salesperson_id=customer.salesperson_id or actor.pk,
        currency=common.document_currency(company, customer, currency),
        price_list=price_list,
        date=on,
        valid_until=valid_until,
        notes=notes,
        created_by=actor,
    )
    # Priced before it is stored, so the quotation goes in with its totals (no second write).
    common.store_priced(quotation, *_price(quotation, lines), line_model=QuotationLine, parent_field="quotation", new=True)
    return quotation


def _locked(quotation: Quotation) -> Quotation:
    return reads.locked_quotation(quotation)


@transaction.atomic
def quotation_update(*, quotation: Quotation, actor, membership, values: dict, lines=None) -> Quotation:
    quotation = _locked(quotation)
    if quotation.status != Quotation.Status.DRAFT:
        raise NotEditable(status=quotation.status)
    unknown = set(values) - _HEADER_FIELDS
    if unknown:
        raise Invalid({name: ["This field cannot be changed."] for name in sorted(unknown)})
    for name, value in values.items():
        setattr(quotation, name, value)
    if quotation.valid_until < quotation.date:
        raise Invalid({"valid_until": ["Must be on or after the quotation date."]})
    quotation.save()
    if lines is not None or {"price_list", "currency", "date"} & set(values):
        _write_lines(quotation, lines if lines is not None else common.reprice_inputs(quotation))
    return quotation


def quotation_send(*, quotation: Quotation, actor, to: str | None = None) -> Quotation:
    """Email the quotation's PDF to the customer and mark it sent (sending again re-sends it)."""
    from salesdesk.sales import documents

    with transaction.atomic():
        quotation = _locked(quotation)
        _refuse_if_superseded(quotation)  # an old revision's PDF must not go out again
        address = (to or quotation.customer.email or "").strip()
        if not address:
            raise NoEmailAddress(to=["The customer has no email address."])
        if quotation.status == Quotation.Status.DRAFT:
            workflow.transition(quotation, to=Quotation.Status.SENT, actor=actor, note=f"sent to {address}")
        elif quotation.status != Quotation.Status.SENT:
            workflow.transition(quotation, to=Quotation.Status.SENT, actor=actor)  # refused: InvalidTransition
        quotation.sent_to = address
        quotation.save(update_fields=["sent_to"])
        documents.send_quotation_email(quotation, to=address, sender=actor)
    return quotation


def _refuse_if_superseded(quotation: Quotation) -> None:
    later = reads.later_revision_of(quotation)
    if later is not None:
        raise Superseded(later_revision=later)


def quotation_accept(*, quotation: Quotation, actor) -> Quotation:
    expired = False
    with transaction.atomic():
        quotation = _locked(quotation)
        _refuse_if_superseded(quotation)
        if quotation.valid_until < common.today() and workflow.can_transition(quotation, Quotation.Status.EXPIRED):
            workflow.transition(quotation, to=Quotation.Status.EXPIRED, actor=actor, note="expired when accepted too late")
            expired = True
        else:
            workflow.transition(quotation, to=Quotation.Status.ACCEPTED, actor=actor)
    if expired:
        raise QuotationExpired(valid_until=quotation.valid_until.isoformat())
    return quotation


@transaction.atomic
def quotation_reject(*, quotation: Quotation, actor, reason: str) -> Quotation:
    if not (reason or "").strip():
        raise Invalid({"reason": ["Say why the customer rejected it."]})
    quotation = _locked(quotation)
    _refuse_if_superseded(quotation)
    quotation.rejection_reason = reason.strip()
    workflow.transition(quotation, to=Quotation.Status.REJECTED, actor=actor, note=reason.strip(), extra_fields=("rejection_reason",))
    return quotation


@transaction.atomic
def quotation_cancel(*, quotation: Quotation, actor, reason: str = "") -> Quotation:
    quotation = _locked(quotation)
    _refuse_if_superseded(quotation)
    return workflow.transition(quotation, to=Quotation.Status.CANCELLED, actor=actor, note=reason)


@transaction.atomic
def quotation_revise(*, quotation: Quotation, actor) -> Quotation:
    """A new draft revision with the same number and lines; the previous one stays as it was, read-only."""
    quotation = _locked(quotation)
    _refuse_if_superseded(quotation)
    if quotation.status in (Quotation.Status.ACCEPTED, Quotation.Status.DRAFT):
        # Drafts are edited, and accepted quotations are converted, not revised.
        raise InvalidTransition(from_status=quotation.status, to_status="revised", allowed=[])
    on = common.today()
    revision = Quotation.objects.create(
        company=quotation.company,
        number=quotation.number,
        revision=quotation.revision + 1,
        previous=quotation,
        customer=quotation.customer,
        salesperson=quotation.salesperson,
        currency=quotation.currency,
        price_list=quotation.price_list,
        date=on,
        valid_until=max(on + timedelta(days=_validity_days(quotation.company)), on),
        notes=quotation.notes,
        created_by=actor,
        untaxed_amount=quotation.untaxed_amount,
        tax_amount=quotation.tax_amount,
        total_amount=quotation.total_amount,
    )
    common.copy_lines(source=quotation, line_model=QuotationLine, parent_field="quotation", parent=revision)
    workflow.record_event(revision, actor=actor, note=f"revision {revision.revision} of {quotation.number}")
    return revision


@transaction.atomic
def quotation_convert(*, quotation: Quotation, actor, membership):
    """An accepted quotation becomes a draft sales order with the same lines and prices."""
    from salesdesk.sales.services.orders import order_from_quotation

    quotation = _locked(quotation)
    if quotation.status != Quotation.Status.ACCEPTED:
        raise InvalidTransition(from_status=quotation.status, to_status="converted", allowed=[])
    live = reads.live_order_of(quotation)
    if live is not None:
        raise AlreadyConverted(sales_order=live)
    return order_from_quotation(quotation=quotation, actor=actor)


def quotations_expire(*, company, today: date | None = None) -> int:
    """Sent quotations past their validity date become expired (run daily, and on acceptance)."""
    today = today or common.today()
    count = 0
    for quotation in Quotation.objects.filter(company=company, status=Quotation.Status.SENT, valid_until__lt=today):
        with transaction.atomic():
            locked = _locked(quotation)
            if locked.status == Quotation.Status.SENT:
                workflow.transition(locked, to=Quotation.Status.EXPIRED, actor=None, note=f"valid until {locked.valid_until.isoformat()}")
                count += 1
    return count
