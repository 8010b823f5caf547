"""Decimal output for the API: at least two places, and no more than the value needs.

Unit prices, quantities and rates are stored with four or more places, but `10.0000` reads
as `"10.00"` and `21.0000` % as `"21.00"`, while `9.9950` keeps its meaningful `"9.995"`.
"""

from decimal import Decimal

from rest_framework import serializers

TWO_PLACES = Decimal("0.01")


def trimmed(value: Decimal) -> str:
    normalized = value.normalize()
    if normalized.as_tuple().exponent > -2:
        return str(value.quantize(TWO_PLACES))
    return format(normalized, "f")


class TrimmedDecimalField(serializers.DecimalField):
    def to_representation(self, value):
        if value is None:
            return None
        return trimmed(Decimal(value))
