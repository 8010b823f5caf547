"""Cheaper converters for the values the prepared reads bring back (docs/benchmarks.md, finding 29).

SQLite keeps a decimal column as a binary float, and Django turns each value it reads back
into a `Decimal` with the column's places: a context of 15 digits builds the Decimal from
the float, then `quantize` rounds it, about 1.3 µs a value. An order's cycle reads about 500
such values, and most of them repeat (quantities of 1 to 3, the same prices and tax
rates, zeros). Here the Decimal a float gives is remembered per column shape (places and
digits): the same float always gives the same Decimal, and Decimals cannot change, so the
answer is the one Django's own converter gives. Only the SQLite converter of a plain column
is replaced; every other converter is kept as it is.
"""

import decimal
import math

from django.db.models.expressions import Col

_LIMIT = 4_096  # values remembered per column shape (about 0.7 MB); past that the memory starts again
_MEMOS: dict[tuple[int, int], dict] = {}
_DJANGO_DECIMAL = "DatabaseOperations.get_decimalfield_converter.<locals>.converter"


def _decimal_converter(places: int, digits: int):
    create = decimal.Context(prec=15).create_decimal_from_float  # as Django's SQLite converter
    quantum = decimal.Decimal(1).scaleb(-places)
    context = decimal.Context(prec=digits)  # the field's own context (DecimalField.context)
    memo = _MEMOS.setdefault((places, digits), {})

    def convert(value, expression, connection):
        if value is None:
            return None
        if value == 0 and math.copysign(1.0, value) < 0:
            return create(value).quantize(quantum, context=context)  # -0.0 equals 0.0 as a key: never remembered
        converted = memo.get(value)
        if converted is not None:
            return converted
        converted = create(value).quantize(quantum, context=context)
        if len(memo) >= _LIMIT:
            memo.clear()
        memo[value] = converted
        return converted

    return convert


def faster(converters: dict, connection) -> dict:
    """`converters` (as the compiler's `get_converters` gives them) with SQLite's decimal
    converter of each plain column replaced by a remembering one."""
    if connection.vendor != "sqlite":
        return converters
    out = {}
    for position, (functions, expression) in converters.items():
        if isinstance(expression, Col) and expression.output_field.get_internal_type() == "DecimalField":
            field = expression.output_field
            functions = [
                _decimal_converter(field.decimal_places, field.max_digits) if getattr(f, "__qualname__", "") == _DJANGO_DECIMAL else f
                for f in functions
            ]
        out[position] = (functions, expression)
    return out
