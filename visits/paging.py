"""Paging: how many rows a page holds, and paging that spares a query where it can."""

from django.conf import settings
from django.core.paginator import Paginator


def page_size(asked: int | None, default: int) -> int:
    """The rows a page holds: what was asked (else the default), at most CASELOAD_MAX_PAGE_SIZE whatever ?per_page=
    asks for: one request must not render a national register."""
    return min(asked or default, settings.CASELOAD_MAX_PAGE_SIZE)


class ShortListPaginator(Paginator):
    """Counts a list that ends on its first page from the page itself: no COUNT query for an officer's caseload,
    which mostly fits on one. A fuller first page is read once, then counted."""

    def page(self, number):
        if number not in (1, "1"):
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.count = len(rows)  # a cached_property: this is its value
        return self._get_page(rows, 1, self)
