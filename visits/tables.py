import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from visits.paging import page_size
from visits.table_rows import rows_html


class Table(tables.Table):
    """A table whose pages hold at most CASELOAD_MAX_PAGE_SIZE rows, whatever ?per_page= asks for: one request
    must not render a national register."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = page_size(per_page, self._meta.per_page)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)

    def body_html(self) -> SafeString:
        """The rows of the page shown (of every record when not paged), for the template's tbody: each column
        prepared once and each cell one call (visits/table_rows.py), for a table whose template asks for it
        (caseload/dashboards/table.html)."""
        return rows_html(self, [row.record for row in self.paginated_rows])


class MomentColumn(tables.Column):
    """A date and time as `format` says, in the configured time zone, formatted directly (django-tables2's
    DateTimeColumn renders a template per cell)."""

    def __init__(self, *args, format: str, **kwargs):  # noqa: A002 (as DateTimeColumn names it)
        self.format = format
        super().__init__(*args, **kwargs)

    def render(self, value):
        return dateformat.format(timezone.localtime(value), self.format)
