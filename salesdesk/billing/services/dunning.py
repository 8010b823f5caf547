"""Dunning: reminders for overdue invoices, by level, generated as letters and emailed.

Each overdue invoice deserves a level from how many days it is overdue (company settings:
first reminder, second reminder, final notice). A run raises invoices to the level they
deserve; a customer with at least one invoice raised gets one letter listing all their
overdue invoices at the highest level among them. Running again the same day changes nothing.
"""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from salesdesk.billing import selectors
from salesdesk.billing.models import DunningLetter, DunningLetterLine, Invoice
from salesdesk.billing.services import common
from salesdesk.core import workflow
from salesdesk.core.money import ZERO

SERIES = "DUN"


def level_for(days_overdue: int, thresholds: list[tuple[int, int]]) -> int:
    """The firmest level whose threshold the invoice has reached (0: none yet)."""
    level = 0
    for candidate, days in thresholds:
        if days_overdue >= days:
            level = candidate
    return level


@transaction.atomic
def dunning_run(*, company, actor, on: date | None = None, send: bool = True) -> list[DunningLetter]:
    on = on or timezone.localdate()
    thresholds = common.billing_settings(company).dunning_thresholds()
    overdue = (
        Invoice.objects.select_for_update(of=("self",))
        # What the customer disputes is not dunned: only the undisputed part of an invoice is.
        .filter(selectors.overdue(on), company=company, amount_due__gt=F("disputed_amount"))
        .select_related("customer", "currency")
        .order_by("customer_id", "currency_id", "next_due_date", "id")
    )
    # One letter per customer and currency: its lines and its total are in that currency.
    by_customer: dict[tuple[int, int], list[tuple[Invoice, int, int]]] = {}
    for invoice in overdue:
        days = (on - invoice.next_due_date).days
        by_customer.setdefault((invoice.customer_id, invoice.currency_id), []).append((invoice, days, level_for(days, thresholds)))
    letters = []
    for entries in by_customer.values():
        if not any(level > invoice.dunning_level for invoice, _, level in entries):
            continue
        level = max(level for _, _, level in entries)
        invoice0 = entries[0][0]
        _, number = common.take_number(company, SERIES, on)
        letter = DunningLetter.objects.create(
            company=company,
            number=number,
            customer=invoice0.customer,
            level=level,
            date=on,
            currency=invoice0.currency,
            total_overdue=sum((invoice.amount_due - invoice.disputed_amount for invoice, _, _ in entries), ZERO),
            created_by=actor,
        )
        DunningLetterLine.objects.bulk_create(
            DunningLetterLine(
                company=company,
                letter=letter,
                invoice=invoice,
                due_date=invoice.next_due_date,
                days_overdue=days,
                amount_due=invoice.amount_due - invoice.disputed_amount,
            )
            for invoice, days, _ in entries
        )
        for invoice, _, invoice_level in entries:
            if invoice_level > invoice.dunning_level:
                invoice.dunning_level = invoice_level
                invoice.save(update_fields=["dunning_level"])
                workflow.record_event(invoice, actor=actor, note=f"dunning level {invoice_level} ({number})")
        letters.append(letter)
    if send:
        for letter in letters:
            if letter.customer.email:
                dunning_send(letter=letter, actor=actor)
    return letters


def dunning_send(*, letter: DunningLetter, actor, to: str | None = None) -> DunningLetter:
    """Email the letter's PDF to the customer and note when and to whom."""
    from salesdesk.billing import documents
    from salesdesk.sales.errors import NoEmailAddress

    address = (to or letter.customer.email or "").strip()
    if not address:
        raise NoEmailAddress(to=["The customer has no email address."])
    documents.send_dunning_letter(letter, to=address, sender=actor)
    letter.sent_to, letter.sent_at = address, timezone.now()
    letter.save(update_fields=["sent_to", "sent_at"])
    return letter


def invoice_send(*, invoice: Invoice, actor, to: str | None = None) -> Invoice:
    """Email a posted invoice's (or credit note's) PDF to the customer; the send is logged on it."""
    from salesdesk.billing import documents
    from salesdesk.core.errors import InvalidTransition
    from salesdesk.sales.errors import NoEmailAddress

    if invoice.status not in (Invoice.Status.POSTED, Invoice.Status.PAID):
        raise InvalidTransition(from_status=invoice.status, to_status="sent", allowed=[], reason="post the invoice before sending it")
    address = (to or invoice.customer.email or "").strip()
    if not address:
        raise NoEmailAddress(to=["The customer has no email address."])
    documents.send_invoice_email(invoice, to=address, sender=actor)
    invoice.sent_to = address
    invoice.save(update_fields=["sent_to"])
    workflow.record_event(invoice, actor=actor, note=f"sent to {address}")
    return invoice
