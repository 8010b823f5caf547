"""Open work on the dashboards: counts and amounts of open documents, each one bounded query.

Every read here goes through the owning app's selectors (so the member's record scope
applies) and is limited to open documents by an indexed status: confirmed, held or pending
orders, draft or sent quotations, pending approvals, draft or picked deliveries, waiting
reservations, draft invoices, unallocated payments, open disputes. Decided approvals are
counted for this year only. Amounts are in the company's currency.
"""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from salesdesk.accounts.selectors import visible_salespeople
from salesdesk.billing import ageing
from salesdesk.billing import selectors as billing_selectors
from salesdesk.billing.models import Dispute, Invoice, Payment
from salesdesk.billing.services.common import to_base
from salesdesk.core.money import ZERO, round_money
from salesdesk.fulfilment import selectors as fulfilment_selectors
from salesdesk.fulfilment.models import Delivery
from salesdesk.inventory.models import Reservation
from salesdesk.sales import selectors as sales_selectors
from salesdesk.sales.models import OPEN_ORDER, PriceApproval, Quotation, SalesOrder, SalesOrderLine

Status = SalesOrder.Status
NEXT_DELIVERIES = 10
SHORT_PRODUCTS = 10
OVERDUE_CUSTOMERS = 10
OPEN_DELIVERY = (Delivery.Status.DRAFT, Delivery.Status.PICKED)


def _amount(value) -> Decimal:
    """A sum read from the database, exact to the cent (SQLite adds in floating point)."""
    return round_money(value if value is not None else ZERO)


def _quantity(value) -> Decimal:
    return round_money(value if value is not None else ZERO, 4)


def _order_counts(orders) -> dict:
    # The condition and columns of `salesorder_worked_on_idx` only (status, not the id), so both
    # databases answer from that index.
    row = sales_selectors.orders_worked_on(orders).aggregate(
        draft=Count("status", filter=Q(status=Status.DRAFT)),
        pending_approval=Count("status", filter=Q(status=Status.PENDING_APPROVAL)),
        credit_hold=Count("status", filter=Q(status=Status.CREDIT_HOLD)),
        open=Count("status", filter=OPEN_ORDER),
        open_amount=Sum("open_amount", filter=OPEN_ORDER),
    )
    return {**row, "open_amount": _amount(row["open_amount"])}


def order_counts(board) -> dict:
    """Within the scope: open orders (count, amount still to invoice), orders awaiting a price approval or held for credit."""
    orders = SalesOrder.objects.filter(company=board.company).order_by()
    people = visible_salespeople(board.membership)  # the scope joined, see there
    return _order_counts(orders if people is None else orders.filter(salesperson__in=people))


def my_documents(board) -> dict:
    """The member's own quotations being worked on, orders by stage, and price approvals."""
    company, membership = board.company, board.membership
    user_id = membership.user_id
    quotations = (
        sales_selectors.quotations_visible(company, membership)
        .filter(salesperson_id=user_id, status__in=[Quotation.Status.DRAFT, Quotation.Status.SENT])
        .order_by()
        .aggregate(draft=Count("pk", filter=Q(status=Quotation.Status.DRAFT)), sent=Count("pk", filter=Q(status=Quotation.Status.SENT)))
    )
    orders = _order_counts(sales_selectors.orders_visible(company, membership).filter(salesperson_id=user_id).order_by())
    decided = Q(status__in=[PriceApproval.Status.APPROVED, PriceApproval.Status.REJECTED], requested_at__date__gte=board.periods.year_from)
    approvals = (
        sales_selectors.approvals_visible(company, membership)
        .filter(order__salesperson_id=user_id)
        .filter(Q(status=PriceApproval.Status.PENDING) | decided)
        .order_by()
        .aggregate(
            pending=Count("pk", filter=Q(status=PriceApproval.Status.PENDING)),
            approved=Count("pk", filter=Q(status=PriceApproval.Status.APPROVED)),
            rejected=Count("pk", filter=Q(status=PriceApproval.Status.REJECTED)),
        )
    )
    return {"quotations": quotations, "orders": orders, "approvals": approvals}


def price_overrides_this_month(board) -> dict:
    """Approved prices below the floor decided this month: lines and money given away, per salesperson (sales' report)."""
    p = board.periods
    rows = [
        row
        for row in sales_selectors.price_overrides_report(board.company, board.membership, year=p.today.year)
        if row["month"] == p.month_from
    ]
    by_salesperson = sorted(
        ({"name": str(row["salesperson"] or "—"), "lines": row["lines"], "given_away": row["given_away"]} for row in rows),
        key=lambda r: (-r["given_away"], r["name"]),
    )
    return {
        "lines": sum(r["lines"] for r in rows),
        "given_away": sum((r["given_away"] for r in rows), ZERO),
        "by_salesperson": by_salesperson,
    }


