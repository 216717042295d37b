"""Paging that spares a query where it can."""

from django.core.paginator import Paginator


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
