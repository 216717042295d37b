"""The supervisor's pages: the dashboard, filterable tables with exports (the notification ones in
notification_views.py), and an officer's caseload.
They read the replica where there is one (caseload/replica.py), after the access check on the primary.
Everything is scoped through the selectors; a team or officer the user may not see is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin

from availability import forecast
from caseload.dashboards import exports, selectors
from caseload.dashboards import notification_selectors as notices
from caseload.dashboards.charts import trend_svg, workload_svg
from caseload.dashboards.counted import dashboard_figures
from caseload.dashboards.filters import (
    OverdueAssessmentsFilter,
    OverdueFilter,
    UnallocatedFilter,
    UnseenFilter,
    WorkloadFilter,
)
from caseload.dashboards.tables import (
    OverdueAssessmentsTable,
    OverdueMappaTable,
    OverdueTable,
    UnallocatedTable,
    UnseenTable,
    WorkloadTable,
    officer_flags_cell,
)
from caseload.replica import ReadsReplicaMixin
from caseload.views import SupervisorRequiredMixin
from offenders.audit import record_access
from offenders.models import OffenderAccess
from offenders.selectors import teams_visible_to
from supervision.dip_samples import dip_sample_figures
from visits.rules import ORDER_NOTICE_DAYS
from visits.selectors import officer_caseload, today
from visits.views import CaseCardsMixin

PER_PAGE = 50
# A page counts no rows: it fetches one row more than it shows to know whether there is a next page.
PAGINATION = {"paginator_class": LazyPaginator, "per_page": PER_PAGE}
MONTHS = 12  # of overdue trend
OFFICERS = 60  # most loaded, read for the chart
CHART_OFFICERS = 30  # drawn, with a link to them all when there are more


def picked_team(request):
    """The team in ?team=, if the user may see it; None for all their teams."""
    team_id = request.GET.get("team")
    if not team_id:
        return None
    if not team_id.isdigit():
        raise Http404("No such team.")
    return get_object_or_404(teams_visible_to(user=request.user), pk=int(team_id))


def is_partial(request) -> bool:
    """An htmx request that wants only the table region, not a history restore."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def plain_bad_request(message: str) -> HttpResponseBadRequest:
    """A 400 whose message (which may quote what was asked for) is shown as text, never read as HTML."""
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


FIGURES = [
    ("offenders_in_community", "Offenders in the community", None),
    ("overdue_visits", "Overdue visits", "dashboards:overdue"),
    ("overdue_high_or_above", "Overdue, high or very high risk", "dashboards:overdue"),
    ("unseen", "Unseen offenders", "dashboards:unseen"),
    ("overdue_assessments", "Overdue assessment reviews", "dashboards:overdue_assessments"),
    ("mappa_reviews_overdue", "Overdue MAPPA reviews", "dashboards:overdue_mappa"),
    ("missing", "Missing", None),
    ("unallocated", "Unallocated offenders", "dashboards:unallocated"),
    ("overloaded_officers", "Overloaded officers", "dashboards:workload"),
]
# Counted from the register as it stands, not from the flags: shown apart (notification_selectors.py).
NOTICE_FIGURES = [
    (selectors.NOTIFICATIONS_OVERDUE, "Overdue notifications", "dashboards:overdue_notifications"),
    (notices.REGISTRATION_ENDED, "Listed for removal: notification period ended", "dashboards:registration_ended"),
    (notices.REVIEW_ELIGIBLE, "Eligible to apply for a review", "dashboards:review_eligible"),
    (notices.ORDERS_ENDING, f"Orders ending within {ORDER_NOTICE_DAYS} days", "dashboards:orders_ending"),
]
NOT_ALERTS = {"offenders_in_community", notices.REVIEW_ELIGIBLE}  # figures to read, not to act on


