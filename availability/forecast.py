"""The backlog forecast: the overdue visits expected in 30 and 90 days if nothing changes, for a team or for every
officer a user sees.

Assumptions, as the page says them: each officer goes on completing visits at the rate they completed them over the
last 8 weeks, counted per day they were at work (days away left out); they make no visits on the days away already
booked; each day they make the visits already due, earliest first, never one not yet due; a visit made schedules the
next one an interval later (the offender's interval); nobody joins, leaves, moves or changes tier. A visit is overdue
on day D when due before D and not made before D (visits/rules.py's overdue_on).

The same forecast made as of 90 days ago, from the open visits of that day and the 8 weeks before it, is set against
what happened (the overdue counts of the days it forecast, by the one rule): the backtest the page shows."""

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from caseload.dashboards.counting import one_row
from offenders.availability_models import AWAY, Absence
from offenders.models import Officer
from offenders.roles import Role, role_of
from offenders.selectors import officers_visible_to, supervised_officer_ids
from visits import rules
from visits.models import Visit, VisitStatus

LOOKBACK_DAYS = 56
HORIZONS = (30, 90)


@dataclass
class Forecast:
    as_of: dt.date
    overdue_now: int
    expected: dict[int, int] = field(default_factory=dict)  # horizon in days -> overdue visits expected then
    officers: int = 0
    made_per_week: float = 0.0  # visits the officers made a week, over the lookback, per week at work
    days_away: int = 0  # officer-days away already booked within the longest horizon


def on_managed_cases(officers: QuerySet[Officer]) -> Q:
    """Visits to the cases these officers manage, found through one join to the offender (a second look-up of the
    offenders, as `offender__in=` a queryset of them, took twice as long for a supervisor's 12,000 cases)."""
    return rules.in_caseload("offender__") & Q(offender__officer__in=officers)


def away_days_read(officers: QuerySet[Officer], start: dt.date, days: int) -> QuerySet:
    """The booked absences (not reductions) of these officers that fall among the `days` days from `start`."""
    end = start + dt.timedelta(days=days - 1)
    return (Absence.objects.filter(officer__in=officers, kind__in=AWAY, starts_on__lte=end, ends_on__gte=start)
            .values_list("officer_id", "starts_on", "ends_on"))


def away_days(absences, start: dt.date, days: int) -> dict[int, set[dt.date]]:
    """Each officer's days away among the `days` days from `start`, from away_days_read()'s absences."""
    end = start + dt.timedelta(days=days - 1)
    away = defaultdict(set)
    for officer_id, first, last in absences:
        day = max(first, start)
        while day <= min(last, end):
            away[officer_id].add(day)
            day += dt.timedelta(days=1)
    return away


def completion_rates(officer_ids, made: dict[int, int], as_of: dt.date,
                     away: dict[int, set[dt.date]]) -> dict[int, float]:
    """Visits each officer's cases had made a day over the LOOKBACK_DAYS before `as_of` (`made`, by officer), per day
    the officer was at work (of their days `away`, those of the lookback count)."""
    start = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    return {pk: made.get(pk, 0) / max(LOOKBACK_DAYS - sum(start <= day < as_of for day in away.get(pk, ())), 1)
            for pk in officer_ids}


def open_visits(rows) -> dict[int, list[tuple[dt.date, int]]]:
    """Each officer's open visits (due date, the offender's interval), from the "open" read of forecast_reads()."""
    queues = defaultdict(list)
    for officer_id, due_on, interval in rows:
        queues[officer_id].append((due_on, interval))
    return queues


def simulate(queue: list[tuple[dt.date, int]], rate: float, away: set[dt.date], start: dt.date,
             horizons=HORIZONS) -> dict[int, int]:
    """One officer's visits day by day from `start`: the overdue visits on start + each horizon. Days are counted
    as offsets from `start` (whole numbers walk faster than dates: the dashboard's 20 officers over 90 days, 2.0 →
    0.9 ms)."""
    origin = start.toordinal()
    heap = [(due_on.toordinal() - origin, interval) for due_on, interval in queue]
    heapq.heapify(heap)
    away_offsets = {day.toordinal() - origin for day in away}
    credit, expected = 0.0, {}
    for offset in range(max(horizons)):
        if offset not in away_offsets:
            credit = min(credit + rate, rate + 1)  # a day's unused time is not banked beyond the next
            while credit >= 1 and heap and heap[0][0] <= offset:
                _, interval = heapq.heappop(heap)
                credit -= 1
                heapq.heappush(heap, (offset + interval, interval))
        if offset + 1 in horizons:
            expected[offset + 1] = sum(1 for due, _ in heap if due <= offset)
    return expected


