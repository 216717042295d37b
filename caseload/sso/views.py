"""Signing in through the identity provider: the start and callback (mozilla-django-oidc's, reading the provider
from its discovery document), the page that says why someone was refused, and signing out at the provider too."""

import functools
import logging
from urllib.parse import urlencode

import jwt
import requests
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from mozilla_django_oidc import views as oidc_views

from caseload.models import AccountEvent, ProviderSession
from caseload.sso import accounts, provider
from caseload.sso.backend import PROVIDER_SESSION_KEY, REFUSAL_KEY, SESSION_KEY, SUBJECT_KEY, ProviderBackend

logger = logging.getLogger(__name__)

USED_LINK = ("This sign-in link has been used already, or belongs to another browser. Sign in again from the "
             "start.")


class StartView(provider.DiscoveredSettings, oidc_views.OIDCAuthenticationRequestView):
    pass


class CallbackView(provider.DiscoveredSettings, oidc_views.OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("sso_refused")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this session did not start, or one already used
            request.session[REFUSAL_KEY] = USED_LINK
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        ProviderSession.objects.update_or_create(session_id=session.session_key, defaults={
            "subject": session.get(SUBJECT_KEY, ""), "provider_session": session.get(PROVIDER_SESSION_KEY, "")})
        return response

    def login_failure(self):
        if REFUSAL_KEY not in self.request.session and self.request.GET.get("error"):
            self.request.session[REFUSAL_KEY] = "Your organisation's sign-in was cancelled or refused."
        return super().login_failure()


@login_not_required
def refused(request):
    reason = request.session.pop(REFUSAL_KEY, "") or USED_LINK
    return render(request, "registration/sso_refused.html", {"reason": reason})


@require_POST
def end_sessions_from_provider(request):
    """The provider ends sessions here (OpenID Connect Back-Channel Logout): those of its session id, or all of
    its subject's."""
    try:
        claims = ProviderBackend().logout_claims(request.POST.get("logout_token", ""))
    except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as error:
        logger.warning("back-channel logout refused: %s", error)
        return HttpResponseBadRequest("invalid logout token", content_type="text/plain")
    ended = ProviderSession.objects.all()
    if claims.get("sid"):
        ended = ended.filter(provider_session=claims["sid"])
    if claims.get("sub"):
        ended = ended.filter(subject=claims["sub"])
    keys = list(ended.values_list("session_id", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    accounts.record(AccountEvent.Kind.SIGNED_OUT, request=request, email=str(claims.get("sub", ""))[:254],
                    detail=f"the identity provider ended {len(keys)} session(s) (back-channel logout)")
    return HttpResponse(status=200)


def provider_logout_url(request) -> str:
    """Where signing out sends the browser: the provider's end-session endpoint, to end its session too."""
    endpoint = provider.end_session_endpoint()
    if not endpoint:
        return reverse("login")
    query = {"post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))}
    if request.session.get("oidc_id_token"):
        query["id_token_hint"] = request.session["oidc_id_token"]
    return f"{endpoint}?{urlencode(query)}"


class SignOutView(auth_views.LogoutView):
    """Sign out of caseload and, for a sign-in through the provider, of the provider's session as well."""

    def post(self, request, *args, **kwargs):
        at_provider = provider_logout_url(request) if request.session.get(SESSION_KEY) else None
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


def only_when_enabled(view):
    """Without an identity provider configured, its pages do not exist."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not provider.enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


start = only_when_enabled(StartView.as_view())
callback = only_when_enabled(CallbackView.as_view())
backchannel_logout = csrf_exempt(only_when_enabled(end_sessions_from_provider))
