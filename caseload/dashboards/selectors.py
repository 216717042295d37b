"""Reads for the supervisor's dashboard, on the definitions in visits/selectors.py.

`team=None` means every team the user may see. Unallocated offenders belong to no team, so they
count only when no team is picked; the unallocated figure itself always counts them all.
"""

import calendar
import datetime as dt

from django.db.models import Count, DateField, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value

from offenders.models import MANAGED_STATUSES, Offender, OffenderStatus, Officer, Team
from offenders.selectors import offenders_visible_to, teams_visible_to
from visits.models import TeamSnapshot, Visit
from visits.selectors import (
    last_seen_before,
    offenders_unseen,
    officer_workloads,
    today,
    visits_overdue,
    with_visit_dates,
)

HIGH_TIERS = ("high", "very_high")


class DaysBetween(Func):
    """later - earlier, in whole days (date minus date is an integer in PostgreSQL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _in_team(queryset: QuerySet, team: Team | None, officer_path: str) -> QuerySet:
    return queryset.filter(**{f"{officer_path}__team": team}) if team else queryset


def managed_offenders(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Offenders the user may see who are managed in the community (missing ones included)."""
    managed = offenders_visible_to(user=user).filter(status__in=MANAGED_STATUSES)
    return _in_team(managed, team, "officer")


# What the overdue table shows of a visit and its offender: no more, so that the visits themselves are read
# from the index on (offender, due date), which holds each visit's closing date and id too.
OVERDUE_FIELDS = (
    "due_on", "offender", "offender__reference", "offender__surname", "offender__forenames",
    "offender__risk_tier", "offender__risk_tier__name", "offender__officer",
)


def overdue_visits(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Visit]:
    """Overdue visits with the offender, tier, officer's name, days overdue and the last visit before `as_of`.
    The officer's name is a subquery, read only for the rows of the page: joined, every officer of the register
    would be read before the sort."""
    as_of = as_of or today()
    visits = _in_team(visits_overdue(user=user, as_of=as_of), team, "offender__officer")
    officer = Officer.objects.filter(pk=OuterRef("offender__officer_id")).order_by()
    return visits.select_related("offender__risk_tier").only(*OVERDUE_FIELDS).annotate(
        days_overdue=DaysBetween(Value(as_of, DateField()), F("due_on")),
        last_seen_on=last_seen_before(as_of, "offender"),
        officer_name=Subquery(officer.values("name")[:1]),
    )


def unseen_offenders(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Unseen offenders, with how many days they have been unseen."""
    as_of = as_of or today()
    unseen = _in_team(offenders_unseen(user=user, as_of=as_of), team, "officer")
    return unseen.select_related("risk_tier", "officer").annotate(
        days_unseen=DaysBetween(Value(as_of, DateField()), F("unseen_from"))
    )


def unallocated_offenders(*, user, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Managed offenders with no officer, with their open visit's due date and last visit."""
    unallocated = offenders_visible_to(user=user).filter(status__in=MANAGED_STATUSES, officer__isnull=True)
    return with_visit_dates(unallocated.select_related("risk_tier"), as_of=as_of or today())


def team_workloads(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Officer]:
    """Officer workloads (caseload, per FTE, capacity %, overdue, overloaded) for one team or all."""
    workloads = officer_workloads(user=user, as_of=as_of or today())
    return workloads.filter(team=team) if team else workloads


def _overdue_counts(visits: QuerySet[Visit], days: list[dt.date]) -> list[dict]:
    """Overdue and high-or-above overdue on each day, in one pass over the visit history."""
    window = visits.filter(due_on__lt=max(days)).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=min(days)))
    aggregates = {}
    for i, day in enumerate(days):
        overdue_that_day = Q(due_on__lt=day) & (Q(closed_on__isnull=True) | Q(closed_on__gte=day))
        aggregates[f"overdue_{i}"] = Count("id", filter=overdue_that_day)
        aggregates[f"high_{i}"] = Count(
            "id", filter=overdue_that_day & Q(offender__risk_tier__code__in=HIGH_TIERS)
        )
    counts = window.aggregate(**aggregates)
    return [{"overdue": counts[f"overdue_{i}"], "high": counts[f"high_{i}"]} for i in range(len(days))]


def overdue_trend(*, user, team: Team | None = None, months: int = 12, as_of: dt.date | None = None) -> list[dict]:
    """Overdue visits on the same day of each of the last `months` months and today, oldest first,
    recomputed from the visit history in one query."""
    as_of = as_of or today()
    days = [months_before(as_of, n) for n in range(months, -1, -1)]
    visits = Visit.objects.filter(offender__in=managed_offenders(user=user, team=team))
    return [{"on": day, **counts} for day, counts in zip(days, _overdue_counts(visits, days), strict=True)]


def figures_compared(*, user, team: Team | None = None, as_of: dt.date | None = None) -> dict:
    """Headline figures today, 30 days ago and a year ago. Overdue and unseen are recomputed from the
    visit history; offenders in the community then are those registered by that day who are managed
    now. Missing, unallocated and overloaded come from the daily snapshots of the earlier days, and are
    None where no snapshot was taken."""
    as_of = as_of or today()
    days = {"now": as_of, "month_ago": as_of - dt.timedelta(days=30), "year_ago": year_before(as_of)}
    managed = managed_offenders(user=user, team=team)
    community = managed.filter(status=OffenderStatus.COMMUNITY).aggregate(
        **{key: Count("id", filter=Q(registered_on__lte=day)) for key, day in days.items()}
    )
    overdue = _overdue_counts(Visit.objects.filter(offender__in=managed), list(days.values()))
    figures = {}
    for (key, day), counts in zip(days.items(), overdue, strict=True):
        unseen = _in_team(offenders_unseen(user=user, as_of=day), team, "officer")
        figures[key] = {
            "on": day,
            "offenders_in_community": community[key],
            "overdue_visits": counts["overdue"],
            "overdue_high_or_above": counts["high"],
            "unseen": unseen.count(),
            "missing": None,
            "unallocated": None,
            "overloaded_officers": None,
        }
    figures["now"]["unallocated"] = unallocated_offenders(user=user, as_of=as_of).count()
    figures["now"]["overloaded_officers"] = team_workloads(user=user, team=team, as_of=as_of).filter(
        overloaded=True
    ).count()
    figures["now"]["missing"] = managed.filter(status=OffenderStatus.MISSING).count()
    for key in ("month_ago", "year_ago"):
        figures[key].update(snapshot_figures(user=user, team=team, day=days[key]))
    return figures


def snapshot_figures(*, user, team: Team | None, day: dt.date) -> dict:
    """Missing, unallocated and overloaded on `day` from its team snapshots (None where none was taken)."""
    teams = [team.pk] if team else teams_visible_to(user=user).values("pk")
    rows = TeamSnapshot.objects.filter(day=day, team__in=teams).aggregate(
        teams=Count("id"), missing=Sum("missing"), overloaded=Sum("overloaded_officers")
    )
    unallocated = TeamSnapshot.objects.filter(day=day, team__isnull=True).values_list("unallocated", flat=True)
    return {
        "missing": rows["missing"] if rows["teams"] else None,
        "overloaded_officers": rows["overloaded"] if rows["teams"] else None,
        "unallocated": unallocated.first(),
    }
