"""Reads for the supervisor's dashboard, on the rules in visits/rules.py and the flags that keep them.

`team=None` means every team the user may see. Unallocated offenders belong to no team, so they
count only when no team is picked; the unallocated figure itself always counts them all.

Today's figures and tables are the open flags, which the services keep current with every write and the hourly
job with the calendar (visits/flagging.py); the page says when that job last ran. Earlier days' figures are read
from the daily snapshots where one was taken that day (snapshot_figures.py), else recomputed from the visit
history.
"""

import calendar
import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db import router
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import Lookup

from caseload.dashboards import HIGH_TIERS
from caseload.dashboards.counting import one_row, read, reading
from caseload.dashboards.most_loaded import most_loaded_officers
from caseload.dashboards.snapshot_figures import snapshot_rows, snapshot_totals
from offenders.models import Offender, OffenderStatus, Officer, RiskAssessment, Team
from offenders.roles import Role, role_of
from offenders.selectors import (
    offenders_visible_to,
    officers_visible_to,
    team_ids_visible_to,
)
from visits import rules
from visits.built_once import NO_ROWS, built_per_scope, compiled, literal, read_kept
from visits.formula import DaysBetween
from visits.models import (
    OFFICER_FLAG_KINDS,
    Flag,
    FlagKind,
    FlagRun,
    MappaMeeting,
    Review,
    ReviewKind,
    TeamSnapshot,
    Visit,
)
from visits.selectors import (
    last_seen_before,
    officer_workloads,
    review_counts,
    reviews_counted_among,
    today,
    unseen_counts_among,
    with_visit_dates,
    year_before,
)

NOTIFICATIONS_OVERDUE = "notifications_overdue"
# The figures recounted from the reviews for an earlier day, by the kind of review.
REVIEW_FIGURES = [(ReviewKind.ASSESSMENT, "overdue_assessments"), (ReviewKind.MAPPA, "mappa_reviews_overdue"),
                  (ReviewKind.NOTIFICATION, NOTIFICATIONS_OVERDUE)]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _in_team(queryset: QuerySet, team: Team | None, officer_path: str) -> QuerySet:
    """`queryset` narrowed to `team` (reached through `officer_path`; "" for officers themselves), if given."""
    if team is None:
        return queryset
    return queryset.filter(**{f"{officer_path}__team" if officer_path else "team": team})


