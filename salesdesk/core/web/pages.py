"""Page through a list without counting it.

Django's Paginator counts every matching row to know the number of pages; over millions of
orders that count costs more than the page itself. A page here reads one row more than it
shows, which tells whether there is a next page, so its cost does not grow with the table.
"""

from dataclasses import dataclass, field


@dataclass
class Page:
    number: int
    per_page: int
    object_list: list = field(default_factory=list)
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        """The position of the first row shown (1-based), 0 when the page is empty."""
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_of(queryset, per_page: int, raw_number) -> Page:
    """The requested page (1 when missing or not a number; an empty page past the end)."""
    try:
        number = max(1, min(int(raw_number), 10**6))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(number=number, per_page=per_page, object_list=rows[:per_page], has_next=len(rows) > per_page)
