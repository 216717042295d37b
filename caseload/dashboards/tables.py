"""The dashboard's tables. Every column sorts (ties broken by id so that pages and exports agree),
and each table says how it exports: the same headers, each column's cells an expression of the export's
query (exports.py)."""

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import django_tables2 as tables
from django.db.models import Case, CharField, Expression, Func, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.translation import get_language

from offenders.models import Offender, OffenderStatus, Officer
from visits import rules
from visits.models import Flag
from visits.tables import Table


@lru_cache(maxsize=8192)
def day_text(day: dt.date, language: str) -> str:
    """'14 Nov 2016' in `language`; a page shows the same few hundred days over and over."""
    return dateformat.format(day, "j M Y")


class DayColumn(tables.Column):
    """A date as '14 Nov 2016', formatted directly (django-tables2's DateColumn renders a template per cell)."""

    def render(self, value):
        return day_text(value, get_language())

    def value(self, value):
        return value


def date_column(verbose_name: str, field: str, **kwargs) -> DayColumn:
    return DayColumn(verbose_name=verbose_name, order_by=by(field), **kwargs)


class ExportColumn(NamedTuple):
    """A column of an export: its header, and the field, or the expression over the row's fields, that
    PostgreSQL works its cells out with (exports.py)."""

    header: str
    value: str | Expression


def by(*fields: str) -> tuple[str, ...]:
    """A column's sort, with the row id as the last tie-breaker."""
    return (*fields, "pk")


OVER_CEILING = "Over caseload ceiling"
OVER_CAPACITY = "Over capacity"


def officer_flags_cell() -> Func:
    """What an officer is flagged for, "; " between, "" for none (concat_ws leaves out those not raised, NULL):
    over the caseload ceiling, and over capacity where the team flags it (rules.OVERLOADED's two halves). The
    workload table's rows carry it (WorkloadView), and its export reads the same."""
    inputs = rules.workload_inputs()
    return Func(Value("; "), Case(When(rules.OVER_CEILING.expression(**inputs), then=Value(OVER_CEILING))),
                Case(When(rules.OVER_CAPACITY.expression(**inputs), then=Value(OVER_CAPACITY))),
                function="concat_ws", output_field=CharField())


def full_name_cell(prefix: str = "") -> Concat:
    return Concat(f"{prefix}forenames", Value(" "), f"{prefix}surname", output_field=CharField())


def officer_cell(path: str) -> Coalesce:
    return Coalesce(f"{path}__name", Value("Unallocated"), output_field=CharField())


def label_cell(field: str, choices) -> Case:
    """A choice field's label, as the table shows it, for an export."""
    return Case(*(When(**{field: value}, then=Value(label)) for value, label in choices),
                default=field, output_field=CharField())


def status_cell() -> Case:
    return label_cell("status", OffenderStatus.choices)


class OfficerLinkColumn(tables.Column):
    """An officer's name, linking to their caseload; 'Unallocated' when there is none. The name is read from
    `name` where the rows carry it as an annotation rather than the officer joined."""

    def __init__(self, accessor: str, *, name: str | None = None, **kwargs):
        kwargs.setdefault("verbose_name", "Officer")
        kwargs.setdefault("default", "Unallocated")
        super().__init__(accessor=name or f"{accessor}__name", order_by=by(f"{accessor}__name"),
                         linkify=("dashboards:officer", {"pk": tables.A(f"{accessor}_id")}), **kwargs)


class DashboardTable(Table):
    export_columns: tuple[ExportColumn, ...] = ()
    export_name = "table"

    class Meta:
        attrs = {"class": "table sortable"}
        template_name = "caseload/dashboards/table.html"


