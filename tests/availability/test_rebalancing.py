"""Rebalancing a team: the fewest moves from overloaded officers to those with room, lowest tier first, never a case
of the top tier; proved minimal against a brute-force search on a small team, and run on the Essex scenario."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from availability.rebalancing import limits, rebalancing_proposal
from availability.services import absence_record, moves_accept
from offenders.models import Offender, Officer, Team
from tests.essex import AS_OF, load_essex
from tests.factories import OffenderFactory, OfficerFactory, TeamFactory, tier
from visits.models import CaseAction
from visits.selectors import workloads_among

pytestmark = pytest.mark.django_db


def small_team(loads: list[tuple[Decimal, list[str]]], ceiling=3) -> Team:
    """A team whose officers (FTE, their cases' tiers) are as given."""
    team = TeamFactory(name="Small", caseload_ceiling_per_fte=ceiling)
    for n, (fte, tiers) in enumerate(loads):
        officer = OfficerFactory(team=team, fte=fte, staff_id=f"SM{n}", name=f"Officer {n}")
        for code in tiers:
            OffenderFactory(officer=officer, risk_tier=tier(code))
    return team


def fewest_moves_by_brute_force(team: Team) -> int:
    """Every way of giving the team's movable cases to its officers: the fewest cases moved that leave nobody over
    their limit (or, failing that, the least excess left, then the fewest moves)."""
    officers = list(Officer.objects.filter(team=team).order_by("pk"))
    limit = limits(officers, team.caseload_ceiling_per_fte)
    cases = list(Offender.objects.filter(officer__team=team).values_list("officer_id", "risk_tier__code"))
    fixed = {o.pk: sum(1 for who, code in cases if who == o.pk and code == "very_high") for o in officers}
    movable = [who for who, code in cases if code != "very_high"]
    best = None
    for owners in itertools.product([o.pk for o in officers], repeat=len(movable)):
        load = dict(fixed)
        for owner in owners:
            load[owner] += 1
        excess = sum(max(0, load[pk] - limit[pk]) for pk in load)
        moves = sum(1 for before, after in zip(movable, owners, strict=True) if before != after)
        if best is None or (excess, moves) < best:
            best = (excess, moves)
    return best


def test_the_proposal_uses_the_fewest_moves_a_brute_force_search_finds():
    team = small_team([(Decimal(1), ["low", "low", "medium", "very_high", "very_high"]),
                       (Decimal("0.5"), ["low", "high"]),
                       (Decimal(1), ["low"]), (Decimal(1), [])])
    proposal = rebalancing_proposal(team, dt.date(2016, 11, 14))
    assert (proposal.excess_left, len(proposal.moves)) == fewest_moves_by_brute_force(team) == (0, 3)
    assert all(move.tier != "Very high" for move in proposal.moves)
    assert [move.tier for move in proposal.moves if move.from_officer.staff_id == "SM0"] == ["Low", "Low"]


def test_with_too_little_room_the_officer_furthest_over_is_relieved_first():
    team = small_team([(Decimal(1), ["low"] * 6), (Decimal(1), ["low"] * 4), (Decimal(1), ["low", "low"])])
    proposal = rebalancing_proposal(team, dt.date(2016, 11, 14))
    assert (proposal.excess_left, len(proposal.moves)) == fewest_moves_by_brute_force(team) == (3, 1)
    assert proposal.moves[0].from_officer.staff_id == "SM0"


def test_an_officer_away_today_takes_no_cases(bob):
    team = small_team([(Decimal(1), ["low"] * 5), (Decimal(1), []), (Decimal(1), ["low"])])
    absence_record(officer=Officer.objects.get(staff_id="SM1"), kind="sickness", starts_on=dt.date(2016, 11, 10),
                   ends_on=dt.date(2016, 11, 20), user=bob)
    proposal = rebalancing_proposal(team, dt.date(2016, 11, 14))
    assert {move.to_officer.staff_id for move in proposal.moves} == {"SM2"}


def test_the_essex_north_team_comes_under_its_ceiling_with_no_very_high_case_moved():
    load_essex()
    north = Team.objects.get(name="North")
    proposal = rebalancing_proposal(north, AS_OF)
    officers = workloads_among(Officer.objects.filter(team=north, active=True), AS_OF)
    limit = limits(list(officers), north.caseload_ceiling_per_fte)
    excess = sum(max(0, o.caseload - limit[o.pk]) for o in officers)
    room = sum(max(0, limit[o.pk] - o.caseload) for o in officers)
    assert excess > 0 and len(proposal.moves) == min(excess, room) and proposal.excess_left == excess - len(
        proposal.moves)
    if room >= excess:
        assert all(after <= north.caseload_ceiling_per_fte for after in proposal.after.values())
    moved = Offender.objects.filter(pk__in=[m.offender_id for m in proposal.moves])
    assert not moved.filter(risk_tier__code="very_high").exists()


def test_accepted_moves_go_through_reassignment_with_their_rationale(bob, north, client):
    team = small_team([(Decimal(1), ["low"] * 5), (Decimal(1), [])])
    team.supervisors.add(bob)
    chosen = [(m.offender_id, m.to_officer.pk) for m in rebalancing_proposal(team, dt.date.today()).moves]
    assert moves_accept(team=team, chosen=chosen[:1], rationale="Evening out the team", user=bob,
                        as_of=dt.date.today()) == 1
    action = CaseAction.objects.get(kind=CaseAction.Kind.REASSIGNED)
    assert action.reason == "Rebalancing Small: Evening out the team" and action.user == bob
    client.force_login(bob)
    url = reverse("availability:rebalance", args=[team.pk])
    page = client.get(url).text
    assert "Proposed moves <small>1</small>" in page
    response = client.post(url, {"move": [f"{chosen[0][0]}:{chosen[0][1]}"], "reason": "Again"}, follow=True)
    assert "The team&#x27;s caseloads changed since the proposal was shown: nothing was moved." in response.text
