"""The three roles, as auth groups: what each user is, for scoping and landing pages."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "Officer"
    SUPERVISOR = "Supervisor"
    ADMIN = "Admin"


def role_of(user) -> Role | None:
    """The most senior role a user holds, or None for an anonymous user or one with no role."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_caseload_role"):
        groups = set(user.groups.values_list("name", flat=True))
        if user.is_superuser or Role.ADMIN in groups:
            user._caseload_role = Role.ADMIN
        elif Role.SUPERVISOR in groups:
            user._caseload_role = Role.SUPERVISOR
        elif Role.OFFICER in groups:
            user._caseload_role = Role.OFFICER
        else:
            user._caseload_role = None
    return user._caseload_role
