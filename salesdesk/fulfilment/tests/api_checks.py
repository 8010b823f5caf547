"""Checks the goods API tests share: answers, refusals, posting, hidden costs and stock figures."""

from salesdesk.inventory.models import StockLevel

COST_KEYS = {"cost", "cost_amount", "value", "unit_cost"}


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code, response.json()
    return response.json()


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, format="json", **headers)


def has_costs(value) -> bool:
    """Whether an answer carries a cost or value anywhere (the warehouse must never get one)."""
    if isinstance(value, dict):
        return bool(COST_KEYS & set(value)) or any(has_costs(v) for v in value.values())
    if isinstance(value, list):
        return any(has_costs(v) for v in value)
    return False


def stock(chair):
    level = StockLevel.objects.get(product=chair)
    return level.on_hand, level.reserved, level.available, level.value
