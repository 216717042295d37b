"""Who a person signing in through the identity provider is in caseload, and with which role.

The role comes from the provider's groups (CASELOAD_OIDC_GROUP_ROLES), the most senior one mapped; the account from
the officers list (an active officer with the claimed email, or staff id) for an officer, or from an existing
account with that email for a supervisor or an admin. Nobody else gets in. The role is set again at every sign-in,
so a change of groups at the provider takes effect at the next one.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from caseload.models import AccountEvent
from offenders.audit import client_ip
from offenders.models import Officer
from offenders.roles import Role, role_of

SENIORITY = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)


class Refused(Exception):
    """The person may not sign in; the message says why, in words for them."""


@dataclass(frozen=True)
class Claims:
    email: str
    staff_id: str
    groups: frozenset[str]

    @classmethod
    def of(cls, claims: dict) -> "Claims":
        groups = claims.get(settings.CASELOAD_OIDC_GROUPS_CLAIM) or []
        staff_claim = settings.CASELOAD_OIDC_STAFF_ID_CLAIM
        return cls(email=str(claims.get("email") or "").strip().lower(),
                   staff_id=str(claims.get(staff_claim) or "").strip() if staff_claim else "",
                   groups=frozenset(str(group) for group in (groups if isinstance(groups, list) else [groups])))


def role_for(groups: frozenset[str]) -> Role | None:
    mapped = {Role(role) for group, role in settings.CASELOAD_OIDC_GROUP_ROLES.items() if group in groups}
    return next((role for role in SENIORITY if role in mapped), None)


def matching_officer(claims: Claims) -> Officer | None:
    officers = Officer.objects.select_related("user")
    if claims.staff_id:
        found = officers.filter(staff_id=claims.staff_id).first()
        if found:
            return found
    return officers.filter(email__iexact=claims.email).first() if claims.email else None


def account_for(claims: Claims, role: Role):
    """The user this person signs in as (created for an officer on first sign-in), or Refused."""
    User = get_user_model()
    if role == Role.OFFICER:
        officer = matching_officer(claims)
        if officer is None:
            raise Refused("You are not on caseload's officers list. Ask your supervisor to add you "
                          "(with the email address your organisation gives you).")
        if not officer.active:
            raise Refused("You are on caseload's officers list as having left. Ask your supervisor if this is wrong.")
        if officer.user is None:
            username = claims.email or officer.staff_id
            if User.objects.filter(username=username).exists():
                username = f"{officer.staff_id}-{officer.pk}"
            # No password given: the account's password is unusable, so only the provider signs them in.
            user = User.objects.create_user(username=username, email=claims.email, first_name=officer.name)
            Officer.objects.filter(pk=officer.pk).update(user=user)
            return user
        return officer.user
    users = User.objects.filter(email__iexact=claims.email, is_active=True) if claims.email else User.objects.none()
    if len(users) != 1:
        raise Refused(f"No {role.lower()} account in caseload has your email address. Ask an administrator to "
                      "add you.")
    return users[0]


def set_role(user, role: Role, *, request) -> None:
    """Give the user exactly this role; record a change."""
    before = role_of(user)
    if before != role:
        user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
        user.groups.add(Group.objects.get(name=role.value))
        record(AccountEvent.Kind.ROLE_CHANGED, user=user, email=user.email, request=request,
               detail=f"{before or 'no role'} → {role} (from the identity provider's groups)")
    is_staff = role == Role.ADMIN
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user._caseload_role = role


def record(kind: str, *, user=None, email: str = "", request=None, detail: str = "") -> None:
    AccountEvent.objects.create(kind=kind, user=user, email=email[:254], detail=detail,
                                ip_address=client_ip(request) if request is not None else None)


def sign_in(claims: dict, *, request):
    """The user these verified claims sign in as, with their role set; Refused (and recorded) otherwise."""
    person = Claims.of(claims)
    try:
        with transaction.atomic():
            if settings.CASELOAD_OIDC_REQUIRE_MFA and not second_factor_shown(claims):
                raise Refused("Your organisation's sign-in did not ask for your second factor (an authenticator app "
                              "or security key). Sign out of your organisation's account and sign in again with it.")
            role = role_for(person.groups)
            if role is None:
                raise Refused("Your account at your organisation is in none of the groups that give access to "
                              "caseload. Ask your IT service desk.")
            user = account_for(person, role)
            if not user.is_active:
                raise Refused("Your caseload account is switched off. Ask an administrator.")
            set_role(user, role, request=request)
            record(AccountEvent.Kind.SIGNED_IN, user=user, email=person.email, request=request, detail=f"as {role}")
            return user
    except Refused as refusal:
        record(AccountEvent.Kind.REFUSED, email=person.email, request=request, detail=str(refusal))
        raise


def second_factor_shown(claims: dict) -> bool:
    """Whether the provider says it checked a second factor: an `amr` value or the `acr` configured as one."""
    amr = claims.get("amr") or []
    amr = {amr} if isinstance(amr, str) else {str(value) for value in amr}
    acr = str(claims.get("acr") or "")
    return bool(amr & set(settings.CASELOAD_OIDC_MFA_AMR)) or acr in settings.CASELOAD_OIDC_MFA_ACR
