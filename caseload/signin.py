"""Signing in: the form, and the lockout (django-axes) applied to every sign-in with a request."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

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
