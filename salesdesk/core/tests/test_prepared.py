"""Prepared reads (`core.prepared`): the ORM's own statement, composed once, giving the same rows
and instances as the ordinary queryset, and refusing to run when that could go wrong."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from salesdesk.core.prepared import Prepared
from salesdesk.inventory.models import StockLevel, Warehouse

D = Decimal


@pytest.fixture
def level(company, product):
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    return StockLevel.objects.create(
        company=company, product=product, warehouse=warehouse, on_hand=D("5.5"), available=D("5.5"), value=D("152.94")
    )


def by_product(build_calls=None):
    def build(company, product):
        if build_calls is not None:
            build_calls.append((company, product))
        return StockLevel.objects.select_related("warehouse", "product").filter(company_id=company, product_id=product)

    return Prepared(build, int, int)


def test_instances_match_the_ordinary_read_with_their_parents_in_one_statement(level):
    read = by_product()
    expected = StockLevel.objects.select_related("warehouse", "product").get(pk=level.pk)
    with CaptureQueriesContext(connection) as queries:
        found = read.get(level.company_id, level.product_id)
        assert (found.warehouse.code, found.product.sku) == ("MAIN", "P-10")
    assert len(queries) == 1
    fields = [f.attname for f in StockLevel._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found.value == D("152.94") and isinstance(found.on_hand, Decimal)
    assert found._state.adding is False and found._state.db == "default"


def test_composed_once_then_only_the_values_change(level, other_company, settings):
    settings.SALESDESK_CHECK_PREPARED = False
    calls = []
    read = by_product(calls)
    assert read.all(level.company_id, level.product_id)[0].pk == level.pk
    assert read.all(other_company.pk, level.product_id) == []
    assert read.first(level.company_id, level.product_id).pk == level.pk
    assert len(calls) == 1


def test_tuples_come_back_converted(level):
    read = Prepared(lambda company: StockLevel.objects.filter(company_id=company).values_list("on_hand", "value"), int, rows="tuples")
    assert read.all(level.company_id) == [(D("5.5"), D("152.94"))]


def test_a_missing_row_and_an_unsaved_key_are_does_not_exist(level):
    read = by_product()
    with pytest.raises(StockLevel.DoesNotExist):
        read.get(level.company_id, level.product_id + 1000)
    with CaptureQueriesContext(connection) as queries:
        assert read.all(level.company_id, None) == []
        with pytest.raises(StockLevel.DoesNotExist):
            read.get(None, level.product_id)
    assert len(queries) == 0


def test_two_rows_for_get_are_refused(level, product):
    StockLevel.objects.create(
        company=level.company, product=product, warehouse=Warehouse.objects.create(company=level.company, code="B", name="B")
    )
    with pytest.raises(StockLevel.MultipleObjectsReturned):
        by_product().get(level.company_id, product.pk)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction(level):
    read = Prepared(lambda pk: StockLevel.objects.select_for_update(of=("self",)).filter(pk=pk), int)
    with pytest.raises(transaction.TransactionManagementError):
        read.get(level.pk)
    with transaction.atomic():
        assert read.get(level.pk).pk == level.pk


def test_arguments_are_checked_before_anything_runs(level):
    read = by_product()
    with pytest.raises(TypeError):
        read.all(str(level.company_id), level.product_id)
    with pytest.raises(TypeError):
        read.all(level.company_id)
    with pytest.raises(TypeError):
        Prepared(lambda day: StockLevel.objects.filter(pk=day), D)


def test_an_argument_that_never_reaches_the_statement_is_refused(level):
    read = Prepared(lambda company, unused: StockLevel.objects.filter(company_id=company), int, int)
    with pytest.raises(ValueError, match=r"argument\(s\) \[1\]"):
        read.all(level.company_id, 5)


def test_a_build_that_reads_anything_but_its_arguments_is_caught(level, product):
    """The check the test settings turn on: a value captured from outside is frozen into the
    first statement, so a later run would answer for the wrong product."""
    chosen = {"product": product.pk}
    read = Prepared(lambda company: StockLevel.objects.filter(company_id=company, product_id=chosen["product"]), int)
    assert read.get(level.company_id).pk == level.pk
    chosen["product"] = product.pk + 1000
    with pytest.raises(AssertionError, match="differs"):
        read.all(level.company_id)


def test_a_date_argument_finds_the_rows_the_ordinary_read_finds(company):
    from salesdesk.catalog.models import Currency, CurrencyRate

    usd = Currency.objects.create(company=company, code="USD", name="US dollar", decimal_places=2)
    for day, rate in ((1, "1.1"), (10, "1.2"), (20, "1.3")):
        CurrencyRate.objects.create(company=company, currency=usd, date=date(2026, 3, day), rate=D(rate))

    def build(currency, on):
        return CurrencyRate.objects.filter(currency_id=currency, date__lte=on).order_by("-date")[:1]

    read = Prepared(build, int, date)
    for on in (date(2026, 3, 1), date(2026, 3, 15), date(2026, 12, 31)):
        assert read.first(usd.pk, on) == build(usd.pk, on).first()
    assert read.first(usd.pk, date(2026, 3, 15)).rate == D("1.2")
    assert read.first(usd.pk, date(2026, 2, 28)) is None
    with pytest.raises(TypeError, match="is not date"):
        read.first(usd.pk, datetime(2026, 3, 15, 12, 0))  # a moment is not a day: refused, not cut short
