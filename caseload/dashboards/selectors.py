"""Reads for the supervisor's dashboard, on the definitions in visits/selectors.py.

`team=None` means every team the user may see. Unallocated offenders belong to no team, so they
count only when no team is picked; the unallocated figure itself always counts them all.

Today's headline figures are counted when asked (an admin's view of every team reads the flag job's
instead: national.py); earlier days' are read from the daily snapshots where one was taken that day
(snapshot_figures.py), else recomputed from the visit history.
"""

import calendar
import datetime as dt

from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value

from caseload.dashboards import HIGH_TIERS, national
from caseload.dashboards.snapshot_figures import snapshot_totals
from offenders.models import Offender, OffenderStatus, Officer, Team
from offenders.roles import Role, role_of
from offenders.selectors import offenders_visible_to, team_ids_visible_to
from visits import rules
from visits.models import Visit
from visits.selectors import (
    last_seen_before,
    offenders_unseen,
    officer_workloads,
    today,
    visits_overdue,
    with_visit_dates,
    year_before,
)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _in_team(queryset: QuerySet, team: Team | None, officer_path: str) -> QuerySet:
    return queryset.filter(**{f"{officer_path}__team": team}) if team else queryset


def managed_offenders(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Offenders the user may see who are managed in the community (missing ones included)."""
    managed = offenders_visible_to(user=user).filter(rules.in_caseload())
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
        days_overdue=rules.days_late(as_of),
        last_seen_on=last_seen_before(as_of, "offender"),
        officer_name=Subquery(officer.values("name")[:1]),
    )


def unseen_offenders(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Unseen offenders, with how many days they have been unseen."""
    as_of = as_of or today()
    unseen = _in_team(offenders_unseen(user=user, as_of=as_of), team, "officer")
    return unseen.select_related("risk_tier", "officer").annotate(
        days_unseen=rules.DaysBetween(Value(as_of, DateField()), F("unseen_from"))
    )


def unallocated_offenders(*, user, as_of: dt.date | None = None) -> QuerySet[Offender]:
    """Managed offenders with no officer, with their open visit's due date and last visit."""
    unallocated = offenders_visible_to(user=user).filter(rules.in_caseload(), officer__isnull=True)
    return with_visit_dates(unallocated.select_related("risk_tier"), as_of=as_of or today())


def team_workloads(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Officer]:
    """Officer workloads (caseload, per FTE, capacity %, overdue, overloaded) for one team or all."""
    workloads = officer_workloads(user=user, as_of=as_of or today())
    return workloads.filter(team=team) if team else workloads


def _overdue_counts(visits: QuerySet[Visit], days: list[dt.date]) -> list[dict]:
    """Overdue and high-or-above overdue on each day, in one pass over the visit history."""
    # Overdue on some day between the first and the last: due before the last and not closed before the first.
    window = visits.filter(due_on__lt=max(days)).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=min(days)))
    aggregates = {}
    for i, day in enumerate(days):
        overdue_that_day = rules.overdue_on(day)
        aggregates[f"overdue_{i}"] = Count("id", filter=overdue_that_day)
        aggregates[f"high_{i}"] = Count(
            "id", filter=overdue_that_day & Q(offender__risk_tier__code__in=HIGH_TIERS)
        )
    counts = window.aggregate(**aggregates)
    return [{"overdue": counts[f"overdue_{i}"], "high": counts[f"high_{i}"]} for i in range(len(days))]


def is_national(*, user, team: Team | None) -> bool:
    """An admin's view of every team, whose figures of today come from the flag job (national.py)."""
    return team is None and role_of(user) == Role.ADMIN


def figures_today(*, user, team: Team | None = None, as_of: dt.date | None = None,
                  overloaded: int | None = None) -> dict:
    """Today's headline figures, counted now (the overloaded officers too, unless `overloaded` gives them).
    For an admin's view of every team the overdue, unseen and overloaded figures are the flag job's, from its
    latest run when that is as of today, and `flags_as_of` says when that run finished (None where everything
    was counted now)."""
    as_of = as_of or today()
    if is_national(user=user, team=team):
        figures = {"on": as_of, "flags_as_of": None, **national.register_counts(as_of=as_of)}
        if run := national.flag_run_of(as_of):
            return {**figures, **national.flagged_counts(), "flags_as_of": run.finished_at}
        return {**figures, **_counted_now(user=user, team=team, as_of=as_of, overloaded=overloaded)}
    managed = managed_offenders(user=user, team=team)
    counts = managed.aggregate(
        offenders_in_community=Count("id", filter=Q(status=OffenderStatus.COMMUNITY, registered_on__lte=as_of)),
        missing=Count("id", filter=Q(status=OffenderStatus.MISSING)),
    )
    return {
        "on": as_of, "flags_as_of": None, **counts,
        "unallocated": unallocated_offenders(user=user, as_of=as_of).count(),
        **_counted_now(user=user, team=team, as_of=as_of, overloaded=overloaded),
    }


