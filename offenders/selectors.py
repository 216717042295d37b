"""Reads of the register, always scoped to what the user may see."""

from django.db.models import Q, QuerySet

from offenders.models import Offender, Officer, Team
from offenders.roles import Role, role_of


def teams_visible_to(*, user) -> QuerySet[Team]:
    """Admins see every team, supervisors the teams they lead, officers their own."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Team.objects.all()
    if role == Role.SUPERVISOR:
        return Team.objects.filter(supervisors=user)
    if role == Role.OFFICER:
        return Team.objects.filter(officers__user=user)
    return Team.objects.none()


def officers_visible_to(*, user) -> QuerySet[Officer]:
    """Admins see all officers, supervisors their teams' officers, officers themselves."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Officer.objects.all()
    if role == Role.SUPERVISOR:
        return Officer.objects.filter(team__in=Team.objects.filter(supervisors=user).values("id"))
    if role == Role.OFFICER:
        return Officer.objects.filter(user=user)
    return Officer.objects.none()


def offenders_visible_to(*, user) -> QuerySet[Offender]:
    """Admins see the whole register; supervisors their teams' cases and the unallocated ones
    (allocating them is their job); officers their own caseload."""
    return Offender.objects.filter(visible_offenders(user=user))


def supervised_officer_ids(user) -> list[int]:
    """The ids of the officers in the teams `user` leads, read once per request (kept on the user object,
    which each request loads afresh, as role_of() keeps the role)."""
    if not hasattr(user, "_caseload_officer_ids"):
        user._caseload_officer_ids = list(Officer.objects.filter(team__supervisors=user).values_list("id", flat=True))
    return user._caseload_officer_ids


def visible_offenders(*, user, path: str = "") -> Q:
    """offenders_visible_to() as a condition on the offender reached through `path` (say "offender__" from a
    visit), for a query that reads the offender's own columns anyway: filtering the joined row itself spares
    PostgreSQL looking each offender up twice."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Q()
    if role == Role.SUPERVISOR:
        # The officers' ids as a list, not a join: PostgreSQL can then answer the OR from the offender's
        # officer index instead of scanning the whole register.
        return Q(**{f"{path}officer_id__in": supervised_officer_ids(user)}) | Q(**{f"{path}officer__isnull": True})
    if role == Role.OFFICER:
        return Q(**{f"{path}officer__user": user})
    return Q(pk__in=[])
