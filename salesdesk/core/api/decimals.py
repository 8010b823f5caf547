"""Decimal output for the API: at least two places, and no more than the value needs.

Unit prices, quantities and rates are stored with four or more places, but `10.0000` reads
as `"10.00"` and `21.0000` % as `"21.00"`, while `9.9950` keeps its meaningful `"9.995"`.
"""

from decimal import Decimal

from rest_framework import serializers

from salesdesk.core.money import display as trimmed


class TrimmedDecimalField(serializers.DecimalField):
    def to_representation(self, value):
        if value is None:
            return None
        return trimmed(Decimal(value))
