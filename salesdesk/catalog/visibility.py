"""Who sees what of a product: its prices only members who may read sales documents, what it
costs (and the margin floor) only members allowed to see margins. The warehouse clerk sees
neither; pages, exports and the API all leave those fields out for them."""

SEES_PRICES = "sales.view_salesorder"
SEES_COSTS = "fulfilment.margins_delivery"
PRICE_FIELDS = frozenset({"list_price", "floor_price", "max_discount_percent"})
COST_FIELDS = frozenset({"cost", "min_margin_percent"})


def hidden_product_fields(membership) -> frozenset[str]:
    """The product fields a member may not see (none without a member, e.g. when the schema is drawn)."""
    if membership is None:
        return frozenset()
    hidden: frozenset[str] = frozenset()
    if not membership.has_perm(SEES_PRICES):
        hidden |= PRICE_FIELDS
    if not membership.has_perm(SEES_COSTS):
        hidden |= COST_FIELDS
    return hidden
