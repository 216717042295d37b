"""Two-factor sign-in with a TOTP app (django-otp): required of supervisors and admins when
CASELOAD_REQUIRE_2FA is on, and of anyone who has set it up."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.sso.backend import SESSION_KEY as SSO_SESSION_KEY
from offenders.roles import Role, role_of

# Pages an unverified user may still reach: signing in and out, and the two-factor pages themselves.
EXEMPT_URL_NAMES = {"login", "logout", "two_factor_setup", "two_factor_verify"}


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user) -> bool:
    """Whether this signed-in user must prove a second factor before seeing anything."""
    if not settings.CASELOAD_REQUIRE_2FA or not user.is_authenticated:
        return False
    return role_of(user) in (Role.SUPERVISOR, Role.ADMIN) or has_confirmed_device(user)


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who still owes a second factor to set it up or enter a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or request.session.get(SSO_SESSION_KEY):
            return None  # a sign-in through the identity provider carries the provider's second factor
        match = request.resolver_match
        if match and not match.namespace and match.url_name in EXEMPT_URL_NAMES:
            return None
        if not two_factor_required(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "Two-factor sign-in is required for this account."}, status=403)
        target = "two_factor_verify" if has_confirmed_device(user) else "two_factor_setup"
        return redirect_to_login(request.get_full_path(), reverse(target))


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app", min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is made of digits only.")
        return token


class NextUrlMixin:
    def get_success_url(self):
        url = self.request.POST.get("next") or self.request.GET.get("next")
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()},
                                                   require_https=self.request.is_secure()):
            return url
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        return context


class TwoFactorSetupView(NextUrlMixin, FormView):
    """Show a new TOTP secret (and its QR code), and confirm it with a first code."""

    template_name = "registration/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_confirmed_device(request.user):
            if request.user.is_verified():
                messages.info(request, "Two-factor sign-in is already set up for your account.")
                return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
            return HttpResponseRedirect(reverse("two_factor_verify") + "?" + request.GET.urlencode())
        return super().dispatch(request, *args, **kwargs)

    def device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=self.request.user, name="Authenticator app", confirmed=False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.device()
        context["secret"] = b32encode(device.bin_key).decode()
        context["otpauth_uri"] = device.config_url
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)
        return context

    def form_valid(self, form):
        device = self.device()
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error("token", "That code did not match. Check the clock on your phone and try the newest code.")
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(self.request, device)
        messages.success(self.request, "Two-factor sign-in is set up. You will be asked for a code at each sign-in.")
        return super().form_valid(form)


class TwoFactorVerifyView(NextUrlMixin, FormView):
    """Ask for the current code after the password."""

    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm

    def form_valid(self, form):
        device = match_token(self.request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", "That code did not match, or too many codes were tried; wait and try again.")
            return self.form_invalid(form)
        otp_login(self.request, device)
        return super().form_valid(form)
