"""The dip samples' list: every column sorts, ties broken by id."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from visits.tables import Table


def by(*fields: str) -> tuple[str, ...]:
    return (*fields, "pk")


class DipSampleTable(Table):
    month = tables.DateColumn(verbose_name="Month", format="M Y", order_by=by("month"))
    team = tables.Column(verbose_name="Team", accessor="team__name", order_by=by("team__name"))
    officer = tables.Column(verbose_name="Officer", accessor="officer__name", order_by=by("officer__name"))
    reference = tables.Column(verbose_name="Case", accessor="offender__reference", order_by=by("offender__reference"),
                              linkify=("dip_samples:review", {"pk": tables.A("pk")}))
    visited_on = tables.DateColumn(verbose_name="Visit", accessor="visit__completed_on", format="j M Y",
                                   order_by=by("visit__completed_on"))
    due_on = tables.DateColumn(verbose_name="Review due", format="j M Y", order_by=by("due_on"))
    state = tables.Column(verbose_name="State", accessor="closed_on", order_by=by("closed_on", "due_on"),
                          empty_values=())
    reviewer = tables.Column(verbose_name="Reviewed by", accessor="reviewer__username",
                             order_by=by("reviewer__username"), default="—")

    class Meta:
        empty_text = "No dip samples match."
        attrs = {"class": "table", "td": {"data-label": lambda bound_column: bound_column.header}}
        per_page = 50

    def render_state(self, value, record):
        """Reviewed (with the outcome), overdue as the rows say (rules.overdue_on), or waiting."""
        if record.closed_on is not None:
            return format_html("{} on {}", record.get_outcome_display(), record.closed_on.strftime("%-d %b %Y"))
        if record.overdue:
            return mark_safe('<span class="due overdue">Overdue</span>')  # noqa: S308 (a constant)
        return "To review"
