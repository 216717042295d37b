"""The three roles, as auth groups: what each user is, for scoping and landing pages."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "Officer"
    SUPERVISOR = "Supervisor"
    ADMIN = "Admin"


def role_of(user) -> Role | None:
    """The most senior role a user holds, or None for an anonymous user or one with no role. Read once per request
    and kept on the user object (a signed-in request's user comes with it: caseload/signed_in.py)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_caseload_role"):
        user._caseload_role = role_from(user.groups.values_list("name", flat=True), is_superuser=user.is_superuser)
    return user._caseload_role


def role_from(group_names, *, is_superuser: bool) -> Role | None:
    """The most senior role among a user's groups; a superuser is an admin."""
    groups = set(group_names)
    if is_superuser or Role.ADMIN in groups:
        return Role.ADMIN
    for role in (Role.SUPERVISOR, Role.OFFICER):
        if role in groups:
            return role
    return None
