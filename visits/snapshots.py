"""Daily figures per officer and per team, kept for trends; any past day can be backfilled.

A day's figures are computed from the visit history as of that day (overdue, unseen); who holds
which case and each offender's status are today's, since the register keeps no history of those.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from offenders.models import MANAGED_STATUSES, Offender, OffenderStatus, Officer, RiskTier, Team
from visits.models import OfficerSnapshot, TeamSnapshot
from visits.selectors import overdue_among, unseen_among, workloads_among

OFFICER_FIGURES = [
    "team", "in_community", "missing", "caseload", "fte", "caseload_per_fte", "weighted_points", "capacity_pct",
    "overdue", "overdue_by_tier", "unseen", "overloaded", "taken_at",
]
TEAM_FIGURES = [
    "in_community", "missing", "caseload", "fte", "caseload_per_fte", "capacity_pct", "overdue", "overdue_by_tier",
    "unseen", "unallocated", "overloaded_officers", "taken_at",
]


@dataclass
class SnapshotResult:
    days: int = 0
    officer_rows: int = 0
    team_rows: int = 0


def per_officer(day: dt.date) -> dict:
    """Grouped counts keyed by officer id (None for unallocated offenders)."""
    everyone = Offender.objects.all()
    status = defaultdict(lambda: {"in_community": 0, "missing": 0})
    rows = everyone.filter(status__in=MANAGED_STATUSES).order_by().values_list("officer", "status")
    for officer, state, n in rows.annotate(n=Count("id")):
        status[officer]["in_community" if state == OffenderStatus.COMMUNITY else "missing"] += n
    tiers = list(RiskTier.objects.values_list("code", flat=True))
    by_tier = defaultdict(lambda: dict.fromkeys(tiers, 0))
    overdue = overdue_among(everyone, day).order_by().values_list("offender__officer", "offender__risk_tier__code")
    for officer, tier, n in overdue.annotate(n=Count("id")):
        by_tier[officer][tier] = n
    unseen = dict(unseen_among(everyone, day).order_by().values_list("officer").annotate(n=Count("id")))
    return {"status": status, "by_tier": by_tier, "unseen": unseen, "tiers": tiers}


def officer_rows(day: dt.date, counts: dict, now) -> list[OfficerSnapshot]:
    rows = []
    for officer in workloads_among(Officer.objects.all(), day):
        if not (officer.active or officer.caseload):
            continue
        by_tier = counts["by_tier"][officer.id]
        rows.append(OfficerSnapshot(
            day=day, officer=officer, team=officer.team, caseload=officer.caseload, fte=officer.fte,
            caseload_per_fte=officer.caseload_per_fte, weighted_points=officer.weighted_points,
            capacity_pct=officer.capacity_pct, overdue=sum(by_tier.values()), overdue_by_tier=by_tier,
            unseen=counts["unseen"].get(officer.id, 0), overloaded=officer.overloaded, taken_at=now,
            **counts["status"][officer.id],
        ))
    return rows


def team_rows(day: dt.date, officers: list[OfficerSnapshot], counts: dict, now) -> list[TeamSnapshot]:
    teams = {team.id: team for team in Team.objects.all()}
    totals = {team_id: TeamSnapshot(day=day, team=team, overdue_by_tier=dict.fromkeys(counts["tiers"], 0),
                                    taken_at=now) for team_id, team in teams.items()}
    points = defaultdict(Decimal)
    capacity = defaultdict(Decimal)
    for row in officers:
        total = totals[row.team.id]
        for name in ("in_community", "missing", "caseload", "overdue", "unseen"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for tier, n in row.overdue_by_tier.items():
            total.overdue_by_tier[tier] = total.overdue_by_tier.get(tier, 0) + n
        if not row.officer.active:  # an officer who has left: their cases are the team's to allocate again
            total.unallocated += row.in_community + row.missing
        total.fte += row.fte
        total.overloaded_officers += row.overloaded
        points[row.team.id] += row.weighted_points
        capacity[row.team.id] += row.team.capacity_points_per_fte * row.fte
    for team_id, total in totals.items():
        if total.fte:
            total.caseload_per_fte = round(Decimal(total.caseload) / total.fte, 1)
            total.capacity_pct = round(points[team_id] * 100 / capacity[team_id], 1)
    unallocated_tiers = counts["by_tier"][None]
    status = counts["status"][None]
    unallocated = TeamSnapshot(
        day=day, team=None, unallocated=status["in_community"] + status["missing"],
        overdue=sum(unallocated_tiers.values()), overdue_by_tier=unallocated_tiers,
        unseen=counts["unseen"].get(None, 0), taken_at=now, **status,
    )
    return [*totals.values(), unallocated]


@transaction.atomic
def snapshot_take(*, day: dt.date) -> SnapshotResult:
    """Record (or record again) every officer's and team's figures for `day`."""
    now = timezone.now()
    counts = per_officer(day)
    officers = officer_rows(day, counts, now)
    teams = team_rows(day, officers, counts, now)
    OfficerSnapshot.objects.bulk_create(
        officers, update_conflicts=True, unique_fields=["day", "officer"], update_fields=OFFICER_FIGURES
    )
    TeamSnapshot.objects.bulk_create(
        teams, update_conflicts=True, unique_fields=["day", "team"], update_fields=TEAM_FIGURES
    )
    return SnapshotResult(days=1, officer_rows=len(officers), team_rows=len(teams))


def snapshots_backfill(*, start: dt.date, end: dt.date) -> SnapshotResult:
    """Take the snapshot of every day from `start` to `end` inclusive, each day in its own transaction."""
    if end < start:
        raise ValueError(f"The backfill ends ({end}) before it starts ({start})")
    result = SnapshotResult()
    day = start
    while day <= end:
        taken = snapshot_take(day=day)
        result.days += 1
        result.officer_rows += taken.officer_rows
        result.team_rows += taken.team_rows
        day += dt.timedelta(days=1)
    return result

