"""Signing in through the identity provider: the start and callback (mozilla-django-oidc's, reading the provider
from its discovery document), the page that says why someone was refused, and signing out at the provider too."""

import functools
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views

from caseload.sso import provider
from caseload.sso.backend import REFUSAL_KEY, SESSION_KEY

USED_LINK = ("This sign-in link has been used already, or belongs to another browser. Sign in again from the "
             "start.")


class StartView(oidc_views.OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr, *args):
        return provider.setting(attr, *args)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr, *args):
        return provider.setting(attr, *args)

    @property
    def failure_url(self):
        return reverse("sso_refused")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this session did not start, or one already used
            request.session[REFUSAL_KEY] = USED_LINK
            return self.login_failure()

    def login_failure(self):
        if REFUSAL_KEY not in self.request.session and self.request.GET.get("error"):
            self.request.session[REFUSAL_KEY] = "Your organisation's sign-in was cancelled or refused."
        return super().login_failure()


@login_not_required
def refused(request):
    reason = request.session.pop(REFUSAL_KEY, "") or USED_LINK
    return render(request, "registration/sso_refused.html", {"reason": reason})


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
