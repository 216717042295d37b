import django_tables2 as tables
from django.utils.html import format_html

from offenders.models import Offender
from visits.selectors import today


class DueColumn(tables.Column):
    """Days overdue (or remaining), in words as well as colour."""

    def render(self, value):
        days = (today() - value).days
        if days > 0:
            return format_html('<span class="due overdue">{} days overdue</span>', days)
        if days == 0:
            return format_html('<span class="due today">due today</span>')
        return format_html('<span class="due">in {} days</span>', -days)


class CaseloadTable(tables.Table):
    reference = tables.Column(linkify=("visits:offender_detail", {"pk": tables.A("pk")}))
    name = tables.Column(accessor="surname", verbose_name="Name", order_by=("surname", "forenames"))
    risk_tier = tables.Column(verbose_name="Tier", order_by="risk_tier__order")
    status = tables.Column()
    next_due_on = tables.DateColumn(verbose_name="Next visit due", format="j M Y")
    urgency = DueColumn(accessor="next_due_on", verbose_name="Due", orderable=False)
    last_seen_on = tables.DateColumn(verbose_name="Last seen", format="j M Y")

    class Meta:
        model = Offender
        fields = ("reference", "name", "risk_tier", "status", "next_due_on", "urgency", "last_seen_on")
        empty_text = "No offenders in this caseload."
        attrs = {"class": "table"}

    def render_name(self, record):
        return record.full_name
