"""Posting to the ledger: the standard chart, balanced entries, reversals.

Every write runs in one transaction: the entry number, the entry and its lines, the
maintained account balances and the customers' receivables move together or not at all.
Entries are never changed or deleted; a mistake is corrected with a reversing entry.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesdesk.core import arithmetic, instances, rows
from salesdesk.core.errors import DomainError, Invalid
from salesdesk.core.numbering import format_number, next_number
from salesdesk.core.prepared import PreparedByKeys
from salesdesk.customers import services as customer_services
from salesdesk.customers.models import Customer
from salesdesk.ledger.models import Account, AccountBalance, JournalEntry, JournalLine

ZERO = Decimal("0")
SERIES = "JE"

# (role, code, name, kind) of the standard chart every company starts with.
STANDARD_CHART = [
    (Account.Role.CASH, "1000", gettext_lazy("Cash and bank"), Account.Kind.ASSET),
    (Account.Role.RECEIVABLE, "1100", gettext_lazy("Receivables"), Account.Kind.ASSET),
    (Account.Role.INVENTORY, "1300", gettext_lazy("Inventory"), Account.Kind.ASSET),
    (Account.Role.TAX_PAYABLE, "2100", gettext_lazy("Tax payable"), Account.Kind.LIABILITY),
    (Account.Role.CUSTOMER_DEPOSITS, "2200", gettext_lazy("Customer deposits"), Account.Kind.LIABILITY),
    # Goods taken into stock whose supplier invoice is booked outside Salesdesk.
    (Account.Role.GOODS_RECEIVED, "2300", gettext_lazy("Goods received"), Account.Kind.LIABILITY),
    (Account.Role.REVENUE, "4000", gettext_lazy("Revenue"), Account.Kind.INCOME),
    (Account.Role.COST_OF_GOODS_SOLD, "5000", gettext_lazy("Cost of goods sold"), Account.Kind.EXPENSE),
    # Stock counted in or out, and goods scrapped.
    (Account.Role.STOCK_ADJUSTMENT, "5100", gettext_lazy("Stock adjustments"), Account.Kind.EXPENSE),
    (Account.Role.BAD_DEBT, "6800", gettext_lazy("Bad debts"), Account.Kind.EXPENSE),
    (Account.Role.EXCHANGE_DIFFERENCE, "7600", gettext_lazy("Exchange differences"), Account.Kind.EXPENSE),
]


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"
    default_message = gettext_lazy("The entry does not balance: total debit must equal total credit.")


def chart_setup(company) -> None:
    """Create the standard accounts that are missing (by role); running it again changes nothing."""
    existing = set(Account.objects.filter(company=company).exclude(role="").values_list("role", flat=True))
    taken_codes = set(Account.objects.filter(company=company).values_list("code", flat=True))
    for role, code, name, kind in STANDARD_CHART:
        if role in existing:
            continue
        while code in taken_codes:  # a company-made account already uses the standard code
            code = str(int(code) + 1)
        try:
            with transaction.atomic():
                Account.objects.create(company=company, role=role, code=code, name=str(name), kind=kind)
        except IntegrityError:
            # Created at the same moment by another transaction: theirs is as good as ours.
            continue
        taken_codes.add(code)


def account_for(company, role: str) -> Account:
    """The account playing `role` in the company (the standard chart is set up if missing)."""
    account = Account.objects.filter(company=company, role=role).first()
    if account is None:
        chart_setup(company)
        account = Account.objects.get(company=company, role=role)
    return account


def _amount(value, errors: list[str], field: str) -> Decimal:
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        errors.append(_("%(field)s must be a decimal amount.") % {"field": field})
        return ZERO
    value = Decimal(value)
    if not value.is_finite():
        errors.append(_("%(field)s must be a finite amount.") % {"field": field})
        return ZERO
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        errors.append(_("%(field)s has more than two decimal places.") % {"field": field})
        return ZERO
    if value < 0:
        errors.append(_("%(field)s cannot be negative.") % {"field": field})
        return ZERO
    return value.quantize(Decimal("0.01"))


_BY_ROLE = PreparedByKeys(lambda company, *roles: Account.objects.filter(company_id=company, role__in=roles), int, key=str)


def _resolve_lines(company, lines) -> list[dict]:
    """Validated lines as {account, customer, debit, credit, memo}; raises Invalid with per-line errors."""
    if not isinstance(lines, (list, tuple)) or len(lines) < 2:
        raise Invalid({"lines": [_("An entry needs at least two lines.")]})
    # Only the accounts the lines name by role (an entry names two or three of the chart's roles).
    wanted = {
        line["role"] for line in lines if isinstance(line, dict) and line.get("account") is None and isinstance(line.get("role"), str)
    }
    roles = {a.role: a for a in _BY_ROLE.all(company.pk, keys=wanted)}
    line_errors: list[dict] = []
    resolved: list[dict] = []
    failed = False
    for line in lines:
        errors: dict[str, list[str]] = {}
        account = line.get("account")
        role = line.get("role")
        if account is None and role:
            account = roles.get(role) or account_for(company, role)
        if isinstance(account, int) and not isinstance(account, bool):
            account = Account.objects.filter(company=company, pk=account).first()
        if not isinstance(account, Account) or account.company_id != company.pk:
            errors["account"] = [_("Choose an account of this company.")]
        amount_errors: list[str] = []
        debit = _amount(line.get("debit", ZERO), amount_errors, "debit")
        credit = _amount(line.get("credit", ZERO), amount_errors, "credit")
        if not amount_errors and (debit > 0) == (credit > 0):
            amount_errors.append(_("A line has either a debit or a credit, greater than zero."))
        if amount_errors:
            errors["amount"] = amount_errors
        customer = line.get("customer")
        if isinstance(customer, int) and not isinstance(customer, bool):
            customer = Customer.objects.filter(company=company, pk=customer).first() or False
        if customer is not None and (not isinstance(customer, Customer) or customer.company_id != company.pk):
            errors["customer"] = [_("Choose a customer of this company.")]
        elif customer is None and isinstance(account, Account) and account.role == Account.Role.RECEIVABLE:
            errors["customer"] = [_("A line on the receivables account must name the customer.")]
        line_errors.append(errors)
        failed = failed or bool(errors)
        resolved.append(
            {"account": account, "customer": customer, "debit": debit, "credit": credit, "memo": str(line.get("memo", "") or "")[:255]}
        )
    if failed:
        raise Invalid({"lines": line_errors})
    return resolved


def _move_balances(company, by_account: dict[int, list[Decimal]]) -> None:
    """Add each account's (debit, credit) to its maintained totals, creating the totals row of
    an account posted to for the first time: one statement for all of them, in account order
    so that concurrent postings lock the rows in the same order."""
    arithmetic.add_to_rows(
        AccountBalance,
        keys=("company", "account"),
        figures=("debit", "credit"),
        rows=[((company.pk, account_id), tuple(sums)) for account_id, sums in sorted(by_account.items()) if any(sums)],
    )


def post_entry(*, company, date, memo: str = "", lines, actor=None, source=None, reverses=None) -> JournalEntry:
    """Post a balanced entry: number, entry, lines, account balances and receivables in one transaction."""
    # A refused entry is refused before anything is written, so the caller's transaction
    # goes on untouched.
    resolved = _resolve_lines(company, lines)
    total_debit = sum((line["debit"] for line in resolved), ZERO)
    total_credit = sum((line["credit"] for line in resolved), ZERO)
    if total_debit != total_credit or total_debit <= 0:
        raise UnbalancedEntry(total_debit=str(total_debit), total_credit=str(total_credit))
    # No savepoint inside the caller's transaction: every caller posts as part of its own
    # action and goes no further if the writes fail, so the whole action is undone.
    with transaction.atomic(savepoint=False):
        date = date or timezone.localdate()
        sequence = next_number(company=company, series=SERIES, year=date.year)
        content_type, object_id = (None, None)
        if isinstance(source, tuple):  # (content type, object id), as stored on another entry
            content_type, object_id = source
        elif source is not None:
            content_type, object_id = ContentType.objects.get_for_model(source), source.pk
        entry = rows.insert(
            instances.new(
                JournalEntry,
                company=company,
                number=format_number(series=SERIES, year=date.year, sequence=sequence),
                date=date,
                memo=str(memo or "")[:255],
                content_type=content_type,
                object_id=object_id,
                reverses=reverses,
                created_by=actor,
            )
        )
        rows.insert_many(
            instances.new(
                JournalLine,
                company=company,
                entry=entry,
                account=line["account"],
                customer=line["customer"],
                debit=line["debit"],
                credit=line["credit"],
                memo=line["memo"],
            )
            for line in resolved
        )
        by_account: dict[int, list[Decimal]] = {}
        by_customer: dict[int, Decimal] = {}
        for line in resolved:
            sums = by_account.setdefault(line["account"].pk, [ZERO, ZERO])
            sums[0] += line["debit"]
            sums[1] += line["credit"]
            if line["account"].role == Account.Role.RECEIVABLE:
                customer_id = line["customer"].pk
                by_customer[customer_id] = by_customer.get(customer_id, ZERO) + line["debit"] - line["credit"]
        _move_balances(company, by_account)
        for customer_id in sorted(by_customer):
            customer_services.account_add(customer_id=customer_id, company_id=company.pk, receivable=by_customer[customer_id])
    return entry


def reverse_entry(*, entry: JournalEntry, actor, date=None, memo: str = "") -> JournalEntry:
    """Post the mirror of `entry` (debits and credits swapped, same customers and source)."""
    lines = [
        {"account": line.account, "customer": line.customer, "debit": line.credit, "credit": line.debit, "memo": line.memo}
        for line in entry.lines.select_related("account", "customer")
    ]
    return post_entry(
        company=entry.company,
        date=date or timezone.localdate(),
        memo=memo or _("Reversal of %(number)s") % {"number": entry.number},
        lines=lines,
        actor=actor,
        source=(entry.content_type, entry.object_id),
        reverses=entry,
    )
