from django.contrib.auth.mixins import UserPassesTestMixin
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from offenders.roles import Role, role_of
from visits import selectors as visit_selectors


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


class DashboardView(SupervisorRequiredMixin, TemplateView):
    template_name = "caseload/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = visit_selectors.headline_figures(user=self.request.user)
        return context
