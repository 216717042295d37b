"""Signing in: the form, and the lockout (django-axes) applied to every sign-in with a request."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from caseload.signed_in import user_as_a_request_reads_them

# Longer than any passphrase, short enough that hashing it costs nothing special.
PASSWORD_MAX_LENGTH = 1024


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, but letting through calls that carry no request at all.

    Every sign-in over the web (the login page, the admin, an API) passes its request and so is
    counted and locked out. A call without a request comes from code running on the server
    (a management command, a test's `client.login`), where there is no address to lock out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def password_allowed(username: str) -> bool:
    """With single sign-on on, only the usernames CASELOAD_LOCAL_SIGNIN names sign in with a password."""
    allowed = settings.CASELOAD_LOCAL_SIGNIN
    return not settings.CASELOAD_OIDC_ISSUER or "*" in allowed or username in allowed


def password_form_shown() -> bool:
    return not settings.CASELOAD_OIDC_ISSUER or bool(settings.CASELOAD_LOCAL_SIGNIN)


class PasswordBackend(ModelBackend):
    """Django's username and password, for the accounts still allowed a password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and not password_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user, with their role and scope (signed_in.py), if they may still sign in."""
        user = user_as_a_request_reads_them(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with lengths enforced before anything reaches the database or the
    password hasher (Django only sets the username's max_length as an HTML attribute)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Please try again.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with <provider>" when single sign-on is on, and the password form for those who
    may still use one."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso_name=settings.CASELOAD_OIDC_PROVIDER_NAME if settings.CASELOAD_OIDC_ISSUER else "",
            password_form=password_form_shown(), **kwargs)
