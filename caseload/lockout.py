"""Sign-in lockout (django-axes), applied to every sign-in that comes with a request."""

from axes.backends import AxesStandaloneBackend


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