def figure_rows(figures: dict, team, shown: list[tuple] = FIGURES) -> list[dict]:
    """One row per headline figure of `shown`, with its changes (None where there is no history yet; none at all for
    a figure that no earlier day is counted for)."""
    rows = []
    for key, label, url in shown:
        now = figures["now"][key]
        changes = []
        for when, label_when in (("month_ago", "30 days ago"), ("year_ago", "a year ago")):
            if key not in figures[when]:
                continue
            then = figures[when][key]
            changes.append({"when": label_when, "then": then, "delta": None if then is None else now - then})
        query = {"team": team.pk} if team else {}
        if key == "overdue_high_or_above":
            query["sort"] = "-tier"
        href = f"{reverse(url)}?{urlencode(query)}".rstrip("?") if url else None
        rows.append({"key": key, "label": label, "now": now, "changes": changes, "href": href,
                     "alert": bool(now) and key not in NOT_ALERTS})
    return rows


def backlog_forecast_shown(*, forecast_read: dict | None, as_of, scope: str) -> dict:
    """The backlog forecast's chart, from its reads where the dashboard shows it (forecast.on_the_dashboard)."""
    if forecast_read is None:
        return {}
    made = forecast.forecast_from(forecast_read, as_of)
    return {"forecast": made,
            "forecast_chart": forecast.forecast_svg(made, title=f"Overdue visits now and expected, {scope}")}


class DashboardView(SupervisorRequiredMixin, ReadsReplicaMixin, TemplateView):
    """Headline figures against 30 days and a year ago, the overdue trend, and the officers' loads."""

    template_name = "caseload/dashboard.html"

    def get_context_data(self, **kwargs):
        user, team = self.request.user, picked_team(self.request)
        as_of = today()
        figures = dashboard_figures(user=user, team=team, as_of=as_of)
        shown = selectors.dashboard(user=user, team=team, as_of=as_of, months=MONTHS, officers=OFFICERS,
                                    read_at_once=figures["read_at_once"])
        shown["figures"]["now"].update(figures["notices"])
        scope = team.name if team else "all your teams"
        return super().get_context_data(
            **shown, team=team, teams=list(teams_visible_to(user=user)), chart_limit=CHART_OFFICERS,
            rows=figure_rows(shown["figures"], team), **figures["supervision"], availability=figures["availability"],
            dip_samples=dip_sample_figures(user=user, team=team, as_of=as_of, read_at_once=figures["read_at_once"]),
            **backlog_forecast_shown(forecast_read=figures["forecast"], as_of=as_of, scope=scope),
            notice_rows=figure_rows(shown["figures"], team, NOTICE_FIGURES),
            trend_chart=trend_svg(shown["trend"], title=f"Overdue visits over the last 12 months, {scope}"),
            workload_chart=workload_svg(shown["workloads"], title=f"Caseload per FTE against the ceiling, {scope}"),
            **kwargs,
        )


