import django_tables2 as tables
from django.conf import settings
from django.core.paginator import Paginator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from offenders.models import Offender
from visits.selectors import today


class Table(tables.Table):
    """A table whose pages hold at most CASELOAD_MAX_PAGE_SIZE rows, whatever ?per_page= asks for: one request
    must not render a national register."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = min(per_page or self._meta.per_page, settings.CASELOAD_MAX_PAGE_SIZE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class DueColumn(tables.Column):
    """Days overdue (or remaining), in words as well as colour; overdue as the rows say (rules.overdue_on)."""

    def render(self, value, record):
        days = (today() - value).days
        if record.overdue:
            return format_html('<span class="due overdue">{} days overdue</span>', days)
        if days == 0:
            return mark_safe('<span class="due today">due today</span>')  # noqa: S308 (a constant)
        if days < 0:
            return format_html('<span class="due">in {} days</span>', -days)
        # Due in the past but not overdue: the offender is not managed in the community now.
        return format_html('<span class="due">was due {}</span>', value.strftime("%d/%m/%Y"))


class CaseloadTable(Table):
    reference = tables.Column(linkify=("visits:offender_detail", {"pk": tables.A("pk")}))
    name = tables.Column(accessor="surname", verbose_name="Name", order_by=("surname", "forenames"))
    risk_tier = tables.Column(verbose_name="Tier", order_by="risk_tier__order")
    status = tables.Column()
    officer = tables.Column(verbose_name="Officer", order_by="officer__staff_id")
    next_due_on = tables.DateColumn(verbose_name="Next visit due", format="j M Y")
    urgency = DueColumn(accessor="next_due_on", verbose_name="Due", orderable=False, default="not scheduled")
    last_seen_on = tables.DateColumn(verbose_name="Last seen", format="j M Y", default="never")
    review_due_on = tables.Column(verbose_name="Assessment due", default="—")
    notification_due_on = tables.Column(verbose_name="Notification due", default="—")

    class Meta:
        model = Offender
        fields = ("reference", "name", "risk_tier", "status", "officer", "next_due_on", "urgency", "last_seen_on",
                  "review_due_on", "notification_due_on")
        empty_text = "No offenders match."
        # On a phone each row becomes a card; data-label names each cell there.
        attrs = {"class": "table caseload", "td": {"data-label": lambda bound_column: bound_column.header}}
        row_attrs = {"class": lambda record: "missing" if record.status == "missing" else ""}

    def render_name(self, record):
        return record.full_name

    def render_reference(self, value, record):
        """The reference, marked when the case is one the officer covers for an absent colleague."""
        until = getattr(record, "cover_until", None)
        if until:
            return format_html('{} <span class="cover">cover for {} until {}</span>', value, record.cover_for,
                               until.strftime("%-d %b %Y"))
        return value

    def render_status(self, value, record):
        """The status, and a notified trip abroad while it is under way."""
        if record.abroad_until:
            return format_html("{} · abroad until {}", value, record.abroad_until.strftime("%-d %b %Y"))
        return value

    def render_review_due_on(self, value, record):
        """The open assessment review's due date, marked when it is overdue (as the selector says, by the rule)."""
        return due_item(value, record.review_overdue, "assessment")

    def render_notification_due_on(self, value, record):
        return due_item(value, record.notification_overdue, "notification")


def due_item(due_on, overdue: bool, what: str) -> str:
    """A due item's date, marked when it is overdue."""
    if overdue:
        return format_html('<span class="due overdue">{} · {} due</span>', due_on.strftime("%-d %b %Y"), what)
    return due_on.strftime("%-d %b %Y")
