"""Reads of sales documents, always within the user's record scope."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from salesdesk.accounts import roles
from salesdesk.accounts.selectors import scope_by_salesperson, visible_salesperson_ids
from salesdesk.catalog import pricing
from salesdesk.core.money import ZERO, round_money
from salesdesk.sales import prices, progress, reads
from salesdesk.sales.models import WAITING, Contract, PriceApproval, PriceApprovalLine, Quotation, SalesOrder, SalesSettings


def quotations_visible(company, membership) -> QuerySet:
    qs = Quotation.objects.filter(company=company).select_related("customer", "salesperson", "currency")
    return scope_by_salesperson(qs, membership)


def orders_visible(company, membership) -> QuerySet:
    qs = SalesOrder.objects.filter(company=company).select_related("customer", "salesperson", "currency")
    return scope_by_salesperson(qs, membership)


def contracts_visible(company, membership) -> QuerySet:
    qs = Contract.objects.filter(company=company).select_related("customer", "currency")
    return scope_by_salesperson(qs, membership, field="customer__salesperson")


def approvals_visible(company, membership) -> QuerySet:
    qs = PriceApproval.objects.filter(company=company).select_related("order", "order__customer", "requested_by", "decided_by")
    return scope_by_salesperson(qs, membership, field="order__salesperson")


def approvals_pending_for(company, membership) -> QuerySet:
    """Requests this member can decide: their team's (managers) or all (administrators)."""
    qs = approvals_visible(company, membership).filter(status=PriceApproval.Status.PENDING)
    if not membership.has_role(roles.ADMINISTRATOR, roles.SALES_MANAGER):
        return qs.none()
    return qs.exclude(order__salesperson=membership.user) if not membership.has_role(roles.ADMINISTRATOR) else qs


def order_progress(order: SalesOrder) -> dict[str, str]:
    """Delivery progress from the order lines' quantities; invoicing and payment as billing maintains them."""
    lines = list(order.lines.all())
    return {
        "delivery_state": progress.delivery_state((line.quantity, line.delivered_quantity) for line in lines),
        "invoice_state": order.invoice_state,
        "payment_state": order.payment_state,
    }


def price_preview(*, company, customer, product, quantity: Decimal, on: date, currency: str | None = None, price_list=None):
    """Why this price: what a new line would get (contract, price list or list price), with the floor
    that confirmation checks and the explanation."""
    import dataclasses

    code = currency or (customer.currency.code if customer.currency_id else company.base_currency)
    contract = (
        Contract.objects.filter(company=company, customer=customer, status=Contract.Status.ACTIVE, valid_from__lte=on, valid_to__gte=on)
        .select_related("currency")
        .prefetch_related("items")
        .order_by("-valid_from")
        .first()
    )
    quote = prices.quote_product(
        company=company,
        customer=customer,
        product=product,
        quantity=quantity,
        on=on,
        currency=code,
        contract=contract,
        price_list=price_list,
    )
    return dataclasses.replace(quote.result, unit_price=quote.unit_price, floor_price=quote.floor_price, explanation=quote.explanation)


def contracts_expiring(company, membership, days: int = 30, today: date | None = None) -> QuerySet:
    today = today or date.today()
    return contracts_visible(company, membership).filter(
        status=Contract.Status.ACTIVE, valid_to__gte=today, valid_to__lte=today + timedelta(days=days)
    )


def price_overrides_report(company, membership, year: int | None = None) -> list[dict]:
    """Per salesperson and month: approved lines below the floor and the money given away against it,
    in the company's currency (each order's amount at the rate of its date)."""
    qs = PriceApprovalLine.objects.filter(company=company, approval__status=PriceApproval.Status.APPROVED).select_related(
        "approval__order__salesperson", "approval__order__currency"
    )
    base, rates = company.base_currency, prices.rate_lookup(company)
    ids = visible_salesperson_ids(membership)
    if ids is not None:
        qs = qs.filter(approval__order__salesperson_id__in=ids)
    if year is not None:
        qs = qs.filter(approval__decided_at__year=year)
    rows: dict[tuple, dict] = defaultdict(lambda: {"lines": 0, "given_away": ZERO})
    for line in qs:
        salesperson = line.approval.order.salesperson
        month = timezone.localdate(line.approval.decided_at).replace(day=1)  # the company's month, as the year filter
        row = rows[(salesperson.pk if salesperson else 0, month)]
        row.update(salesperson=salesperson, month=month)
        row["lines"] += 1
        given = max(line.floor_price - line.net_unit_price, ZERO) * line.quantity
        order = line.approval.order
        if given and order.currency.code != base:
            given = pricing.convert(
                given, from_currency=order.currency.code, to_currency=base, base_currency=base, on=order.date, rate=rates
            )
        row["given_away"] += given
    out = sorted(rows.values(), key=lambda r: (r["month"], str(r["salesperson"])), reverse=True)
    for row in out:
        row["given_away"] = round_money(row["given_away"], 2)
    return out


def sales_settings(company) -> SalesSettings:
    """The company's settings, or the defaults (unsaved) when it never changed them."""
    return reads.saved_settings(company.pk) or SalesSettings(company=company)


def _worked_on_sql() -> str:
    table = SalesOrder._meta.db_table
    waiting = ", ".join(f"'{status}'" for status in WAITING)
    return (
        f"""("{table}"."status" IN ({waiting}) OR ("{table}"."status" = 'confirmed' AND """
        f"""NOT ("{table}"."delivery_state" = 'delivered' AND "{table}"."invoice_state" = 'invoiced')))"""
    )


_WORKED_ON = _worked_on_sql()


def orders_worked_on(orders: QuerySet) -> QuerySet:
    """The orders being worked on (`models.WORKED_ON`), read from their partial index.

    Written as literal SQL: SQLite uses a partial index only when the query repeats its
    condition with the same literal values, and Django would send them as parameters (then
    SQLite reads every order of the company). A test checks both say the same."""
    return orders.filter(RawSQL(_WORKED_ON, (), output_field=BooleanField()))  # noqa: S611 - our own names and values