def managed_offenders(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Offenders the user may see who are managed in the community (missing ones included)."""
    managed = offenders_visible_to(user=user).filter(rules.in_caseload())
    return _in_team(managed, team, "officer")


def open_flags(*, user, kind: FlagKind | list[FlagKind], team: Team | None = None) -> QuerySet[Flag]:
    """Open flags of `kind` on the offenders (or, for overloads, the officers) the user may see, in `team`. The
    subjects are read first, as an array, and their flags then found through the open-flag indexes: a supervisor's
    few thousand cases are never matched against the whole register's flags."""
    kinds = kind if isinstance(kind, list) else [kind]
    flags = Flag.objects.filter(kind__in=kinds, cleared_at__isnull=True)
    if team is None and role_of(user) == Role.ADMIN:
        return flags  # everyone's
    if set(kinds) <= set(OFFICER_FLAG_KINDS):
        officers = _in_team(officers_visible_to(user=user), team, "")
        # officer_id not null, as flag_open_officer_idx is
        return flags.filter(AnyOf(F("officer_id"), ArraySubquery(officers.order_by().values("pk"))),
                            officer__isnull=False)
    offenders = _in_team(offenders_visible_to(user=user), team, "officer")
    return flags.filter(AnyOf(F("offender_id"), ArraySubquery(offenders.order_by().values("pk"))))


def flagged_offenders(*, user, kind: FlagKind, team: Team | None = None) -> QuerySet[Offender]:
    """The offenders the user may see (in `team`) who carry an open flag of `kind`: open_flags() scopes the flags,
    and their offenders are then looked up by id (far fewer than the register)."""
    flagged_ids = ArraySubquery(open_flags(user=user, kind=kind, team=team).order_by().values("offender"))
    return Offender.objects.filter(AnyOf(F("pk"), flagged_ids))


class AnyOf(Lookup):
    """lhs is one of an array's elements, written lhs IN (SELECT unnest(rhs)): PostgreSQL reckons an unnested array
    at ten rows, so it looks each element up in an index on lhs. Written lhs = ANY(rhs), an array read by a subquery
    is checked element by element against every row a small table's scan reads: a demo supervisor's 1,000 cases
    against each of its open flags, 3.5 of the dashboard's milliseconds (README: Figures)."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN (SELECT unnest({rhs}))", [*lhs_params, *rhs_params]


# What the overdue table shows of a flag's visit and offender: no more.
OVERDUE_FIELDS = (
    "visit", "visit__due_on", "offender", "offender__reference", "offender__surname", "offender__forenames",
    "offender__risk_tier", "offender__risk_tier__name", "offender__officer",
)


@built_per_scope
def overdue_visits(*, user, team: Team | None = None) -> QuerySet[Flag]:
    """Today's overdue visits: their open flags, with the visit's due date, the offender, tier, officer's name, days
    overdue and the last visit. The flags lead, each reaching its visit and offender by id, so that however the
    planner reckons the register's size, no join scans it. The officer's name is a subquery, read only for the rows
    of the page: joined, every officer of the register would be read before the sort. The queryset is kept per
    user's scope and day (building it cost the table's page 2.7 ms)."""
    as_of = today()
    officer = Officer.objects.filter(pk=OuterRef("offender__officer_id")).order_by()
    flags = open_flags(user=user, kind=FlagKind.OVERDUE_VISIT, team=team)
    return flags.select_related("visit", "offender__risk_tier").only(*OVERDUE_FIELDS).annotate(
        due_on=F("visit__due_on"),
        days_overdue=rules.days_late(as_of, "visit__"),
        last_seen_on=last_seen_before(as_of, "offender"),
        officer_name=Subquery(officer.values("name")[:1]),
    )


def overdue_reviews(*, user, kind: FlagKind, team: Team | None = None) -> QuerySet[Flag]:
    """Today's overdue reviews of a kind: their open flags (as the tile counts them), with the review's due date as
    the flag records it, days overdue and the officer's name (a subquery, as for the overdue visits)."""
    officer = Officer.objects.filter(pk=OuterRef("offender__officer_id")).order_by()
    due_on = Cast(KT("details__due_on"), DateField())
    flags = open_flags(user=user, kind=kind, team=team)
    return flags.select_related("offender__risk_tier").only(*OVERDUE_FIELDS[2:]).annotate(
        due_on=due_on,
        days_overdue=DaysBetween(Value(today(), DateField()), due_on),
        officer_name=Subquery(officer.values("name")[:1]),
    )


def overdue_assessments(*, user, team: Team | None = None) -> QuerySet[Flag]:
    """Today's overdue risk assessment reviews, with the last assessment."""
    latest = RiskAssessment.objects.filter(offender=OuterRef("offender_id")).order_by("-assessed_on")
    return overdue_reviews(user=user, kind=FlagKind.ASSESSMENT_OVERDUE, team=team).annotate(
        last_assessed_on=Subquery(latest.values("assessed_on")[:1]))


def overdue_mappa_reviews(*, user, team: Team | None = None) -> QuerySet[Flag]:
    """Today's overdue MAPPA reviews of level 2 and 3 cases, with the case's level and last meeting."""
    latest = MappaMeeting.objects.filter(offender=OuterRef("offender_id")).order_by("-held_on")
    return overdue_reviews(user=user, kind=FlagKind.MAPPA_OVERDUE, team=team).annotate(
        mappa_level=F("offender__mappa_level"), last_meeting_on=Subquery(latest.values("held_on")[:1]))


# What the unseen table shows of an offender (its annotations apart): a page's rows read nothing else.
UNSEEN_FIELDS = ("reference", "surname", "forenames", "risk_tier", "risk_tier__name", "officer", "officer__name")


@built_per_scope
def unseen_offenders(*, user, team: Team | None = None) -> QuerySet[Offender]:
    """Today's unseen offenders (those flagged), with the day they became unseen and for how many days; the queryset
    kept per user's scope and day, as overdue_visits()'s."""
    as_of = today()
    unseen = flagged_offenders(user=user, kind=FlagKind.UNSEEN_OFFENDER, team=team)
    return unseen.select_related("risk_tier", "officer").only(*UNSEEN_FIELDS).annotate(
        last_seen_on=last_seen_before(as_of), unseen_from=rules.unseen_from(),
    ).annotate(days_unseen=DaysBetween(Value(as_of, DateField()), F("unseen_from")))


def unallocated_offenders(*, user) -> QuerySet[Offender]:
    """Today's unallocated offenders (those flagged), with their open visit's due date and last visit."""
    unallocated = flagged_offenders(user=user, kind=FlagKind.UNALLOCATED_OFFENDER)
    return with_visit_dates(unallocated.select_related("risk_tier", "officer"), as_of=today())


