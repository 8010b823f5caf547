"""What goods cost is shown only to people allowed to see margins: a warehouse clerk never gets a cost or a value.

The permission is the goods layer's `margins_delivery` (held by sellers, managers, accountants
and administrators). Cost fields are declared optional in the OpenAPI schema and left out of the
answer for everyone else, in every resource that shows stock, deliveries or returns.
"""

from salesdesk.core.api.decimals import TrimmedDecimalField

MARGINS = "fulfilment.margins_delivery"
COST_NOTE = "Only for users allowed to see costs and margins; left out for the others (warehouse clerks)."


def sees_costs(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.has_perm(MARGINS)


def cost_field(help_text: str, places: int = 2, **kwargs) -> TrimmedDecimalField:
    """An output-only figure that may be missing from the answer (hence not `readOnly`/required in the schema).

    The serializers that carry one are never used to read input."""
    return TrimmedDecimalField(
        max_digits=16 if places == 2 else 14,
        decimal_places=places,
        required=False,
        help_text=f"{help_text} {COST_NOTE}",
        **kwargs,
    )


class CostFieldsMixin:
    """A serializer whose `cost_fields` are left out of the answer for users who may not see costs."""

    cost_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.cost_fields and not sees_costs(self.context.get("request")):
            for name in self.cost_fields:
                data.pop(name, None)
        return data