def ageing_summary(totals: dict) -> dict:
    """The ageing's totals by bucket, with what is overdue (every bucket past current)."""
    return {
        "buckets": [{"bucket": name, "amount": totals[name]} for name in ageing.BUCKETS],
        "total": totals["total"],
        "overdue": sum((totals[name] for name in ageing.BUCKETS if name != "current"), ZERO),
    }


def overdue_customers(board) -> dict:
    """The member's own customers with money overdue (ageing buckets past current), largest first."""
    rows = billing_selectors.overdue_by_customer(board.company, board.membership.user_id, board.periods.today)
    rows.sort(key=lambda r: (-r["overdue"], r["code"]))
    return {"count": len(rows), "amount": sum((r["overdue"] for r in rows), ZERO), "customers": rows[:OVERDUE_CUSTOMERS]}


def warehouse(board) -> dict:
    """Deliveries to pick and ship by today, and order lines of the to-ship queue waiting for stock (quantities only)."""
    company, membership = board.company, board.membership
    due = fulfilment_selectors.deliveries_visible(company, membership).filter(date__lte=board.periods.today)
    counts = dict(due.filter(status__in=OPEN_DELIVERY).order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    # The next of each open status by its (status, date) index, then merged: ordered by date over
    # both statuses, SQLite walked the whole delivery history by date to find the few open ones.
    upcoming = sorted(
        (
            row
            for status in OPEN_DELIVERY
            for row in due.filter(status=status)
            .order_by("date", "id")
            .values("pk", "number", "customer__name", "date", "status")[:NEXT_DELIVERIES]
        ),
        key=lambda row: (row["date"], row["pk"]),
    )[:NEXT_DELIVERIES]
    # Short reservations of lines on the to-ship queue (confirmed, not all delivered), each line
    # looked up by its key: nested IN lists led SQLite to read every order line of the company.
    queued = fulfilment_selectors.orders_to_ship(company, membership).order_by()
    line = SalesOrderLine.objects.filter(pk=OuterRef("order_line_id"), order__in=queued)
    waiting = Reservation.objects.filter(company=company, reserved__lt=F("wanted")).filter(Exists(line))
    lines = waiting.annotate(order_id=Subquery(line.values("order_id")[:1])).aggregate(
        lines=Count("pk"), orders=Count("order_id", distinct=True)
    )  # one reservation per order line
    short = (
        waiting.values("product_id", "product__sku", "product__name")
        .annotate(lines=Count("pk"), waiting=Sum(F("wanted") - F("reserved")))
        .order_by("-waiting", "product__sku")[:SHORT_PRODUCTS]
    )
    return {
        "deliveries": {
            "to_pick": counts.get(Delivery.Status.DRAFT, 0),
            "to_ship": counts.get(Delivery.Status.PICKED, 0),
            "next": [
                {"id": d["pk"], "number": d["number"], "customer": d["customer__name"], "date": d["date"], "status": d["status"]}
                for d in upcoming
            ],
        },
        "backorders": {
            "lines": lines["lines"],
            "orders": lines["orders"],
            "products": [
                {
                    "id": r["product_id"],
                    "sku": r["product__sku"],
                    "name": r["product__name"],
                    "lines": r["lines"],
                    "waiting": _quantity(r["waiting"]),
                }
                for r in short
            ],
        },
    }


def accounts(board) -> dict:
    """Invoices to post, payments to allocate, receivables by age and open disputes (company currency)."""
    company, membership = board.company, board.membership
    drafts = billing_selectors.invoices_visible(company, membership).filter(status=Invoice.Status.DRAFT).order_by().count()
    unallocated = (
        billing_selectors.payments_visible(company, membership)
        .filter(status=Payment.Status.POSTED, unallocated_amount__gt=0)
        .order_by()
        .values_list("unallocated_amount", "rate")
    )
    payments = [to_base(amount, rate) for amount, rate in unallocated]
    disputes = [
        to_base(amount, rate)
        for amount, rate in billing_selectors.disputes_visible(company, membership)
        .filter(status=Dispute.Status.OPEN)
        .order_by()
        .values_list("amount", "invoice__rate")
    ]
    return {
        "invoices_to_post": drafts,
        "payments_to_allocate": {"count": len(payments), "amount": sum(payments, ZERO)},
        "ageing": ageing_summary(board.ageing_totals),
        "disputes": {"count": len(disputes), "amount": sum(disputes, ZERO)},
    }
