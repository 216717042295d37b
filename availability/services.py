"""Writes of officers' availability: booking an absence or a reduction, removing one booked in error, and assigning
cover for an absent officer's cases. Supervisors of the officer's team and admins keep them (the views' scope);
every write is checked here and by the database's constraints, and goes into the change history."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from availability.rebalancing import rebalancing_proposal
from availability.selectors import cases_falling_due
from offenders.availability_models import AWAY, Absence, AbsenceKind, Cover, CoveredCase
from offenders.models import Offender, Officer
from visits import rules
from visits.services import offender_reassign, reason_required


def _officer_locked(officer: Officer) -> Officer:
    """The officer's row, locked: two bookings for one officer at once are checked one after the other."""
    return Officer.objects.select_for_update(no_key=True).select_related("team").get(pk=officer.pk)


def _check_dates(kind: str, starts_on: dt.date, ends_on: dt.date, hours: Decimal | None, officer: Officer,
                 reason: str) -> None:
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = f"The last day is before the first ({starts_on:%d/%m/%Y})."
    if kind == AbsenceKind.REDUCTION:
        contracted = officer.fte * officer.team.full_time_hours
        if hours is None or hours <= 0:
            errors["hours_per_week"] = "Give the hours a week the reduction takes out."
        elif hours > contracted:
            errors["hours_per_week"] = (f"More than the officer's contracted {contracted.normalize():f} hours a week "
                                        f"(FTE {officer.fte} of {officer.team.full_time_hours.normalize():f}).")
    elif hours is not None:
        errors["hours_per_week"] = "Only a reduction takes hours a week: leave it blank for an absence."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def absence_record(*, officer: Officer, kind: str, starts_on: dt.date, ends_on: dt.date, user,
                   hours_per_week: Decimal | None = None, reason: str = "") -> Absence:
    """Book an absence (whole days away) or a reduction (hours a week taken out) for an officer."""
    if kind not in AbsenceKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}: {', '.join(AbsenceKind.values)}."})
    officer = _officer_locked(officer)
    _check_dates(kind, starts_on, ends_on, hours_per_week, officer, reason)
    if kind in AWAY:
        clash = officer.absences.filter(kind__in=AWAY, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
        if clash is not None:
            raise ValidationError(f"{officer.name} is already away on some of those days: {clash}.", code="overlap")
    absence = Absence(officer=officer, kind=kind, starts_on=starts_on, ends_on=ends_on, hours_per_week=hours_per_week,
                      reason=reason.strip(), recorded_by=user)
    absence.full_clean()
    absence.save()
    return absence


@transaction.atomic
def absence_remove(*, absence: Absence, user) -> None:
    """Remove an absence booked in error, with its cover (the change history keeps both)."""
    _officer_locked(absence.officer)
    cover = Cover.objects.filter(absence=absence).first()
    if cover is not None:
        cover.cases.all().delete()
        cover.delete()
    absence.delete()


@transaction.atomic
def cover_assign(*, absence: Absence, officer: Officer, until: dt.date, user, rationale: str = "") -> Cover:
    """Give `officer` the absent officer's cases that fall due during the absence, from now to `until` (included),
    after which the cover ends by itself."""
    absence = Absence.objects.select_for_update(no_key=True).select_related("officer__team").get(pk=absence.pk)
    if Cover.objects.filter(absence=absence).exists():
        cover = Cover.objects.select_related("officer").get(absence=absence)
        raise ValidationError(f"{cover.officer} already covers this absence until {cover.until:%d/%m/%Y}.",
                              code="conflict")
    if absence.kind not in AWAY:
        raise ValidationError("A reduction keeps the officer at work: it takes no cover.")
    errors = {}
    if officer.pk == absence.officer_id:
        errors["officer"] = "The absent officer cannot cover their own absence."
    elif not officer.active or officer.team_id != absence.officer.team_id:
        errors["officer"] = f"{officer} is not an active officer of {absence.officer.team}."
    elif officer.absences.filter(rules.in_force_on(max(rules.today(), absence.starts_on)), kind__in=AWAY).exists():
        errors["officer"] = f"{officer} is away when the cover starts."
    if until < rules.today() or until < absence.starts_on:
        errors["until"] = "Cover until a day not before today and not before the absence starts."
    if errors:
        raise ValidationError(errors)
    cases = list(cases_falling_due(absence).values_list("pk", flat=True))
    if not cases:
        raise ValidationError("Nothing falls due on this officer's cases during the absence: no cover is needed.")
    cover = Cover(absence=absence, covers_for=absence.officer, officer=officer, until=until, assigned_by=user,
                  rationale=rationale.strip())
    cover.full_clean(exclude=["absence", "covers_for", "officer", "assigned_by"])
    cover.save()
    CoveredCase.objects.bulk_create(CoveredCase(cover=cover, offender_id=pk) for pk in cases)
    return cover


@transaction.atomic
def moves_accept(*, team, chosen: list[tuple[int, int]], rationale: str, user, as_of: dt.date) -> int:
    """Make the chosen moves (offender id, receiving officer id) of the team's proposal as it stands now, each
    through the reassignment service and its case action, with the rationale. A move no longer proposed (the team's
    caseloads changed since the page was read) refuses them all."""
    rationale = reason_required(rationale)
    if not chosen:
        raise ValidationError("Choose at least one move to accept.")
    proposed = {(m.offender_id, m.to_officer.pk): m for m in rebalancing_proposal(team, as_of).moves}
    stale = [pair for pair in chosen if pair not in proposed]
    if stale:
        raise ValidationError("The team's caseloads changed since the proposal was shown: nothing was moved. Review "
                              "the new proposal.", code="conflict")
    for pair in chosen:
        move = proposed[pair]
        offender = Offender.objects.get(pk=move.offender_id)
        offender_reassign(offender=offender, officer=move.to_officer, user=user,
                          reason=f"Rebalancing {team.name}: {rationale}")
    return len(chosen)
