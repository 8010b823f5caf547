"""Reading the ledger: the trial balance from the maintained rows, and recomputations from the lines."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from salesdesk.ledger.models import Account, AccountBalance, JournalEntry, JournalLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]
    total_debit: Decimal
    total_credit: Decimal


def accounts(company):
    return Account.objects.filter(company=company).order_by("code")


def trial_balance(company) -> TrialBalance:
    """Debit, credit and balance per account from the maintained rows: two queries, whatever the history."""
    totals = {b.account_id: b for b in AccountBalance.objects.filter(company=company)}
    rows = []
    for account in accounts(company):
        balance = totals.get(account.pk)
        rows.append(TrialBalanceRow(account, balance.debit if balance else ZERO, balance.credit if balance else ZERO))
    return TrialBalance(
        rows=rows,
        total_debit=sum((r.debit for r in rows), ZERO),
        total_credit=sum((r.credit for r in rows), ZERO),
    )


def balances_from_entries(company) -> dict[int, tuple[Decimal, Decimal]]:
    """(debit, credit) per account id, summed from the journal lines (for audits and the rebuild test)."""
    sums = JournalLine.objects.filter(company=company).values("account_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {row["account_id"]: (_cents(row["debit"]), _cents(row["credit"])) for row in sums}


def maintained_balances(company) -> dict[int, tuple[Decimal, Decimal]]:
    """(debit, credit) per account id as maintained (accounts never posted to are left out)."""
    return {b.account_id: (b.debit, b.credit) for b in AccountBalance.objects.filter(company=company) if b.debit or b.credit}


def customer_receivables_from_entries(company) -> dict[int, Decimal]:
    """Receivable per customer id, summed from the lines on the receivables account."""
    sums = (
        JournalLine.objects.filter(company=company, account__role=Account.Role.RECEIVABLE, customer__isnull=False)
        .values("customer_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return {row["customer_id"]: _cents(row["debit"]) - _cents(row["credit"]) for row in sums}


def _cents(total) -> Decimal:
    """A database SUM of 2-place amounts, back to cents: SQLite adds them up in floating point,
    which over hundreds of thousands of lines leaves noise far below a cent."""
    return Decimal(total or 0).quantize(ZERO)


def entries(company):
    return (
        JournalEntry.objects.filter(company=company)
        .select_related("created_by", "content_type")
        .prefetch_related("lines__account")
        .order_by("-date", "-id")
    )