def team_workloads(*, user, team: Team | None = None, as_of: dt.date | None = None) -> QuerySet[Officer]:
    """Officer workloads (caseload, per FTE, capacity %, overdue, overloaded) for one team or all."""
    workloads = officer_workloads(user=user, as_of=as_of or today())
    return workloads.filter(team=team) if team else workloads


def _overdue_counts(visits: QuerySet[Visit], days: list[dt.date]) -> list[dict]:
    """Overdue and high-or-above overdue on each day, in one pass over the visit history."""
    # Overdue on some day between the first and the last: due before the last and not closed before the first.
    window = visits.filter(due_on__lt=max(days)).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=min(days)))
    # The tier's condition once, as a column each day's count reads (not worked out again for each day).
    window = window.annotate(high=ExpressionWrapper(Q(offender__risk_tier__code__in=HIGH_TIERS),
                                                    output_field=BooleanField()))
    aggregates = {}
    for i, day in enumerate(days):
        overdue_that_day = rules.overdue_on(day)
        aggregates[f"overdue_{i}"] = Count("id", filter=overdue_that_day)
        aggregates[f"high_{i}"] = Count("id", filter=overdue_that_day & Q(high=True))
    counts = window.aggregate(**aggregates)
    return [{"overdue": counts[f"overdue_{i}"], "high": counts[f"high_{i}"]} for i in range(len(days))]


def overdue_reviews_counting(*, user, team: Team | None = None, days: dict[ReviewKind, list[dt.date]]) -> QuerySet:
    """Offenders with a review of each kind overdue on each of its days, recounted from the reviews (no snapshot keeps
    them) in one pass over every kind's reviews, for the offenders managed now that the user may see (as figures_on
    counts the visits); the reviews that count of each kind are those review_counts() (MAPPA: level 2 and 3 cases).
    A one_row() of counts named by review_count_name(); overdue_reviews_on() reads it."""
    every = [day for kind_days in days.values() for day in kind_days]
    reviews = reviews_counted_among(managed_offenders(user=user, team=team), list(days))
    window = reviews.filter(due_on__lt=max(every)).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=min(every)))
    return one_row(window, **{
        review_count_name(kind, i): Count("offender_id", distinct=True,
                                          filter=review_counts(kind) & rules.overdue_on(day))
        for kind, kind_days in days.items() for i, day in enumerate(kind_days)})


def review_count_name(kind: ReviewKind, index: int) -> str:
    return f"reviews_{kind}_{index}"


def overdue_reviews_on(*, user, team: Team | None = None, days: dict[ReviewKind, list[dt.date]],
                       read_at_once: dict | None = None) -> dict[ReviewKind, dict[dt.date, int]]:
    """overdue_reviews_counting()'s counts by kind and day; `read_at_once` holds them where the caller read them with
    others (counted.py)."""
    if read_at_once is None:
        read_at_once = read(reading({}, [overdue_reviews_counting(user=user, team=team, days=days)]),
                            using=router.db_for_read(Review))
    return {kind: {day: read_at_once[review_count_name(kind, i)] for i, day in enumerate(kind_days)}
            for kind, kind_days in days.items()}


LATEST_FLAG_RUN = f"SELECT id, as_of, finished_at FROM {FlagRun._meta.db_table} ORDER BY id DESC LIMIT 1"


def flag_run_status(as_of: dt.date) -> dict:
    """The hourly flag job's latest run (the page says when it finished), and whether it was before `as_of`: read on
    every dashboard page, by a statement prepared on the connection (through the ORM, 1.6 ms a page)."""
    using = router.db_for_read(FlagRun)
    latest = read_kept(LATEST_FLAG_RUN, using=using)
    run = FlagRun.from_db(using, list(latest[0]), list(latest[0].values())) if latest else None
    return {"flag_run": run, "flags_stale": run is None or run.as_of < as_of}


def counts_today(*, user, team: Team | None = None, as_of: dt.date) -> dict[str, QuerySet]:
    """What today's headline figures count besides flags_today(): the offenders in the community, from the register;
    the overloaded officers' flags; and, with a team picked, the unallocated offenders' flags, which belong to no
    team."""
    counts = {
        "offenders_in_community": managed_offenders(user=user, team=team).filter(
            status=OffenderStatus.COMMUNITY, registered_on__lte=as_of),
        "overloaded_officers": open_flags(user=user, kind=FlagKind.OVERLOADED_OFFICER, team=team),
    }
    if team is not None:
        counts["unallocated"] = open_flags(user=user, kind=FlagKind.UNALLOCATED_OFFENDER)
    return counts


