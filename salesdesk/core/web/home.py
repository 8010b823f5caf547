"""Cards on the home page. Each app registers the figures it owns, so the home page needs no
imports of upper apps: `@home_card(order=10)` on a function `request -> dict | None`."""

from collections.abc import Callable
from typing import Any

_CARDS: list[tuple[int, Callable[[Any], dict | None]]] = []


def home_card(order: int = 50):
    def register(func):
        if all(f is not func for _, f in _CARDS):
            _CARDS.append((order, func))
        return func

    return register


def cards_for(request) -> list[dict]:
    out = []
    for _, func in sorted(_CARDS, key=lambda item: item[0]):
        card = func(request)
        if card:
            out.append(card)
    return out
