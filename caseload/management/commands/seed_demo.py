"""Build a force-sized demo register: three teams, 20 officers, about 1,300 offenders with a
realistic backlog and two years of visit history, and one login per role."""

import datetime as dt
import random

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from caseload.dashboards.selectors import days_read
from caseload.dashboards.views import MONTHS
from notifications.models import CivilOrder, Notification, NotificationKind, OrderKind
from offenders.availability_models import Absence, AbsenceKind
from offenders.models import Offender, OffenderStatus, Officer, RiskAssessment, RiskTier, Team
from offenders.roles import Role
from visits import rules
from visits.flagging import flags_refresh
from visits.models import MAPPA_REVIEWED_LEVELS, Review, ReviewKind, Visit, VisitStatus
from visits.snapshots import snapshot_take

DEMO_PASSWORD = "caseload-demo"
TEAMS = ["North", "South", "West"]
FORENAMES = ["James", "John", "Robert", "Michael", "David", "Paul", "Mark", "Andrew", "Steven", "Gary",
             "Kevin", "Lee", "Wayne", "Darren", "Craig", "Dean", "Daniel", "Thomas", "Stuart", "Neil"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
            "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke"]
OFFICER_NAMES = ["Dana Whitlock", "Priya Raman", "Tom Ashby", "Alex Carter", "Sam O'Neill", "Jo Bannerman",
                 "Chris Okafor", "Mel Hughes", "Kit Brennan", "Ruth Salazar", "Lee Marsh", "Nia Evans",
                 "Olu Adeyemi", "Pat Kowalczyk", "Ros Lindqvist", "Jamie Fenwick", "Aisha Rahman",
                 "Gerry Doyle", "Zoë Müller", "Siobhán Kelly"]
# Cases per officer: three drowning (one of them part-time), the rest near the ceiling.
CASELOADS = [180, 100, 170, 42, 48, 45, 52, 38, 47, 50, 44, 49, 41, 46, 53, 43, 47, 45, 48, 44]
TIER_MIX = [("low", 0.50), ("medium", 0.30), ("high", 0.18), ("very_high", 0.02)]