def flags_today(*, user, team: Team | None = None) -> QuerySet:
    """Today's figures the open flags of the offenders the user may see (in `team`) give, as a one_row() of their
    counts by kind. The unallocated offenders belong to no team: counted with the rest when no team is picked, apart
    otherwise (counts_today())."""
    unallocated = FlagKind.UNALLOCATED_OFFENDER
    kinds = [FlagKind.OVERDUE_VISIT, FlagKind.UNSEEN_OFFENDER, FlagKind.MISSING_OFFENDER, FlagKind.ASSESSMENT_OVERDUE,
             FlagKind.MAPPA_OVERDUE, *([unallocated] * (not team))]
    return one_row(
        open_flags(user=user, kind=kinds, team=team),
        overdue_visits=Count("pk", filter=Q(kind=FlagKind.OVERDUE_VISIT)),
        # the tier an overdue flag records is the offender's: a tier change brings their flags in line
        overdue_high_or_above=Count("pk", filter=Q(kind=FlagKind.OVERDUE_VISIT, details__tier__in=HIGH_TIERS)),
        unseen=Count("pk", filter=Q(kind=FlagKind.UNSEEN_OFFENDER)),
        missing=Count("pk", filter=Q(kind=FlagKind.MISSING_OFFENDER)),
        overdue_assessments=Count("pk", filter=Q(kind=FlagKind.ASSESSMENT_OVERDUE)),
        mappa_reviews_overdue=Count("pk", filter=Q(kind=FlagKind.MAPPA_OVERDUE)),
        **({"unallocated": Count("pk", filter=Q(kind=unallocated))} if team is None else {}),
    )


FIGURES_TODAY = ("overdue_visits", "overdue_high_or_above", "unseen", "missing", "overdue_assessments",
                 "mappa_reviews_overdue", "unallocated", "offenders_in_community", "overloaded_officers")


def figures_today(*, user, team: Team | None = None, as_of: dt.date | None = None,
                  read_at_once: dict | None = None) -> dict:
    """Today's headline figures: the open flags, counted for what the user may see (in `team`), and the offenders
    in the community, counted from the register (flags_today(), counts_today()); with flag_run_status().
    `read_at_once` holds them where the caller read them with others (counted.py)."""
    as_of = as_of or today()
    if read_at_once is None:
        counts, flags = counts_today(user=user, team=team, as_of=as_of), flags_today(user=user, team=team)
        read_at_once = read(reading(counts, [flags]), using=router.db_for_read(Flag))
    return {"on": as_of, **{key: read_at_once[key] for key in FIGURES_TODAY}, **flag_run_status(as_of)}


def figures_on(*, user, team: Team | None = None, days: list[dt.date]) -> dict[dt.date, dict]:
    """The headline figures on earlier days: those of the team snapshots taken that day, else the overdue
    and unseen figures recomputed from the visit history, with offenders in the community then being those
    registered by that day who are managed now, and missing, unallocated and overloaded None (the register
    keeps no history of those)."""
    rows = read_kept(snapshots_sql(user=user, team=team, days=tuple(days)), using=router.db_for_read(TeamSnapshot))
    figures = snapshot_totals(rows)
    untaken = sorted(set(days) - set(figures))
    if not untaken:
        return figures
    managed = managed_offenders(user=user, team=team)
    community = managed.filter(status=OffenderStatus.COMMUNITY).aggregate(
        **{day.isoformat(): Count("id", filter=Q(registered_on__lte=day)) for day in untaken}
    )
    overdue = _overdue_counts(Visit.objects.filter(offender__in=managed), untaken)
    unseen = unseen_counts_among(_in_team(offenders_visible_to(user=user), team, "officer"), untaken)
    for day, counts in zip(untaken, overdue, strict=True):
        figures[day] = {
            "on": day,
            "offenders_in_community": community[day.isoformat()],
            "overdue_visits": counts["overdue"],
            "overdue_high_or_above": counts["high"],
            "unseen": unseen[day],
            "missing": None,
            "unallocated": None,
            "overloaded_officers": None,
        }
    return figures


