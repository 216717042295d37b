"""Monthly dip samples: the draw (a service the beat runs on the 1st), the review (a service), and their reads
(selectors). A sample is a due item (`due_on`, `closed_on`), so whether a review is overdue on a day is
visits/rules.py's `overdue_on`, as for visits and reviews of the case."""

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, router, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet, Subquery
from django.utils import timezone

from caseload.dashboards.counting import one_row, read, reading
from offenders.models import Officer, Team
from offenders.roles import Role, role_of
from offenders.selectors import supervised_team_ids
from supervision.dip_models import DEFAULT_MINIMUM, DEFAULT_PERCENT, REVIEW_DAYS, DipOutcome, DipSample, DipSamplePolicy
from visits import rules
from visits.flagging import flags_refresh_for
from visits.models import Visit, VisitStatus

logger = logging.getLogger(__name__)

DRAW_LOCK = "caseload.supervision.dip_samples_draw"


# --- months -------------------------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before `day`'s: the month the draw on the 1st samples."""
    return month_of(month_of(day) - dt.timedelta(days=1))


# --- the draw -----------------------------------------------------------------------------------------------


def sample_size(*, cases: int, percent: int, minimum: int) -> int:
    """percent% of an officer's visited cases, rounded up, at least `minimum`, never more than there are."""
    return min(cases, max(minimum, -(-cases * percent // 100)))


def draw_key(*, month: dt.date, team_id: int, offender_id: int) -> str:
    """A case's place in the draw: a hash seeded by the month and team, so the same month and team always draw the
    same cases, and no one can predict (or steer) which cases next month's draw takes without the register."""
    return hashlib.sha256(f"{month:%Y-%m}:{team_id}:{offender_id}".encode()).hexdigest()


def policy_of(team_id: int, policies: dict[int, DipSamplePolicy]) -> tuple[int, int]:
    policy = policies.get(team_id)
    return (policy.percent, policy.minimum) if policy else (DEFAULT_PERCENT, DEFAULT_MINIMUM)


def visited_cases(*, month: dt.date) -> QuerySet[Visit]:
    """For each case with a completed visit in `month`, that month's latest completed visit (ties: the later
    recorded): the case goes to the officer who made it, and to no other officer who saw the case that month."""
    return (Visit.objects.filter(status=VisitStatus.COMPLETED, completed_on__gte=month,
                                 completed_on__lt=next_month(month), officer__isnull=False)
            .order_by("offender_id", "-completed_on", "-id").distinct("offender_id"))


@dataclass(frozen=True)
class DrawResult:
    month: dt.date
    officers: int  # officers sampled by this draw
    drawn: int  # samples written


def dip_samples_draw(*, month: dt.date, team: Team | None = None, drawn_on: dt.date | None = None) -> DrawResult:
    """Draw the dip samples of `month` (the month whose visits are sampled) for every team, or one: per officer,
    max(minimum, ceil(percent% of their visited cases)) of them, by draw_key. Idempotent: an officer sampled for
    the month already, and a case sampled already, are passed over, so drawing again writes nothing."""
    month, drawn_on = month_of(month), drawn_on or rules.today()
    with transaction.atomic():
        with connection.cursor() as cursor:  # two draws at once (beat and the command) take turns
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [DRAW_LOCK])
        sampled = DipSample.objects.filter(month=month)
        visits = (Visit.objects.filter(pk__in=visited_cases(month=month).values("pk"))
                  .exclude(offender_id__in=sampled.values("offender_id"))
                  .exclude(officer_id__in=sampled.values("officer_id")))
        if team is not None:
            visits = visits.filter(officer__team=team)
        by_officer: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for visit_id, offender_id, officer_id, team_id in visits.values_list("id", "offender_id", "officer_id",
                                                                            "officer__team_id"):
            by_officer[(officer_id, team_id)].append((offender_id, visit_id))
        policies = {p.team_id: p for p in DipSamplePolicy.objects.filter(team_id__in={t for _, t in by_officer})}
        due_on = drawn_on + dt.timedelta(days=REVIEW_DAYS)
        rows = []
        for (officer_id, team_id), cases in by_officer.items():
            percent, minimum = policy_of(team_id, policies)
            cases.sort(key=lambda case: draw_key(month=month, team_id=team_id, offender_id=case[0]))
            rows += [DipSample(month=month, team_id=team_id, officer_id=officer_id, offender_id=offender_id,
                               visit_id=visit_id, drawn_on=drawn_on, due_on=due_on)
                     for offender_id, visit_id in cases[:sample_size(cases=len(cases), percent=percent,
                                                                     minimum=minimum)]]
        written = DipSample.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    logger.info("Dip samples of %s drawn: %d samples for %d officers", f"{month:%Y-%m}", len(written),
                len(by_officer))
    return DrawResult(month=month, officers=len(by_officer), drawn=len(written))


# --- the review ---------------------------------------------------------------------------------------------


def dip_sample_review(*, sample: DipSample, user, outcome: str, note: str,
                      follow_up_on: dt.date | None = None) -> DipSample:
    """Record the review of a sample: satisfactory, or action needed with the date to follow it up. Reviewed once;
    never by the officer who made the visit sampled (a supervisor who also carries cases reviews no case of theirs).
    Who may review at all (a supervisor of the sample's team, or an admin) is the selector's scope."""
    with transaction.atomic():
        sample = DipSample.objects.select_for_update(no_key=True).select_related("officer").get(pk=sample.pk)
        if sample.closed_on is not None:
            raise ValidationError("This sample has been reviewed already.", code="conflict")
        if sample.officer.user_id is not None and sample.officer.user_id == user.pk:
            raise ValidationError("This is your own case: another supervisor of the team or an admin reviews it.",
                                  code="own_case")
        errors = {}
        today = rules.today()
        if outcome not in DipOutcome.values:
            errors["outcome"] = "Choose satisfactory or action needed."
        if not note.strip():
            errors["note"] = "Say what you found."
        if outcome == DipOutcome.ACTION_NEEDED and follow_up_on is None:
            errors["follow_up_on"] = "Action is needed: give the date to follow it up."
        elif outcome == DipOutcome.ACTION_NEEDED and follow_up_on < today:
            errors["follow_up_on"] = "The follow-up date cannot be in the past."
        elif outcome != DipOutcome.ACTION_NEEDED and follow_up_on is not None:
            errors["follow_up_on"] = "Leave the follow-up date blank: the case is satisfactory."
        if errors:
            raise ValidationError(errors)
        sample.reviewer, sample.reviewed_at, sample.closed_on = user, timezone.now(), today
        sample.outcome, sample.note, sample.follow_up_on = outcome, note.strip(), follow_up_on
        sample.full_clean()
        sample.save()
        flags_refresh_for(officers=[sample.officer_id])  # a flag on overdue reviews may clear
    return sample


# --- reads --------------------------------------------------------------------------------------------------

STATES = (("due", "To review"), ("overdue", "Overdue"), ("done", "Reviewed"))


def dip_samples_visible_to(*, user) -> QuerySet[DipSample]:
    """The samples a user reviews or reads: an admin every team's, a supervisor their teams', nobody else any."""
    role = role_of(user)
    if role == Role.ADMIN:
        return DipSample.objects.all()
    if role == Role.SUPERVISOR:
        return DipSample.objects.filter(team_id__in=supervised_team_ids(user))
    return DipSample.objects.none()


def done_on(day: dt.date) -> Q:
    """Reviewed by `day`, as rules.counted_until counts it (today: as it stands)."""
    return Q(closed_on__lt=rules.counted_until(day))


def in_state(state: str, day: dt.date) -> Q:
    """due: waiting and not yet overdue on `day`; overdue: rules.overdue_on; done: reviewed."""
    if state == "overdue":
        return rules.overdue_on(day)
    if state == "done":
        return done_on(day)
    return (Q(closed_on__isnull=True) | Q(closed_on__gte=rules.counted_until(day))) & Q(due_on__gte=day)


def dip_samples_for_list(*, user, as_of: dt.date) -> QuerySet[DipSample]:
    """The visible samples with what a list shows, and whether each is overdue on `as_of`."""
    return (dip_samples_visible_to(user=user)
            .select_related("team", "officer", "offender", "visit", "reviewer")
            .annotate(overdue=ExpressionWrapper(rules.overdue_on(as_of), output_field=BooleanField())))


def dip_sample_counting(*, user, team: Team | None, as_of: dt.date) -> QuerySet:
    """The dashboard's tile as a one_row() (read with the dashboard's other figures: caseload/dashboards/counted.py):
    reviews waiting (and of them overdue) across months, and the latest month drawn with how many of its samples
    were reviewed and found to need action, each named with DIP_PREFIX."""
    samples = dip_samples_visible_to(user=user)
    if team is not None:
        samples = samples.filter(team=team)
    latest = Q(month=Subquery(one_row(samples, month=Max("month"))))
    return one_row(samples, **{DIP_PREFIX + name: count for name, count in {
        "latest_month": Max("month"),
        "due": Count("pk", filter=in_state("due", as_of)), "overdue": Count("pk", filter=rules.overdue_on(as_of)),
        "latest_sampled": Count("pk", filter=latest),
        "latest_reviewed": Count("pk", filter=latest & done_on(as_of)),
        "latest_action_needed": Count("pk", filter=latest & Q(outcome=DipOutcome.ACTION_NEEDED) & done_on(as_of)),
    }.items()})


DIP_PREFIX = "dip_"


def dip_sample_figures(*, user, team: Team | None, as_of: dt.date, read_at_once: dict | None = None) -> dict:
    """dip_sample_counting()'s figures; `read_at_once` holds them where the caller read them with others."""
    if read_at_once is None:
        read_at_once = read(reading({}, [dip_sample_counting(user=user, team=team, as_of=as_of)]),
                            using=router.db_for_read(DipSample))
    return {"as_of": as_of, **{name.removeprefix(DIP_PREFIX): value for name, value in read_at_once.items()
                               if name.startswith(DIP_PREFIX)}}


def dip_sample_results(samples: QuerySet[DipSample], *, as_of: dt.date) -> QuerySet:
    """Per officer and month: sampled, reviewed, satisfactory, action needed, overdue on `as_of` (the export)."""
    done = done_on(as_of)
    return (samples.order_by().values("officer__staff_id", "month")
            .annotate(sampled=Count("pk"), reviewed=Count("pk", filter=done),
                      satisfactory=Count("pk", filter=done & Q(outcome=DipOutcome.SATISFACTORY)),
                      action_needed=Count("pk", filter=done & Q(outcome=DipOutcome.ACTION_NEEDED)),
                      overdue=Count("pk", filter=rules.overdue_on(as_of)))
            .order_by("officer__staff_id", "month"))


def officers_with_samples(*, user) -> QuerySet[Officer]:
    """The officers whose samples a user sees, for the list's filter."""
    return Officer.objects.filter(pk__in=dip_samples_visible_to(user=user).values("officer_id")).order_by("name")
