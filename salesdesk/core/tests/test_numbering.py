"""Gapless numbers per company, series and year, given back by a rollback."""

import threading

import pytest
from django.db import connection, transaction

from salesdesk.core import numbering
from salesdesk.core.models import NumberCounter


def take(company, series="INV", year=2026):
    with transaction.atomic():
        return numbering.next_number(company=company, series=series, year=year)


def test_numbers_follow_each_other_within_a_series_and_year(company):
    assert [take(company) for _ in range(3)] == [1, 2, 3]


def test_each_year_series_and_company_counts_on_its_own(company, other_company):
    assert take(company, "INV", 2026) == 1
    assert take(company, "INV", 2026) == 2
    assert take(company, "INV", 2027) == 1
    assert take(company, "CN", 2026) == 1
    assert take(other_company, "INV", 2026) == 1
    assert take(company, "INV", 2026) == 3
    assert NumberCounter.objects.filter(company=company).count() == 3


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused(company):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        numbering.next_number(company=company, series="INV", year=2026)
    assert not NumberCounter.objects.exists()


def test_a_rollback_after_taking_a_number_gives_it_back(company):
    assert take(company) == 1

    class DiskFull(Exception):
        pass

    with pytest.raises(DiskFull), transaction.atomic():
        assert numbering.next_number(company=company, series="INV", year=2026) == 2
        raise DiskFull

    assert take(company) == 2
    assert take(company) == 3


def test_format_number_pads_the_sequence():
    assert numbering.format_number(series="INV", year=2026, sequence=42) == "INV-2026-00042"
    assert numbering.format_number(series="CN", year=2026, sequence=7, width=3) == "CN-2026-007"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_posters_get_distinct_consecutive_numbers():
    from salesdesk.setup.services import company_setup

    company = company_setup(code="CONC", name="Concurrent Ltd")
    workers, per_worker = 8, 5
    taken: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers)
    lock = threading.Lock()

    def work():
        try:
            start.wait()
            for _ in range(per_worker):
                with transaction.atomic():
                    number = numbering.next_number(company=company, series="INV", year=2026)
                with lock:
                    taken.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(taken) == list(range(1, workers * per_worker + 1))
    assert NumberCounter.objects.get(company=company, series="INV", year=2026).last_value == workers * per_worker