@built_per_scope
def snapshots_sql(*, user, team: Team | None, as_of: dt.date | None = None, days: tuple[dt.date]) -> str:
    """figures_on()'s read of the snapshots, kept for the user's scope and the days, and prepared on the connection
    (built and planned afresh it took three times as long as running it)."""
    # The teams' ids as a list, not a subquery: with the list the snapshot index finds the teams' rows of each
    # day; with a subquery every team's rows of those days are read and filtered.
    teams = [team.pk] if team else team_ids_visible_to(user=user)
    rows = snapshot_rows(teams=teams, with_unallocated=team is None, days=list(days))
    return literal(*compiled(rows, empty=("SELECT NULL AS day, 0 AS taken WHERE false", ())))


def trend_days(as_of: dt.date, months: int) -> list[dt.date]:
    """The same day of each of the last `months` months, oldest first (today not included)."""
    return [months_before(as_of, n) for n in range(months, 0, -1)]


def comparison_days(as_of: dt.date) -> dict[str, dt.date]:
    return {"month_ago": as_of - dt.timedelta(days=30), "year_ago": year_before(as_of)}


def days_read(as_of: dt.date, months: int) -> list[dt.date]:
    """The earlier days the dashboard reads (its trend's and its comparisons'), oldest first: a snapshot of each
    spares the dashboard recounting that day from the history."""
    return sorted({*trend_days(as_of, months), *comparison_days(as_of).values()})


def trend_point(figures: dict) -> dict:
    return {"on": figures["on"], "overdue": figures["overdue_visits"], "high": figures["overdue_high_or_above"]}


def review_days(as_of: dt.date) -> dict[ReviewKind, list[dt.date]]:
    """The days the dashboard recounts the overdue reviews of each kind for: the notifications' today too."""
    earlier = [*comparison_days(as_of).values()]
    return {ReviewKind.ASSESSMENT: earlier, ReviewKind.MAPPA: earlier, ReviewKind.NOTIFICATION: [as_of, *earlier]}


def dashboard(*, user, team: Team | None = None, as_of: dt.date, months: int = 12, officers: int = 60,
              read_at_once: dict | None = None) -> dict:
    """Everything the dashboard shows, each figure counted once: the figures compared (the overdue notifications
    among them: the other notification figures are notification_selectors.py's), the trend and the `officers` most
    loaded officers. `read_at_once`: today's figures and the reviews of review_days(), where the caller read them
    with others (counted.py)."""
    earlier = comparison_days(as_of)
    days = trend_days(as_of, months)
    past = figures_on(user=user, team=team, days=sorted({*days, *earlier.values()}))
    workloads = most_loaded(user=user, team=team, as_of=as_of, limit=officers)
    now = figures_today(user=user, team=team, as_of=as_of, read_at_once=read_at_once)
    reviews = overdue_reviews_on(user=user, team=team, days=review_days(as_of), read_at_once=read_at_once)
    now[NOTIFICATIONS_OVERDUE] = reviews[ReviewKind.NOTIFICATION][as_of]
    return {
        "figures": {"now": now, **{key: {**past[day], **{name: reviews[kind][day] for kind, name in REVIEW_FIGURES}}
                                   for key, day in earlier.items()}},
        "trend": [trend_point(past[day]) for day in days] + [trend_point(now)],
        "workloads": workloads,
    }


def most_loaded(*, user, team: Team | None, as_of: dt.date, limit: int) -> list[dict]:
    """The `limit` officers with the highest caseload per FTE, most loaded first (ties by name), as the workload
    chart shows them (chart_loads()). For an admin's view of every team they are found by one grouped pass over the
    register (most_loaded.py); else from a statement kept for the user's scope and the day, prepared on the
    connection (built, compiled and planned afresh, it was twice the time of running it)."""
    if team is None and role_of(user) == Role.ADMIN and (
            officers := most_loaded_officers(as_of=as_of, limit=limit)):
        return list(chart_loads(officers))
    return read_kept(most_loaded_sql(user=user, team=team, as_of=as_of, limit=limit),
                     using=router.db_for_read(Officer))


@built_per_scope
def most_loaded_sql(*, user, team: Team | None, as_of: dt.date, limit: int) -> str:
    loads = team_workloads(user=user, team=team, as_of=as_of).order_by("-caseload_per_fte", "name")[:limit]
    return literal(*compiled(chart_loads(loads), empty=NO_ROWS))


def chart_loads(officers: QuerySet[Officer]) -> QuerySet:
    """What the workload chart shows of each of these officers (with their workloads): name, caseload per FTE, the
    team's ceiling and whether overloaded."""
    return officers.annotate(ceiling=F("team__caseload_ceiling_per_fte")).values(
        "name", "caseload_per_fte", "ceiling", "overloaded")
