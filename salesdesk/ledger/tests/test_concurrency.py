import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from salesdesk.core.models import NumberCounter
from salesdesk.customers.selectors import customer_credit
from salesdesk.ledger import selectors, services
from salesdesk.ledger.models import JournalEntry

THREADS = 6
POSTS_EACH = 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_postings_on_the_same_accounts_add_up(company, customer_of):
    customer = customer_of("sales", code="PAR1")
    services.chart_setup(company)
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(n: int):
        try:
            barrier.wait()
            for i in range(POSTS_EACH):
                amount = Decimal(n * 10 + i + 1) / 100 + 1
                services.post_entry(
                    company=company,
                    date=datetime.date(2026, 5, 1),
                    lines=[
                        {"role": "receivable", "debit": amount, "customer": customer},
                        {"role": "revenue", "credit": amount},
                    ],
                )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    expected = sum((Decimal(n * 10 + i + 1) / 100 + 1 for n in range(THREADS) for i in range(POSTS_EACH)), Decimal(0))
    assert selectors.maintained_balances(company) == selectors.balances_from_entries(company)
    assert customer_credit(customer).receivable == expected
    tb = selectors.trial_balance(company)
    assert tb.total_debit == tb.total_credit == expected
    numbers = sorted(JournalEntry.objects.filter(company=company).values_list("number", flat=True))
    assert numbers == [f"JE-2026-{i:05d}" for i in range(1, THREADS * POSTS_EACH + 1)]
    assert NumberCounter.objects.get(company=company, series="JE", year=2026).last_value == THREADS * POSTS_EACH
