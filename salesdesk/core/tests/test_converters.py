"""SQLite's decimal values read back by the prepared reads: the remembered Decimal is exactly
the one Django's own converter builds, whatever the float, and the converter stays Django's
on other databases and for other columns."""

import random
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField
from django.db.models.expressions import Col

from salesdesk.core import converters


def _djangos_converter(col):
    """Django's SQLite decimal converter, on either database (its backend loaded as Django loads it)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    return DatabaseWrapper.ops_class(connection).get_decimalfield_converter(col)


def _column(digits: int, places: int) -> Col:
    field = DecimalField(max_digits=digits, decimal_places=places)
    field.set_attributes_from_name("amount")
    return Col("t", field)


def test_every_float_gives_what_djangos_converter_gives_the_first_time_and_every_time_after():
    rng = random.Random(7)
    floats = [0, 0.0, -0.0, 1, 3, 1.005, 2.675, -3.14159, 1e-9, -1e-9, 0.1 + 0.2, 123456789.345]
    floats += [rng.uniform(-1e6, 1e6) for _ in range(3000)] + [round(rng.uniform(0, 500), 2) for _ in range(3000)]
    for digits, places in ((14, 2), (14, 4), (18, 8)):
        col = _column(digits, places)
        djangos = _djangos_converter(col)
        ours = converters._decimal_converter(places, digits)
        for value in floats:
            expected = str(djangos(value, col, connection))
            # As text: -0.00 and 0.00 are equal Decimals, and the sign must still be Django's.
            assert str(ours(value, col, connection)) == expected, value
            assert str(ours(value, col, connection)) == expected, value  # remembered
        assert ours(None, col, connection) is None


def test_only_sqlites_decimal_converter_of_a_plain_column_is_replaced(settings):
    col = _column(14, 2)
    djangos = _djangos_converter(col)

    def other(value, expression, conn):
        return value

    found = {0: ([djangos, other], col), 1: ([other], col)}

    class Vendor:
        def __init__(self, vendor):
            self.vendor = vendor

    replaced = converters.faster(found, Vendor("sqlite"))
    assert replaced[0][0][0] is not djangos and replaced[0][0][1] is other and replaced[1][0] == [other]
    assert converters.faster(found, Vendor("postgresql")) is found
    assert isinstance(replaced[0][0][0](1.25, col, connection), Decimal)
