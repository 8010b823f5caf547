"""Order lines that another app's open document still holds.

Fulfilment and billing sit above sales, so sales cannot read their documents. Each registers
here, at start-up, a function that names the open documents (draft or picked deliveries,
draft invoices) holding some of the given order lines. An amendment asks before it removes
a line or changes what a line sells: what such a document will ship or bill must stay the
line's product.
"""

from collections.abc import Callable, Iterable

Holder = Callable[[list[int]], dict[int, str]]
LetGo = Callable[[list[int]], None]
_HOLDERS: list[Holder] = []
_LET_GO: list[LetGo] = []


def register(holder: Holder, let_go: LetGo | None = None) -> None:
    """`holder(order_line_ids)` answers {order line id: "what holds it"} for the lines it holds;
    `let_go(order_line_ids)` unlinks the lines from the app's closed documents (cancelled,
    refused), which keep their own copy of what they were, before the lines are removed."""
    if holder not in _HOLDERS:
        _HOLDERS.append(holder)
    if let_go is not None and let_go not in _LET_GO:
        _LET_GO.append(let_go)


def held(order_line_ids: Iterable[int]) -> dict[int, str]:
    """{order line id: the first open document that holds it}, for the lines some document holds."""
    ids = sorted(set(order_line_ids))
    found: dict[int, str] = {}
    if not ids:
        return found
    for holder in _HOLDERS:
        for line_id, what in holder(ids).items():
            found.setdefault(line_id, what)
    return found


def let_go(order_line_ids: Iterable[int]) -> None:
    """Before removing order lines: closed documents of other apps stop pointing at them."""
    ids = sorted(set(order_line_ids))
    if ids:
        for release in _LET_GO:
            release(ids)