def forecast_reads(officers: QuerySet[Officer], as_of: dt.date) -> dict[str, QuerySet]:
    """What the forecast of these officers' cases as of `as_of` reads: the officers; their days away over the
    lookback and the horizons, read at once; the visits their cases had made over the lookback, by officer; each
    case's open visit on `as_of` (per case, the earliest visit not closed before that day, with the offender's
    interval); and the visits overdue on `as_of`."""
    officers = officers.order_by()
    lookback = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    return {
        "officers": officers.values_list("pk"),
        "away": away_days_read(officers, lookback, LOOKBACK_DAYS + max(HORIZONS)),
        "made": (Visit.objects.filter(on_managed_cases(officers), status=VisitStatus.COMPLETED,
                                      completed_on__gte=lookback, completed_on__lt=as_of)
                 .values_list("offender__officer").annotate(n=Count("id")).order_by()),
        "open": (Visit.objects.filter(rules.open_on(as_of), on_managed_cases(officers))
                 .order_by("offender_id", "due_on").distinct("offender_id")
                 .values_list("offender__officer", "due_on", rules.interval_days("offender__"))),
        "overdue_now": one_row(Visit.objects.filter(rules.overdue_on(as_of), on_managed_cases(officers)),
                               n=Count("pk")).values_list("n"),
    }


def forecast_from(read: dict[str, list[tuple]], as_of: dt.date) -> Forecast:
    """The forecast from the rows of forecast_reads()."""
    lookback = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    away_then_and_ahead = away_days(read["away"], lookback, LOOKBACK_DAYS + max(HORIZONS))
    rates = completion_rates([pk for pk, in read["officers"]], dict(read["made"]), as_of, away=away_then_and_ahead)
    queues = open_visits(read["open"])
    away = {pk: {day for day in days if day >= as_of} for pk, days in away_then_and_ahead.items()}
    expected = dict.fromkeys(HORIZONS, 0)
    for officer_id, rate in rates.items():
        for horizon, n in simulate(queues.get(officer_id, []), rate, away.get(officer_id, set()), as_of).items():
            expected[horizon] += n
    overdue_now = read["overdue_now"][0][0] if read["overdue_now"] else 0  # no row where no officer is seen
    return Forecast(as_of=as_of, overdue_now=overdue_now, expected=expected, officers=len(rates),
                    made_per_week=round(sum(rate * 7 for rate in rates.values()), 1),
                    days_away=sum(len(days) for days in away.values()))


def backlog_forecast(officers: QuerySet[Officer], as_of: dt.date) -> Forecast:
    """The overdue visits of these officers' cases expected in HORIZONS days from `as_of`."""
    return forecast_from({name: list(rows) for name, rows in forecast_reads(officers, as_of).items()}, as_of)


@dataclass
class Backtest:
    made_on: dt.date  # the day the forecast is made as of
    forecast: dict[int, int]
    actual: dict[int, int]

    @property
    def errors(self) -> dict[int, float | None]:
        """The forecast's error on each horizon, as a share of what happened."""
        return {h: (self.forecast[h] - self.actual[h]) / self.actual[h] if self.actual[h] else None
                for h in self.forecast}


def backtest(officers: QuerySet[Officer], today: dt.date, days_back: int = max(HORIZONS)) -> Backtest:
    """The forecast as of `days_back` days ago, against the overdue counts of the days it forecast."""
    made_on = today - dt.timedelta(days=days_back)
    forecast = backlog_forecast(officers, made_on).expected
    actual = {h: Visit.objects.filter(rules.overdue_on(made_on + dt.timedelta(days=h)),
                                      on_managed_cases(officers)).count()
              for h in forecast if made_on + dt.timedelta(days=h) <= today}
    return Backtest(made_on=made_on, forecast={h: forecast[h] for h in actual}, actual=actual)



# A supervisor's dashboard across more officers than this leaves the forecast to its own page, as an admin's across
# every team does: at 1M offenders, the forecast of three teams (60 officers, 12,000 cases) was half the dashboard's
# time (its reads 55 ms of the figures' 120, its day-by-day walk 26 ms).
DASHBOARD_OFFICERS = 40


def on_the_dashboard(*, user, team) -> bool:
    """Whether the dashboard shows the forecast: for a team, or for a supervisor's teams of at most DASHBOARD_OFFICERS
    officers; across more (an admin's whole register, a supervisor of several large teams) it has its own page, since
    it follows each officer's visits day by day."""
    if team is not None:
        return True
    return role_of(user) == Role.SUPERVISOR and len(supervised_officer_ids(user)) <= DASHBOARD_OFFICERS


def officers_in_scope(*, user, team) -> QuerySet[Officer]:
    """The officers a user sees, in `team` if one is picked."""
    officers = officers_visible_to(user=user)
    return officers.filter(team=team) if team is not None else officers


def forecast_svg(forecast: Forecast, *, title: str) -> SafeString:
    """Bars of the overdue visits now and expected at each horizon, with their figures."""
    bars = [("Now", forecast.overdue_now)] + [(f"In {h} days", forecast.expected[h]) for h in HORIZONS]
    width, height, left, bottom, top = 480, 200, 16, 36, 24
    tallest = max([n for _, n in bars] + [1])
    span = (width - 2 * left) / len(bars)
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="forecast-title">',
                         width, height),
             format_html('<title id="forecast-title">{}</title>', title)]
    for i, (label, n) in enumerate(bars):
        bar = (height - top - bottom) * n / tallest
        x = left + i * span + span * 0.2
        y = height - bottom - bar
        middle = f"{x + span * 0.3:.1f}"
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>'
            '<text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">{}</text>',
            f"{x:.1f}", f"{y:.1f}", f"{span * 0.6:.1f}", f"{bar:.1f}", "bar now" if i == 0 else "bar forecast",
            middle, f"{y - 6:.1f}", n, middle, height - 12, label))
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a closing tag)
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped by format_html)
