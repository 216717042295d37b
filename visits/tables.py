import django_tables2 as tables
from django.conf import settings
from django.core.paginator import Paginator


class Table(tables.Table):
    """A table whose pages hold at most CASELOAD_MAX_PAGE_SIZE rows, whatever ?per_page= asks for: one request
    must not render a national register."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = min(per_page or self._meta.per_page, settings.CASELOAD_MAX_PAGE_SIZE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
