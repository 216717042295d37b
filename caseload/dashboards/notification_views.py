"""The supervisor's notification tables: overdue notifications, offenders listed for removal, offenders who may apply
for a review of indefinite notification, and orders ending. Filterable, paged without counting and exported as the
other tables are (views.DashboardTableView); an export names its offenders in the read log."""

from caseload.dashboards import notification_selectors as selectors
from caseload.dashboards.filters import OrdersEndingFilter, OverdueNotificationsFilter, TeamOfficerTierFilter
from caseload.dashboards.notification_tables import (
    OrdersEndingTable,
    OverdueNotificationsTable,
    RegistrationEndedTable,
    ReviewEligibleTable,
)
from caseload.dashboards.views import DashboardTableView
from visits.rules import ORDER_NOTICE_DAYS


class NotificationTableView(DashboardTableView):
    """A table counted from the register as it stands (notification_selectors.py), not from the open flags: `rows`
    is the selector, called with the user."""

    rows = None  # staticmethod(selector)

    def get_queryset(self):
        return self.rows(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(counted_live=True, **kwargs)


class OverdueNotificationsView(NotificationTableView):
    heading = "Overdue notifications"
    intro = ("Offenders whose next notification was due before today and who have not notified since: a year after "
             "the last one, or a week for someone of no fixed abode. Each is a breach of the notification "
             "requirements.")
    table_class = OverdueNotificationsTable
    filterset_class = OverdueNotificationsFilter
    rows = staticmethod(selectors.overdue_notifications)
    offender_field = "offender_id"


class RegistrationEndedView(NotificationTableView):
    heading = "Listed for removal"
    intro = ("Offenders whose notification period has ended. Open an offender's page to remove them from the "
             "register; the record and its history are kept.")
    table_class = RegistrationEndedTable
    filterset_class = TeamOfficerTierFilter
    rows = staticmethod(selectors.registration_ended)


class ReviewEligibleView(NotificationTableView):
    heading = "Eligible to apply for a review"
    intro = ("Offenders on indefinite notification who may apply for a review of it: 15 years after their first "
             "notification (8 if they were under 18 then), or 8 years after a refusal, and no SHPO in force.")
    table_class = ReviewEligibleTable
    filterset_class = TeamOfficerTierFilter
    rows = staticmethod(selectors.review_eligible)


class OrdersEndingView(NotificationTableView):
    heading = "Orders ending"
    intro = (f"Civil orders (SHPOs, foreign travel prohibitions and others) ending within the next {ORDER_NOTICE_DAYS} "
             "days, today included, soonest first.")
    table_class = OrdersEndingTable
    filterset_class = OrdersEndingFilter
    rows = staticmethod(selectors.orders_ending)
    offender_field = "offender_id"
