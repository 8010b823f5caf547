"""Maintained figures moved by one hand-written conditional UPDATE (`arithmetic.bump`) and rows
stored field by field in one driver call (`bulk.save_each`): exact on both databases, refused
without a trace when a condition fails."""

from decimal import Decimal

import pytest

from salesdesk.core import arithmetic, bulk
from salesdesk.inventory.models import StockLevel, Warehouse

D = Decimal


@pytest.fixture
def level(company, product):
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    return StockLevel.objects.create(
        company=company, product=product, warehouse=warehouse, on_hand=D("5"), available=D("5"), value=D("152.94")
    )


def figures(level) -> tuple:
    level.refresh_from_db()
    return level.on_hand, level.reserved, level.available, level.value


def test_figures_move_by_their_deltas_and_stay_exact(level):
    """152.94 - 61.18 is 91.75999999999999 in binary floating point; the figure reads 91.76."""
    moved = arithmetic.bump(
        StockLevel,
        where={"id": level.pk},
        add={"reserved": D("2"), "available": D("-2"), "value": D("-61.18")},
        places={"reserved": 4, "available": 4},
    )
    assert moved == 1
    assert figures(level) == (D("5"), D("2"), D("3"), D("91.76"))


def test_a_figure_short_of_its_floor_changes_nothing(level):
    moved = arithmetic.bump(
        StockLevel, where={"id": level.pk}, add={"available": D("-6"), "reserved": D("6")}, at_least={"available": D("6")}
    )
    assert moved == 0
    assert figures(level) == (D("5"), D("0"), D("5"), D("152.94"))


def test_a_figure_without_room_below_its_limit_changes_nothing(level):
    """`room`: reserved may grow only while it stays within on hand."""
    assert arithmetic.bump(StockLevel, where={"id": level.pk}, add={"reserved": D("5")}, places=4, room={"reserved": "on_hand"}) == 1
    assert arithmetic.bump(StockLevel, where={"id": level.pk}, add={"reserved": D("0.0001")}, places=4, room={"reserved": "on_hand"}) == 0
    assert figures(level) == (D("5"), D("5"), D("5"), D("152.94"))


def test_rows_are_named_by_equal_values_or_any_of_several(level, company, other_company):
    assert arithmetic.bump(StockLevel, where={"id": level.pk, "company": other_company.pk}, add={"value": D("1")}) == 0
    assert arithmetic.bump(StockLevel, where={"id": level.pk, "company": [other_company.pk, company.pk]}, add={"value": D("1")}) == 1
    assert figures(level)[3] == D("153.94")


def test_a_bump_without_rows_named_is_refused(level):
    with pytest.raises(ValueError, match="needs the rows"):
        arithmetic.bump(StockLevel, where={}, add={"value": D("1")})
    assert figures(level)[3] == D("152.94")


def test_save_each_stores_every_objects_own_values(company, product, level):
    second = StockLevel.objects.create(
        company=company, product=product, warehouse=Warehouse.objects.create(company=company, code="B", name="B")
    )
    level.value, second.value = D("1.10"), D("2.20")
    level.reserved, second.reserved = D("0.5000"), D("0")
    bulk.save_each([level, second], ["value", "reserved"])
    assert (figures(level)[3], figures(level)[1]) == (D("1.10"), D("0.5"))
    assert (figures(second)[3], figures(second)[1]) == (D("2.20"), D("0"))


def test_save_each_of_nothing_writes_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.save_each([], ["value"])


def test_several_rows_move_in_one_call_and_the_count_tells_if_one_was_refused(company, product, level):
    other = StockLevel.objects.create(
        company=company,
        product=product,
        warehouse=Warehouse.objects.create(company=company, code="B", name="B"),
        on_hand=D("1"),
        available=D("1"),
    )
    take = [
        {"where": {"id": level.pk}, "add": {"available": D("-2"), "reserved": D("2")}, "at_least": {"available": D("2")}},
        {"where": {"id": other.pk}, "add": {"available": D("-2"), "reserved": D("2")}, "at_least": {"available": D("2")}},
    ]
    assert arithmetic.bump_each(StockLevel, take, places=4) == 1  # the second level has only 1 free
    assert figures(level)[:3] == (D("5"), D("2"), D("3"))
    assert figures(other)[:3] == (D("1"), D("0"), D("1"))
    assert arithmetic.bump_each(StockLevel, [], places=4) == 0


def test_rows_of_different_shapes_are_not_sent_together(level):
    mixed = [
        {"where": {"id": level.pk}, "add": {"value": D("1")}},
        {"where": {"id": level.pk}, "add": {"value": D("1"), "on_hand": D("1")}},
    ]
    with pytest.raises(ValueError, match="one shape"):
        arithmetic.bump_each(StockLevel, mixed)
    assert figures(level)[3] == D("152.94")


# --- Adding to rows found by a unique key (`add_to_rows`) -----------------------------------------


def _balances(company) -> list[tuple]:
    from salesdesk.ledger.models import AccountBalance

    return sorted(AccountBalance.objects.filter(company=company).values_list("account__code", "debit", "credit"))


def test_rows_that_do_not_exist_are_created_and_rows_that_do_are_added_to_exactly(company, django_assert_num_queries):
    from salesdesk.ledger.models import Account, AccountBalance

    cash = Account.objects.create(company=company, code="5700", name="Cash", kind="asset")
    sales = Account.objects.create(company=company, code="7000", name="Sales", kind="income")
    AccountBalance.objects.create(company=company, account=cash, debit=D("152.94"), credit=D("0"))
    rows = [((company.pk, cash.pk), (D("-61.18"), D("0.10"))), ((company.pk, sales.pk), (D("0"), D("0.20")))]
    with django_assert_num_queries(1):  # one statement for both rows, the new one included
        arithmetic.add_to_rows(AccountBalance, keys=("company", "account"), figures=("debit", "credit"), rows=rows)
    # 152.94 - 61.18 in binary floating point is 91.75999999999999: the figure reads 91.76.
    assert _balances(company) == [("5700", D("91.76"), D("0.10")), ("7000", D("0.00"), D("0.20"))]
    more = [((company.pk, sales.pk), (D("0"), D("0.10")))]  # 0.2 + 0.1 is 0.30000000000000004 in floating point
    arithmetic.add_to_rows(AccountBalance, keys=("company", "account"), figures=("debit", "credit"), rows=more)
    assert _balances(company) == [("5700", D("91.76"), D("0.10")), ("7000", D("0.00"), D("0.30"))]


def test_adding_to_no_rows_writes_nothing(db, django_assert_num_queries):
    from salesdesk.ledger.models import AccountBalance

    with django_assert_num_queries(0):
        arithmetic.add_to_rows(AccountBalance, keys=("company", "account"), figures=("debit", "credit"), rows=[])