class Command(BaseCommand):
    help = "Load demo teams, officers, offenders and visit history, and create one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when offenders exist")
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, if_empty=False, seed=2016, **options):
        if if_empty and Offender.objects.exists():
            self.stdout.write("Register already has offenders; demo data not loaded.")
            self.print_logins()
            return
        today = timezone.localdate()
        with transaction.atomic():
            build_demo(random.Random(seed), today)  # noqa: S311 (demo data)
        # The days the dashboard reads (its trend, 30 days and a year ago) have their snapshots, as they would after
        # a year of the beat job's daily ones; the flags page starts full.
        for day in [*days_read(today, MONTHS), today]:
            snapshot_take(day=day)
        flags_refresh(as_of=today)
        self.stdout.write(self.style.SUCCESS(f"Demo register loaded: {Offender.objects.count()} offenders."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in [("officer", "Officer, team North"), ("supervisor", "Supervisor, North and South"),
                               ("admin", "Admin")]:
            self.stdout.write(f"  {username:<11} {role}")


def build_demo(rng: random.Random, today: dt.date) -> None:
    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
    officers = []
    for i, name in enumerate(OFFICER_NAMES):
        officer, _ = Officer.objects.update_or_create(
            staff_id=f"OM{i + 1:03d}",
            defaults={"name": name, "team": teams[i % 3 if i > 2 else (0, 0, 1)[i]],
                      "fte": 0.5 if i == 1 else 1, "email": f"om{i + 1:03d}@police.example"},
        )
        officers.append(officer)
    users = create_logins(officers[3], teams[:2])
    tiers = {t.code: t for t in RiskTier.objects.all()}
    slots = [o for o, n in zip(officers, CASELOADS, strict=True) for _ in range(n)] + [None] * 25
    offenders, visits, assessments = [], [], []
    for n, officer in enumerate(slots, start=1):
        tier = tiers[rng.choices([c for c, _ in TIER_MIX], [w for _, w in TIER_MIX])[0]]
        status = rng.choices(["community", "custody", "missing", "hospital"], [0.95, 0.03, 0.01, 0.01])[0]
        registered = today - dt.timedelta(days=rng.randrange(200, 4000))
        offenders.append(Offender(
            reference=f"DEMO-{n:06d}", surname=rng.choice(SURNAMES), forenames=rng.choice(FORENAMES),
            date_of_birth=dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(0, 20000)),
            risk_tier=tier, status=status, officer=officer, registered_on=registered,
            mappa_category=1, mappa_level=rng.choices([1, 2, 3], [0.95, 0.04, 0.01])[0],
            address=f"{rng.randrange(1, 200)} Demo Street",
            postcode=f"CM{rng.randrange(1, 30)} {rng.randrange(1, 9)}XX",
        ))
    notified = random.Random("notifications")  # noqa: S311 (a stream of its own, as for the assessments)
    set_notification_periods(notified, offenders, today)
    Offender.objects.bulk_create(offenders)
    assessed = random.Random("assessments")  # noqa: S311 (a stream of its own: the rest of the demo stays as it was)
    for offender in offenders:
        assessments.append(RiskAssessment(offender=offender, risk_tier=offender.risk_tier,
                                          tool=RiskAssessment.Tool.ARMS,
                                          assessed_on=last_assessed(assessed, offender, today)))
        visits.extend(visit_history(rng, offender, today))
    RiskAssessment.objects.bulk_create(assessments)
    Visit.objects.bulk_create(visits)
    Review.objects.bulk_create(
        Review(offender=a.offender, due_on=rules.next_review_due(
            last_assessed_on=a.assessed_on, interval=a.risk_tier.review_interval_days,
            registered_on=a.offender.registered_on))
        for a in assessments
    )
    # The level 2 and 3 cases' MAPPA reviews: most set by their last meeting, a few past it.
    Review.objects.bulk_create(
        Review(offender=o, kind=ReviewKind.MAPPA, due_on=today + dt.timedelta(days=assessed.randrange(-40, 120)))
        for o in offenders if o.mappa_level in MAPPA_REVIEWED_LEVELS
    )
    notification_history(notified, offenders, today)
    # One officer off sick this fortnight (their cases falling due wait for cover), another on a reduction.
    Absence.objects.bulk_create([
        Absence(officer=officers[4], kind=AbsenceKind.SICKNESS, starts_on=today - dt.timedelta(days=2),
                ends_on=today + dt.timedelta(days=11)),
        Absence(officer=officers[5], kind=AbsenceKind.REDUCTION, starts_on=today - dt.timedelta(days=30),
                ends_on=today + dt.timedelta(days=60), hours_per_week=7.5, reason="Training the new intake"),
    ])
    for user in users:
        user.save()


def set_notification_periods(rng: random.Random, offenders: list[Offender], today: dt.date) -> None:
    """Most on indefinite notification; some with a fixed period, a few of them ended; a few of no fixed abode."""
    for offender in offenders:
        if rng.random() < 0.35:  # a fixed period: most still running, a few ended lately (to be removed)
            ends = rules.years_after(offender.registered_on, rng.choice([2, 5, 7, 10]))
            ended_lately = today - dt.timedelta(days=rng.randrange(1, 60))
            running = ends if ends > today else today + dt.timedelta(days=rng.randrange(90, 5 * 365))
            offender.registration_ends_on = ended_lately if rng.random() < 0.03 else running
        elif rng.random() < 0.04:  # on the register long enough to apply for a review of indefinite notification
            offender.registered_on = today - dt.timedelta(days=rng.randrange(15 * 365, 20 * 365))
        offender.first_notified_on = offender.registered_on + dt.timedelta(days=rng.randrange(0, 4))
        offender.no_fixed_abode = rng.random() < 0.02


def notification_history(rng: random.Random, offenders: list[Offender], today: dt.date) -> None:
    """Each offender's latest notification (a few late to notify, the weekly ones late more often), the next one due
    after it, and civil orders: SHPOs on about one in five, some ending soon."""
    made, due, orders = [], [], []
    for offender in offenders:
        interval = 7 if offender.no_fixed_abode else 365
        late = rng.random() < (0.2 if offender.no_fixed_abode else 0.03)
        last = today - dt.timedelta(days=interval + rng.randrange(1, 40) if late else rng.randrange(0, interval))
        last = max(last, offender.first_notified_on)
        kind = NotificationKind.WEEKLY if offender.no_fixed_abode else NotificationKind.PERIODIC
        made.append(Notification(offender=offender, notified_on=last, kind=kind))
        offender.last_notified_on = last
        due.append(Review(offender=offender, kind=ReviewKind.NOTIFICATION, due_on=rules.next_notification_due(
            last_notified_on=last, no_fixed_abode=offender.no_fixed_abode)))
        if rng.random() < 0.2:
            starts = offender.registered_on + dt.timedelta(days=rng.randrange(0, 60))
            ends = None if rng.random() < 0.5 else today + dt.timedelta(
                days=rng.randrange(0, 45) if rng.random() < 0.1 else rng.randrange(-200, 1500))
            orders.append(CivilOrder(offender=offender, kind=OrderKind.SHPO, starts_on=starts,
                                     ends_on=ends if ends is None or ends >= starts else starts,
                                     conditions="No unsupervised contact with children under 16"))
    Notification.objects.bulk_create(made)
    Offender.objects.bulk_update(offenders, ["last_notified_on"], batch_size=2000)
    Review.objects.bulk_create(due)
    CivilOrder.objects.bulk_create(orders)


def last_assessed(rng: random.Random, offender: Offender, today: dt.date) -> dt.date:
    """The demo offender's latest assessment: most reassessed within their review interval, some late."""
    interval = offender.risk_tier.review_interval_days
    return max(today - dt.timedelta(days=rng.randrange(0, interval + interval // 3)), offender.registered_on)


def visit_history(rng: random.Random, offender: Offender, today: dt.date) -> list[Visit]:
    """Completed visits back to registration; heavier caseloads slip more, and more lately."""
    interval = offender.risk_tier.visit_interval_days
    slip = min(0.85, CASELOADS[int(offender.officer.staff_id[2:]) - 1] / 200 if offender.officer_id else 0.3)
    done = today - dt.timedelta(days=rng.randrange(0, interval))
    overdue = rng.random() < slip * 0.6
    if overdue:
        done -= dt.timedelta(days=interval + int(rng.random() ** 2 * 200))
    if offender.status not in (OffenderStatus.COMMUNITY, OffenderStatus.MISSING):
        overdue = False
    visits = [Visit(offender=offender, officer=offender.officer, due_on=done + dt.timedelta(days=interval),
                    status=VisitStatus.SCHEDULED)]
    if offender.status not in (OffenderStatus.COMMUNITY, OffenderStatus.MISSING):
        visits[0].status, visits[0].cancelled_on = VisitStatus.CANCELLED, done + dt.timedelta(days=interval // 2)
        visits[0].cancel_reason = f"Suspended: {offender.get_status_display().lower()}"
    while done > max(offender.registered_on, today - dt.timedelta(days=730)):
        due = done - dt.timedelta(days=rng.randrange(0, 40) if rng.random() < slip / 3 else 0)
        visits.append(Visit(offender=offender, officer=offender.officer, due_on=due, status=VisitStatus.COMPLETED,
                            completed_on=done, kind=Visit.Kind.HOME_UNANNOUNCED, outcome=Visit.Outcome.SEEN))
        done = due - dt.timedelta(days=interval)
    return visits


def create_logins(officer: Officer, supervised: list[Team]) -> list[User]:
    groups = {role: Group.objects.get(name=role) for role in Role}
    officer_user = demo_user("officer", "Alex", "Carter", groups[Role.OFFICER])
    officer.user = officer_user
    officer.save(update_fields=["user"])
    supervisor = demo_user("supervisor", "Sam", "Sergeant", groups[Role.SUPERVISOR])
    for team in supervised:
        team.supervisors.add(supervisor)
    admin = demo_user("admin", "Ada", "Admin", groups[Role.ADMIN], is_staff=True, is_superuser=True)
    return [officer_user, supervisor, admin]


def demo_user(username: str, first: str, last: str, group: Group, **flags) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last, **flags})
    user.set_password(DEMO_PASSWORD)
    user.groups.add(group)
    return user
