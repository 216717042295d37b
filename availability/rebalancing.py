"""Rebalancing a team: a proposed set of moves from overloaded officers to those with room that brings everyone to
the caseload ceiling or below (or as close as the team's total room allows) with the fewest moves.

Each officer can hold at most `limit` cases without being over the ceiling (visits/rules.py's PER_FTE and
OVER_CEILING, asked of the database for each officer's FTE, so the rule is not written again here). An overloaded
officer sheds `caseload - limit` cases and an officer with room takes up to `limit - caseload`. A move takes one
case from one officer to another, so it lowers the team's total excess by one at most: no proposal can use fewer
moves than the excess it removes, and this one removes it one case per move, never putting a receiver over their
limit. Where room is short, the officer furthest over the ceiling (per FTE) is relieved first.

Cases move lowest tier first (then those registered longest, whose officer changes least disturb), never one of the
top tier (very high, by default), and only to active officers of the team who are not away today."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Max

from availability.selectors import away_on
from offenders.models import Offender, Officer, RiskTier, Team
from visits import rules
from visits.selectors import workloads_among


@dataclass(frozen=True)
class Move:
    offender_id: int
    reference: str
    tier: str
    from_officer: Officer
    to_officer: Officer


@dataclass
class Proposal:
    team: Team
    moves: list[Move] = field(default_factory=list)
    before: dict[int, Decimal] = field(default_factory=dict)  # officer id -> caseload per FTE now
    after: dict[int, Decimal] = field(default_factory=dict)  # ... once every move is made
    officers: list[Officer] = field(default_factory=list)
    excess_left: int = 0  # cases still over the ceiling for want of room


def limits(officers: list[Officer], ceiling: int) -> dict[int, int]:
    """For each officer, the largest caseload that is not over the ceiling at their FTE, by the rule's own SQL."""
    if not officers:
        return {}
    per_fte = rules.PER_FTE.sql(caseload="c", fte="o.fte")
    over = rules.OVER_CEILING.sql(per_fte=per_fte, ceiling="%s")
    values = ", ".join(["(%s::bigint, %s::numeric)"] * len(officers))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id, (SELECT max(c) FROM generate_series(0, ceil(%s * o.fte)::int + 1) c WHERE NOT {over})"
            f" FROM (VALUES {values}) o(id, fte)",
            [ceiling, ceiling, *[v for officer in officers for v in (officer.pk, officer.fte)]],
        )
        return dict(cursor.fetchall())


def per_fte(loads: dict[int, int], officers: list[Officer]) -> dict[int, Decimal]:
    """Each officer's caseload per FTE were they to carry `loads[id]` cases, by the rule's own SQL."""
    if not officers:
        return {}
    values = ", ".join(["(%s::bigint, %s::int, %s::numeric)"] * len(officers))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT o.id, {rules.PER_FTE.sql(caseload='o.caseload', fte='o.fte')}"
                       f" FROM (VALUES {values}) o(id, caseload, fte)",
                       [v for officer in officers for v in (officer.pk, loads[officer.pk], officer.fte)])
        return dict(cursor.fetchall())


def rebalancing_proposal(team: Team, as_of: dt.date) -> Proposal:
    officers = list(workloads_among(Officer.objects.filter(team=team, active=True), as_of).order_by("name"))
    limit = limits(officers, team.caseload_ceiling_per_fte)
    load = {o.pk: o.caseload for o in officers}
    excess = {o.pk: load[o.pk] - limit[o.pk] for o in officers if load[o.pk] > limit[o.pk]}
    away = set(Officer.objects.filter(away_on(as_of), team=team).values_list("pk", flat=True))
    room = {o.pk: limit[o.pk] - load[o.pk] for o in officers if load[o.pk] < limit[o.pk] and o.pk not in away}
    by_id = {o.pk: o for o in officers}
    top = RiskTier.objects.aggregate(top=Max("order"))["top"]
    movable = {
        pk: list(Offender.objects.filter(rules.in_caseload(), officer_id=pk).exclude(risk_tier__order=top)
                 .order_by("risk_tier__order", "registered_on", "reference")
                 .values_list("pk", "reference", "risk_tier__name"))
        for pk in excess
    }
    proposal = Proposal(team=team, officers=officers, before={o.pk: o.caseload_per_fte for o in officers})
    while True:
        givers = [pk for pk in excess if excess[pk] > 0 and movable[pk]]
        takers = [pk for pk in room if room[pk] > 0]
        if not givers or not takers:
            break
        giver = max(givers, key=lambda pk: (load[pk] / by_id[pk].fte, -pk))
        taker = max(takers, key=lambda pk: (room[pk], -pk))
        offender_id, reference, tier = movable[giver].pop(0)
        proposal.moves.append(Move(offender_id, reference, tier, by_id[giver], by_id[taker]))
        load[giver], load[taker] = load[giver] - 1, load[taker] + 1
        excess[giver], room[taker] = excess[giver] - 1, room[taker] - 1
    proposal.after = per_fte(load, officers)
    proposal.excess_left = sum(max(0, n) for n in excess.values())
    return proposal