class DashboardTableView(SupervisorRequiredMixin, ReadsReplicaMixin, SingleTableMixin, FilterView):
    """A filterable, sortable table that pages without counting and exports to CSV or XLSX."""

    template_name = "caseload/dashboards/table_page.html"
    partial_template_name = "caseload/dashboards/table_region.html"
    table_pagination = PAGINATION
    heading = ""
    intro = ""
    offender_field: str | None = "pk"  # where an exported row names its offender, for the read log

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("_export")
        if export_format is not None:
            return self.export(export_format)
        return super().get(request, *args, **kwargs)

    def export(self, export_format: str):
        request = self.request
        if export_format not in ("csv", "xlsx"):
            return plain_bad_request("Unknown export format: choose csv or xlsx.")
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_valid():
            return plain_bad_request("The filters are not valid: " + "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()))
        self.object_list = filterset.qs
        table = self.get_table()
        queryset = table.data.data  # filtered and ordered as the table shows it
        if export_format == "xlsx" and exports.too_big_for_xlsx(queryset):
            messages.error(request, f"XLSX exports are limited to {exports.XLSX_MAX_ROWS:,} rows: narrow the "
                                    "filters, or download CSV, which has no limit.")
            query = request.GET.copy()
            query.pop("_export")
            return redirect(f"{request.path}?{query.urlencode()}")
        if self.offender_field:
            # One read-log row naming the exported rows' offenders, committed (the view runs in autocommit)
            # before the first row is read: an export cut short, or that fails half-way, is still in the log.
            record_access(user=request.user, offenders=queryset.values(self.offender_field), request=request,
                          kind=OffenderAccess.Kind.EXPORT)
        respond = exports.csv_response if export_format == "csv" else exports.xlsx_response
        return respond(queryset, table.export_columns, table.export_name)

    def get_table_pagination(self, table):
        return False if "_export" in self.request.GET else super().get_table_pagination(table)

    def get_template_names(self):
        return [self.partial_template_name] if is_partial(self.request) else [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, intro=self.intro,
                                        **selectors.flag_run_status(today()), **kwargs)


class OverdueView(DashboardTableView):
    heading = "Overdue visits"
    intro = "Visits due before today and not yet made or cancelled, most overdue first."
    table_class = OverdueTable
    filterset_class = OverdueFilter
    offender_field = "offender_id"

    def get_queryset(self):
        return selectors.overdue_visits(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(bulk_cancellable=True, **kwargs)


class OverdueAssessmentsView(DashboardTableView):
    heading = "Overdue assessment reviews"
    intro = ("Risk assessment reviews due before today with no assessment since: one review interval of the tier "
             "after the last assessment, or sooner after a return to the community or a move.")
    table_class = OverdueAssessmentsTable
    filterset_class = OverdueAssessmentsFilter
    offender_field = "offender_id"

    def get_queryset(self):
        return selectors.overdue_assessments(user=self.request.user)


class OverdueMappaView(DashboardTableView):
    heading = "Overdue MAPPA reviews"
    intro = "Level 2 and 3 cases past the next review their last multi-agency meeting set, or with none set."
    table_class = OverdueMappaTable
    filterset_class = OverdueAssessmentsFilter
    offender_field = "offender_id"

    def get_queryset(self):
        return selectors.overdue_mappa_reviews(user=self.request.user)


class UnseenView(DashboardTableView):
    heading = "Unseen offenders"
    intro = ("Offenders in the community whose last completed visit is older than their interval plus the "
             "grace period, whatever happened to their scheduled visits.")
    table_class = UnseenTable
    filterset_class = UnseenFilter

    def get_queryset(self):
        return selectors.unseen_offenders(user=self.request.user)


class WorkloadView(DashboardTableView):
    heading = "Officer workload"
    intro = "Caseload per FTE against each team's ceiling, and risk-weighted capacity."
    table_class = WorkloadTable
    filterset_class = WorkloadFilter
    offender_field = None  # officers only

    def get_queryset(self):
        return selectors.team_workloads(user=self.request.user).annotate(flags_raised=officer_flags_cell())

    def get_context_data(self, **kwargs):
        return super().get_context_data(rebalance_teams=teams_visible_to(user=self.request.user), **kwargs)


class UnallocatedView(DashboardTableView):
    heading = "Unallocated offenders"
    intro = ("Offenders managed in the community who have no officer, or whose officer has left (marked inactive in "
             "the officers list): allocate them to an officer.")
    table_class = UnallocatedTable
    filterset_class = UnallocatedFilter

    def get_queryset(self):
        return selectors.unallocated_offenders(user=self.request.user)


class OfficerView(SupervisorRequiredMixin, ReadsReplicaMixin, CaseCardsMixin, ListView):
    """One officer's workload and caseload (as cards, most urgent first), as their supervisor sees it."""

    template_name = "caseload/dashboards/officer.html"
    with_officer = False  # all theirs

    def get_queryset(self):
        self.officer = get_object_or_404(selectors.team_workloads(user=self.request.user), pk=self.kwargs["pk"])
        return officer_caseload(user=self.request.user).filter(officer=self.officer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(officer=self.officer, **kwargs)