class OverdueItemsTable(DashboardTable):
    """Due items overdue today, one open flag each (which reaches the offender): the offender, their officer, the due
    date and days overdue; each subclass adds its last column and names its due date."""

    reference = tables.Column("Reference", accessor="offender__reference", order_by=by("offender__reference"),
                              linkify=("visits:offender_detail", {"pk": tables.A("offender_id")}))
    name = tables.Column("Name", accessor="offender__surname", order_by=by("offender__surname",
                                                                           "offender__forenames"))
    tier = tables.Column("Tier", accessor="offender__risk_tier__name", order_by=by("offender__risk_tier__order"))
    officer = OfficerLinkColumn("offender__officer", name="officer_name")
    # Both sort on days overdue, not the due date: ordered by the due date itself, PostgreSQL reads the whole
    # register's visits in due-date order from years back (an index that has them all in that order),
    # passing millions closed long ago before the first still overdue.
    due_on = DayColumn(verbose_name="Due", order_by=by("-days_overdue"))
    days_overdue = tables.Column("Days overdue", order_by=by("days_overdue"), attrs={"td": {"class": "num"}})

    @staticmethod
    def offender_export_columns(due: str) -> tuple[ExportColumn, ...]:
        return (
            ExportColumn("Reference", "offender__reference"),
            ExportColumn("Name", full_name_cell("offender__")),
            ExportColumn("Tier", "offender__risk_tier__name"),
            ExportColumn("Officer", officer_cell("offender__officer")),
            ExportColumn(due, "due_on"),
            ExportColumn("Days overdue", "days_overdue"),
        )

    class Meta(DashboardTable.Meta):
        model = Flag
        fields = ()
        order_by = ("-days_overdue",)

    def render_name(self, record):
        return record.offender.full_name

    def render_days_overdue(self, value):
        return format_html('<span class="due overdue">{}</span>', value)


class OverdueTable(OverdueItemsTable):
    last_seen_on = date_column("Last seen", "last_seen_on", default="Never")

    export_name = "overdue-visits"
    export_columns = (*OverdueItemsTable.offender_export_columns("Due"), ExportColumn("Last seen", "last_seen_on"))

    class Meta(OverdueItemsTable.Meta):
        empty_text = "No overdue visits."


class OverdueAssessmentsTable(OverdueItemsTable):
    due_on = DayColumn(verbose_name="Review due", order_by=by("-days_overdue"))
    last_assessed_on = date_column("Last assessed", "last_assessed_on", default="Never")

    export_name = "overdue-assessment-reviews"
    export_columns = (*OverdueItemsTable.offender_export_columns("Review due"),
                      ExportColumn("Last assessed", "last_assessed_on"))

    class Meta(OverdueItemsTable.Meta):
        empty_text = "No overdue assessment reviews."


class OverdueMappaTable(OverdueItemsTable):
    due_on = DayColumn(verbose_name="MAPPA review due", order_by=by("-days_overdue"))
    mappa_level = tables.Column("Level", order_by=by("offender__mappa_level"), attrs={"td": {"class": "num"}})
    last_meeting_on = date_column("Last meeting", "last_meeting_on", default="None recorded")

    export_name = "overdue-mappa-reviews"
    export_columns = (*OverdueItemsTable.offender_export_columns("MAPPA review due"),
                      ExportColumn("Level", "mappa_level"), ExportColumn("Last meeting", "last_meeting_on"))

    class Meta(OverdueItemsTable.Meta):
        empty_text = "No overdue MAPPA reviews."


class UnseenTable(DashboardTable):
    reference = tables.Column("Reference", order_by=by("reference"),
                              linkify=("visits:offender_detail", {"pk": tables.A("pk")}))
    name = tables.Column("Name", accessor="surname", order_by=by("surname", "forenames"))
    tier = tables.Column("Tier", accessor="risk_tier__name", order_by=by("risk_tier__order"))
    officer = OfficerLinkColumn("officer")
    last_seen_on = date_column("Last seen", "last_seen_on", default="Never")
    unseen_from = date_column("Unseen since", "unseen_from")
    days_unseen = tables.Column("Days unseen", order_by=by("-unseen_from"), attrs={"td": {"class": "num"}})

    export_name = "unseen-offenders"
    export_columns = (
        ExportColumn("Reference", "reference"),
        ExportColumn("Name", full_name_cell()),
        ExportColumn("Tier", "risk_tier__name"),
        ExportColumn("Officer", officer_cell("officer")),
        ExportColumn("Last seen", "last_seen_on"),
        ExportColumn("Unseen since", "unseen_from"),
        ExportColumn("Days unseen", "days_unseen"),
    )

    class Meta(DashboardTable.Meta):
        model = Offender
        fields = ()
        order_by = ("-days_unseen",)
        empty_text = "Every offender has been seen within their interval."

    def render_name(self, record):
        return record.full_name