def _counted_now(*, user, team: Team | None, as_of: dt.date, overloaded: int | None) -> dict:
    """Overdue visits, unseen offenders and overloaded officers (unless given), counted from the register and
    the visits."""
    unseen = _in_team(offenders_unseen(user=user, as_of=as_of), team, "officer")
    if overloaded is None:
        overloaded = team_workloads(user=user, team=team, as_of=as_of).filter(overloaded=True).count()
    return {
        **overdue_visits_counted(user=user, team=team, as_of=as_of),
        "unseen": unseen.count(),
        "overloaded_officers": overloaded,
    }


def overdue_visits_counted(*, user, team: Team | None, as_of: dt.date) -> dict:
    """Overdue visits on `as_of`, and those of high or very high risk, counted now."""
    visits = _in_team(visits_overdue(user=user, as_of=as_of), team, "offender__officer")
    return visits.aggregate(
        overdue_visits=Count("id"),
        overdue_high_or_above=Count("id", filter=Q(offender__risk_tier__code__in=HIGH_TIERS)),
    )


def figures_on(*, user, team: Team | None = None, days: list[dt.date]) -> dict[dt.date, dict]:
    """The headline figures on earlier days: those of the team snapshots taken that day, else the overdue
    and unseen figures recomputed from the visit history, with offenders in the community then being those
    registered by that day who are managed now, and missing, unallocated and overloaded None (the register
    keeps no history of those)."""
    # The teams' ids as a list, not a subquery: with the list the snapshot index finds the teams' rows of each
    # day; with a subquery every team's rows of those days are read and filtered.
    teams = team_ids_visible_to(user=user)
    figures = snapshot_totals(teams=[team.pk] if team else teams, with_unallocated=team is None, days=days)
    untaken = sorted(set(days) - set(figures))
    if not untaken:
        return figures
    managed = managed_offenders(user=user, team=team)
    community = managed.filter(status=OffenderStatus.COMMUNITY).aggregate(
        **{day.isoformat(): Count("id", filter=Q(registered_on__lte=day)) for day in untaken}
    )
    overdue = _overdue_counts(Visit.objects.filter(offender__in=managed), untaken)
    for day, counts in zip(untaken, overdue, strict=True):
        unseen = _in_team(offenders_unseen(user=user, as_of=day), team, "officer")
        figures[day] = {
            "on": day,
            "offenders_in_community": community[day.isoformat()],
            "overdue_visits": counts["overdue"],
            "overdue_high_or_above": counts["high"],
            "unseen": unseen.count(),
            "missing": None,
            "unallocated": None,
            "overloaded_officers": None,
        }
    return figures


def trend_days(as_of: dt.date, months: int) -> list[dt.date]:
    """The same day of each of the last `months` months, oldest first (today not included)."""
    return [months_before(as_of, n) for n in range(months, 0, -1)]


def comparison_days(as_of: dt.date) -> dict[str, dt.date]:
    return {"month_ago": as_of - dt.timedelta(days=30), "year_ago": year_before(as_of)}


def trend_point(figures: dict) -> dict:
    return {"on": figures["on"], "overdue": figures["overdue_visits"], "high": figures["overdue_high_or_above"]}


def dashboard(*, user, team: Team | None = None, as_of: dt.date, months: int = 12, officers: int = 60) -> dict:
    """Everything the dashboard shows, each figure counted once: the figures compared, the trend and the
    `officers` most loaded officers."""
    earlier = comparison_days(as_of)
    days = trend_days(as_of, months)
    past = figures_on(user=user, team=team, days=sorted({*days, *earlier.values()}))
    workloads = most_loaded(user=user, team=team, as_of=as_of, limit=officers)
    # Shorter than asked for, the list holds every officer counted, so their overloaded ones are counted from it.
    counted_all = len(workloads) < officers and not is_national(user=user, team=team)
    now = figures_today(user=user, team=team, as_of=as_of,
                        overloaded=sum(officer.overloaded for officer in workloads) if counted_all else None)
    return {
        "figures": {"now": now, **{key: past[day] for key, day in earlier.items()}},
        "trend": [trend_point(past[day]) for day in days] + [trend_point(now)],
        "workloads": workloads,
    }


def most_loaded(*, user, team: Team | None, as_of: dt.date, limit: int) -> list[Officer]:
    """The `limit` officers with the highest caseload per FTE, most loaded first (ties by name)."""
    if is_national(user=user, team=team) and (officers := national.most_loaded_officers(as_of=as_of, limit=limit)):
        return officers
    return list(team_workloads(user=user, team=team, as_of=as_of).order_by("-caseload_per_fte", "name")[:limit])
