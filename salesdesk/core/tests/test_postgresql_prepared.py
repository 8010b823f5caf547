"""PostgreSQL plans a repeated statement once per connection (config.settings_base)."""

import pytest
from django.db import connection

from config.settings_base import postgresql_prepared_statements
from salesdesk.catalog.models import Currency


def test_prepared_statements_are_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("SALESDESK_PG_PREPARE", raising=False)
    assert postgresql_prepared_statements() == {"server_side_binding": True, "prepare_threshold": 2}
    monkeypatch.setenv("SALESDESK_PG_PREPARE", "0")
    assert postgresql_prepared_statements() == {}


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def prepared_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgresql_only
@pytest.mark.django_db
def test_a_statement_run_a_third_time_is_prepared_and_gives_the_same_rows(company):
    Currency.objects.create(company=company, code="NOK", name="Norwegian krone", decimal_places=2)

    def read(code="NOK"):
        # A statement no other test runs, since a connection keeps what it prepared.
        found = Currency.objects.filter(company_id=company.pk, code=code).order_by("-name", "decimal_places")
        return list(found.values_list("code", "decimal_places", "name"))

    def prepared_currency_reads():
        return [text for text in prepared_texts() if '"catalog_currency"' in text]

    assert read() == [("NOK", 2, "Norwegian krone")]
    assert read() == [("NOK", 2, "Norwegian krone")]
    assert prepared_currency_reads() == []
    assert read() == [("NOK", 2, "Norwegian krone")]
    assert len(prepared_currency_reads()) == 1
    # Other values run the same prepared statement.
    assert read("USD") == []
    assert len(prepared_currency_reads()) == 1