class WorkloadTable(DashboardTable):
    name = tables.Column("Officer", order_by=by("name"), linkify=("dashboards:officer", {"pk": tables.A("pk")}))
    staff_id = tables.Column("Staff ID", order_by=by("staff_id"))
    team = tables.Column("Team", accessor="team__name", order_by=by("team__name"))
    caseload = tables.Column("Caseload", order_by=by("caseload"), attrs={"td": {"class": "num"}})
    fte = tables.Column("FTE", order_by=by("fte"), attrs={"td": {"class": "num"}})
    caseload_per_fte = tables.Column("Per FTE", order_by=by("caseload_per_fte"), attrs={"td": {"class": "num"}})
    capacity_pct = tables.Column("Weighted capacity %", order_by=by("capacity_pct"), attrs={"td": {"class": "num"}})
    available_capacity_pct = tables.Column("Capacity % of hours available today", default="away",
                                           order_by=by("available_capacity_pct"), attrs={"td": {"class": "num"}})
    overdue = tables.Column("Overdue", order_by=by("overdue"), attrs={"td": {"class": "num"}})
    flags = tables.Column("Flags", accessor="flags_raised", order_by=by("overloaded", "capacity_pct"))

    export_name = "officer-workload"
    export_columns = (
        ExportColumn("Officer", "name"),
        ExportColumn("Staff ID", "staff_id"),
        ExportColumn("Team", "team__name"),
        ExportColumn("Caseload", "caseload"),
        ExportColumn("FTE", "fte"),
        ExportColumn("Per FTE", "caseload_per_fte"),
        ExportColumn("Weighted capacity %", "capacity_pct"),
        ExportColumn("Capacity % of hours available today", "available_capacity_pct"),
        ExportColumn("Overdue", "overdue"),
        ExportColumn("Flags", "flags_raised"),
    )

    class Meta(DashboardTable.Meta):
        model = Officer
        fields = ()
        order_by = ("-caseload_per_fte",)
        empty_text = "No officers in this team."

    def render_flags(self, value):
        return format_html('<span class="flag">⚠ {}</span>', value) if value else "—"


class UnallocatedTable(DashboardTable):
    reference = tables.Column("Reference", order_by=by("reference"),
                              linkify=("visits:offender_detail", {"pk": tables.A("pk")}))
    name = tables.Column("Name", accessor="surname", order_by=by("surname", "forenames"))
    tier = tables.Column("Tier", accessor="risk_tier__name", order_by=by("risk_tier__order"))
    status = tables.Column("Status", order_by=by("status"))
    held_by = tables.Column("Held by", accessor="officer__name", default="No officer", order_by=by("officer__name"))
    registered_on = date_column("Registered", "registered_on")
    next_due_on = date_column("Next visit due", "next_due_on", default="None")
    last_seen_on = date_column("Last seen", "last_seen_on", default="Never")

    export_name = "unallocated-offenders"
    export_columns = (
        ExportColumn("Reference", "reference"),
        ExportColumn("Name", full_name_cell()),
        ExportColumn("Tier", "risk_tier__name"),
        ExportColumn("Status", status_cell()),
        ExportColumn("Held by", Coalesce("officer__name", Value("No officer"), output_field=CharField())),
        ExportColumn("Registered", "registered_on"),
        ExportColumn("Next visit due", "next_due_on"),
        ExportColumn("Last seen", "last_seen_on"),
    )

    class Meta(DashboardTable.Meta):
        model = Offender
        fields = ()
        order_by = ("registered_on",)
        empty_text = "Every offender has an officer."

    def render_name(self, record):
        return record.full_name
