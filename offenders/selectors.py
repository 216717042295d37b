"""Reads of the register, always scoped to what the user may see."""

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone

from offenders.models import CoveredCase, Offender, Officer, Team
from offenders.roles import Role, role_of


def teams_visible_to(*, user) -> QuerySet[Team]:
    """Admins see every team, supervisors the teams they lead, officers their own."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Team.objects.all()
    if role == Role.SUPERVISOR:
        return Team.objects.filter(pk__in=supervised_team_ids(user))
    if role == Role.OFFICER:
        return Team.objects.filter(officers__user=user)
    return Team.objects.none()


def team_ids_visible_to(*, user) -> list[int] | None:
    """The ids of the teams a user sees, sorted; None for an admin, who sees every team. A supervisor's come
    from supervised(), the read their pages are worked out from."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role == Role.SUPERVISOR:
        return supervised_team_ids(user)
    return sorted(teams_visible_to(user=user).values_list("pk", flat=True))


def officers_visible_to(*, user) -> QuerySet[Officer]:
    """Admins see all officers, supervisors their teams' officers, officers themselves."""
    return Officer.objects.filter(visible_officers(user=user))


def visible_officers(*, user) -> Q:
    """officers_visible_to() as a condition on the officer, to narrow a queryset of officers built beforehand."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Q()
    if role == Role.SUPERVISOR:
        return Q(pk__in=supervised_officer_ids(user))
    if role == Role.OFFICER:
        return Q(user=user)
    return Q(pk__in=[])


def sees_more_officers_than(most: int, *, user) -> bool:
    """Whether officers_visible_to() holds more than `most` officers: a supervisor's are counted from supervised(),
    read once a request, without a query of their own."""
    if role_of(user) == Role.SUPERVISOR:
        return len(supervised_officer_ids(user)) > most
    return officers_visible_to(user=user)[: most + 1].count() > most


def offenders_visible_to(*, user) -> QuerySet[Offender]:
    """Admins see the whole register; supervisors their teams' cases and the unallocated ones
    (allocating them is their job); officers their own caseload."""
    return Offender.objects.filter(visible_offenders(user=user))


def supervised(user) -> tuple[list[int], list[int]]:
    """The ids of the teams `user` leads and of their officers, read together once per request (kept on the user
    object, which each request loads afresh, as role_of() keeps the role), so that everything a supervisor's page
    shows comes from one reading of their teams."""
    if not hasattr(user, "_caseload_supervised"):
        read_scope(user)
    return user._caseload_supervised


def scope_read_with_the_user(day) -> dict:
    """What a user may see beyond their role, as annotations on their own row: the teams they lead and those teams'
    officers (a supervisor's), and the cases they cover for an absent colleague on `day`, from the day cover is
    assigned to its last day, after which it ends by itself (an officer's). A signed-in request reads them with the
    user (caseload/signed_in.py); keep_scope() keeps them on the user object."""
    user = OuterRef("pk")
    return {
        "scope_team_ids": ArraySubquery(Team.objects.filter(supervisors=user).order_by("pk").values("pk")),
        "scope_officer_ids": ArraySubquery(
            Officer.objects.filter(team__supervisors=user).order_by("pk").values("pk")),
        "scope_covered_ids": ArraySubquery(
            CoveredCase.objects.filter(cover__officer__user=user, cover__until__gte=day)
            .order_by("offender_id").values("offender_id").distinct()),
    }


def keep_scope(user, *, scope_team_ids: list[int], scope_officer_ids: list[int], scope_covered_ids: list[int]):
    """Keep what scope_read_with_the_user() read on the user object, where supervised() and covered_offender_ids()
    look first."""
    user._caseload_supervised = (scope_team_ids, scope_officer_ids)
    user._caseload_covered = scope_covered_ids


def read_scope(user) -> None:
    """scope_read_with_the_user(), today, for a user read without it: one query."""
    scope = scope_read_with_the_user(timezone.localdate())
    keep_scope(user, **get_user_model().objects.filter(pk=user.pk).annotate(**scope).values(*scope).get())


def scope_of(user) -> tuple:
    """Everything a scoped read depends on about the user: who they are, their role, the teams and officers they lead
    and the cases they cover today. SQL built for the user reads the same rows while these stay the same
    (visits/built_once.py's built_per_scope)."""
    role = role_of(user)
    teams, officers = supervised(user) if role == Role.SUPERVISOR else ((), ())
    covered = covered_offender_ids(user) if role == Role.OFFICER else ()
    return user.pk, role, tuple(teams), tuple(officers), tuple(covered)


def supervised_team_ids(user) -> list[int]:
    return supervised(user)[0]


def supervised_officer_ids(user) -> list[int]:
    return supervised(user)[1]


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
        own = Q(**{f"{path}officer__user": user})
        covered = covered_offender_ids(user)
        return own | Q(**{f"{path}id__in": covered}) if covered else own
    return Q(pk__in=[])


def covered_offender_ids(user) -> list[int]:
    """The cases `user` covers for an absent colleague today (scope_read_with_the_user()), read once per request
    and kept on the user object, as supervised() is."""
    if not hasattr(user, "_caseload_covered"):
        read_scope(user)
    return user._caseload_covered
