"""Decimal arithmetic done by the database, kept exact on every backend.

A maintained figure is moved with one `UPDATE ... SET x = x + delta` so that concurrent
writers never lose an update. PostgreSQL computes that in exact `numeric`; SQLite stores
decimals as binary floating point, where 152.94 - 61.18 is 91.75999999999999. Rounding the
result to the column's places in the same statement gives back the exact value (the
closest stored number to it), so figures, conditional updates and check constraints agree
with the Decimals the services computed.
"""

from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Round

MONEY_PLACES = 2
QUANTITY_PLACES = 4


def exact(expression, places: int = MONEY_PLACES) -> Round:
    """`expression` rounded to `places` decimals (the column's), in SQL."""
    return Round(expression, precision=places)


def plus(field: str, delta: Decimal, places: int = MONEY_PLACES) -> Round:
    """`field + delta`, rounded to the column's places: the value to SET or compare."""
    return exact(F(field) + delta, places)


def minus(field: str, delta: Decimal, places: int = MONEY_PLACES) -> Round:
    """`field - delta`, rounded to the column's places."""
    return exact(F(field) - delta, places)
