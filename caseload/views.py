from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import Http404
from django.shortcuts import redirect

from offenders.roles import Role, role_of


def home(request):
    """Send each role to its own page."""
    role = role_of(request.user)
    if role == Role.OFFICER:
        return redirect("visits:my_caseload")
    if role in (Role.SUPERVISOR, Role.ADMIN):
        return redirect("dashboard")
    raise Http404("Your account has no caseload role yet; ask an administrator.")


class SupervisorRequiredMixin(UserPassesTestMixin):
    raise_exception = True

    def test_func(self):
        return role_of(self.request.user) in (Role.SUPERVISOR, Role.ADMIN)

    def handle_no_permission(self):
        raise Http404
