"""The JSON API: a session or an `Authorization: Bearer` token; 401 JSON, never a login redirect."""

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.models import ApiToken, token_hash
from offenders.roles import role_of
from visits.summary import as_of_from, caseload_summary


def api_user(request):
    """The user a bearer token stands for, else the session's user; None if neither is valid."""
    header = request.headers.get("Authorization", "")
    if not header:
        return request.user if request.user.is_authenticated else None
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw.strip()), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="caseload"'
    return response


@login_not_required
@require_GET
def summary(request):
    """The headline figures (?as_of=YYYY-MM-DD, default today), scoped to the caller."""
    user = api_user(request)
    if user is None:
        return error("Authentication required: sign in, or send 'Authorization: Bearer <token>'.", 401)
    if role_of(user) is None:
        return error("This account has no caseload role yet; ask an administrator.", 403)
    try:
        as_of = as_of_from(request.GET["as_of"]) if request.GET.get("as_of") else None
    except ValueError as problem:
        return error(f"Query parameter as_of: {problem}", 400)
    return JsonResponse(caseload_summary(user=user, as_of=as_of), json_dumps_params={"ensure_ascii": False})
