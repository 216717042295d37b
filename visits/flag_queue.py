"""The open flags as a work queue: a supervisor of the flag's team (or an admin) acknowledges a flag and assigns it
to an officer of the team; anyone who may see it adds a note. Acknowledging clears nothing: only the flag's rule
does (visits/flagging.py), and a flag cleared and raised again is a new row, unacknowledged and unassigned.

Each write locks the flag's row, so that the flag job clearing it and two supervisors acting on it take turns, and
appends a FlagAction (who did what, when), the flag's history of work."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from offenders.models import Officer
from offenders.selectors import officers_visible_to
from visits.models import Flag, FlagAction

# A flag nobody has acknowledged this many whole days after the day it was raised reaches the supervisors' digest.
UNACKNOWLEDGED_DAYS = 3


def left_unacknowledged(today: dt.date) -> Q:
    """Open flags nobody has acknowledged, raised more than UNACKNOWLEDGED_DAYS days before `today` (counting by the
    local day they were raised: one raised on the 10th is listed from the 14th)."""
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=UNACKNOWLEDGED_DAYS), dt.time()))
    return Q(cleared_at__isnull=True, acknowledged_at__isnull=True, raised_at__lt=start)


def flag_team_id(flag: Flag) -> int | None:
    """The team a flag belongs to: its officer's, or its offender's officer's; None for an unallocated offender."""
    if flag.officer_id:
        return flag.officer.team_id
    return flag.offender.officer.team_id if flag.offender.officer_id else None


def assignable_officers(*, flag: Flag, user) -> QuerySet[Officer]:
    """The active officers `user` may assign the flag to: its team's; for an unallocated offender's flag, which has
    no team, those of the teams the user sees."""
    officers = officers_visible_to(user=user).filter(active=True).select_related("team").order_by("name")
    team_id = flag_team_id(flag)
    return officers.filter(team_id=team_id) if team_id else officers


def _name(user) -> str:
    return user.get_full_name() or user.username


def _locked_open(flag: Flag, doing: str) -> Flag:
    """The flag read afresh and locked until the transaction ends; refused once its rule has cleared it."""
    flag = Flag.objects.select_for_update(no_key=True).get(pk=flag.pk)
    if flag.cleared_at is not None:
        cleared = timezone.localtime(flag.cleared_at)
        raise ValidationError(f"This flag was cleared on {cleared:%-d %b %Y at %H:%M}: what it flagged no longer "
                              f"holds, so there is nothing to {doing}.", code="cleared")
    return flag


def _record(flag: Flag, kind: FlagAction.Kind, user, **fields) -> FlagAction:
    action = FlagAction(flag=flag, kind=kind, user=user, **fields)
    action.full_clean()
    action.save()
    return action


def _acknowledge(flag: Flag, user, now: dt.datetime) -> None:
    flag.acknowledged_at, flag.acknowledged_by = now, user
    _record(flag, FlagAction.Kind.ACKNOWLEDGED, user)


@transaction.atomic
def flag_acknowledge(*, flag: Flag, user) -> Flag:
    """Record that `user` has seen the open flag and it is in hand. The flag stays open until its rule clears it."""
    flag = _locked_open(flag, "acknowledge")
    if flag.acknowledged_at is not None:
        when = timezone.localtime(flag.acknowledged_at)
        raise ValidationError(f"This flag was already acknowledged by {_name(flag.acknowledged_by)} on "
                              f"{when:%-d %b %Y at %H:%M}.", code="acknowledged")
    _acknowledge(flag, user, timezone.now())
    flag.full_clean()
    flag.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return flag


@transaction.atomic
def flag_assign(*, flag: Flag, officer: Officer, user) -> Flag:
    """Assign the open flag to an active officer of its team, acknowledging it if nobody had."""
    flag = _locked_open(flag, "assign")
    if not assignable_officers(flag=flag, user=user).filter(pk=officer.pk).exists():
        raise ValidationError({"officer": f"{officer} is not an active officer of this flag's team."},
                              code="not_in_team")
    if flag.assigned_to_id == officer.pk:
        raise ValidationError({"officer": f"This flag is already assigned to {officer}."}, code="assigned")
    now = timezone.now()
    if flag.acknowledged_at is None:
        _acknowledge(flag, user, now)
    flag.assigned_to, flag.assigned_at = officer, now
    _record(flag, FlagAction.Kind.ASSIGNED, user, officer=officer)
    flag.full_clean()
    flag.save(update_fields=["acknowledged_at", "acknowledged_by", "assigned_to", "assigned_at"])
    return flag


@transaction.atomic
def flag_note_add(*, flag: Flag, user, text: str) -> FlagAction:
    """Add `user`'s note to the open flag: what was done or is planned. Notes are kept as written, never edited."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the note before adding it."}, code="blank")
    flag = _locked_open(flag, "note")
    return _record(flag, FlagAction.Kind.NOTE, user, text=text)
