"""The notification tables of the dashboard: overdue notifications, offenders listed for removal, offenders who may
apply for a review of indefinite notification, and orders ending. They read as the other tables do (tables.py): every
column sorts, ties broken by id, and each says how it exports."""

import django_tables2 as tables
from django.utils.html import format_html

from caseload.dashboards.tables import (
    DashboardTable,
    ExportColumn,
    OfficerLinkColumn,
    by,
    date_column,
    full_name_cell,
    label_cell,
    officer_cell,
    status_cell,
)
from notifications.models import CivilOrder, OrderKind
from offenders.models import Offender
from visits.models import Review
from visits.rules import ORDER_NOTICE_DAYS

NUMBER = {"td": {"class": "num"}}


def case_table(path: str, of_model) -> type[DashboardTable]:
    """A table of `of_model` whose rows reach their offender through `path` ("" for the offenders themselves,
    "offender__" for their due items and orders): the offender's reference (linking to their page), name, tier,
    officer and team."""
    offender_id = f"{path.removesuffix('__')}_id" if path else "pk"

    class CaseTable(DashboardTable):
        reference = tables.Column("Reference", accessor=f"{path}reference", order_by=by(f"{path}reference"),
                                  linkify=("visits:offender_detail", {"pk": tables.A(offender_id)}))
        name = tables.Column("Name", accessor=f"{path}surname", order_by=by(f"{path}surname", f"{path}forenames"))
        tier = tables.Column("Tier", accessor=f"{path}risk_tier__name", order_by=by(f"{path}risk_tier__order"))
        officer = OfficerLinkColumn(f"{path}officer")
        team = tables.Column("Team", accessor=f"{path}officer__team__name", order_by=by(f"{path}officer__team__name"),
                             default="—")

        case_export_columns = (
            ExportColumn("Reference", f"{path}reference"),
            ExportColumn("Name", full_name_cell(path)),
            ExportColumn("Tier", f"{path}risk_tier__name"),
            ExportColumn("Officer", officer_cell(f"{path}officer")),
            ExportColumn("Team", f"{path}officer__team__name"),
        )

        class Meta(DashboardTable.Meta):
            model = of_model
            fields = ()

        def render_name(self, record):
            return (record.offender if path else record).full_name

    return CaseTable


OffenderTable = case_table("", Offender)
NotificationDueTable = case_table("offender__", Review)
OrderTable = case_table("offender__", CivilOrder)


class OverdueNotificationsTable(NotificationDueTable):
    notification_kind = tables.Column("Kind", order_by=by("notification_kind"))
    due_on = date_column("Due", "due_on")
    days_late = tables.Column("Days late", order_by=by("days_late"), attrs=NUMBER)

    export_name = "overdue-notifications"
    export_columns = (*NotificationDueTable.case_export_columns, ExportColumn("Kind", "notification_kind"),
                      ExportColumn("Due", "due_on"), ExportColumn("Days late", "days_late"))

    class Meta(NotificationDueTable.Meta):
        order_by = ("-days_late",)
        empty_text = "No overdue notifications: every offender has notified on time."

    def render_days_late(self, value):
        return format_html('<span class="due overdue">{}</span>', value)


class RegistrationEndedTable(OffenderTable):
    status = tables.Column("Status", order_by=by("status"))
    registration_ends_on = date_column("Period ended", "registration_ends_on")
    days_ended = tables.Column("Days since", order_by=by("days_ended"), attrs=NUMBER)

    export_name = "listed-for-removal"
    export_columns = (*OffenderTable.case_export_columns, ExportColumn("Status", status_cell()),
                      ExportColumn("Period ended", "registration_ends_on"), ExportColumn("Days since", "days_ended"))

    class Meta(OffenderTable.Meta):
        order_by = ("registration_ends_on",)
        empty_text = "No offender's notification period has ended: nobody is listed for removal."


class ReviewEligibleTable(OffenderTable):
    first_notified = date_column("First notified", "first_notified")
    review_eligible_from = date_column("Eligible from", "review_eligible_from")

    export_name = "review-eligible"
    export_columns = (*OffenderTable.case_export_columns, ExportColumn("First notified", "first_notified"),
                      ExportColumn("Eligible from", "review_eligible_from"))

    class Meta(OffenderTable.Meta):
        order_by = ("review_eligible_from",)
        empty_text = "No offender on indefinite notification may apply for a review yet."


class OrdersEndingTable(OrderTable):
    kind = tables.Column("Order", order_by=by("kind"))
    starts_on = date_column("Starts", "starts_on")
    ends_on = date_column("Ends", "ends_on")
    days_left = tables.Column("Days left", order_by=by("days_left"), attrs=NUMBER)

    export_name = "orders-ending"
    export_columns = (*OrderTable.case_export_columns, ExportColumn("Order", label_cell("kind", OrderKind.choices)),
                      ExportColumn("Starts", "starts_on"), ExportColumn("Ends", "ends_on"),
                      ExportColumn("Days left", "days_left"))

    class Meta(OrderTable.Meta):
        order_by = ("ends_on",)
        empty_text = f"No orders end within the next {ORDER_NOTICE_DAYS} days."
