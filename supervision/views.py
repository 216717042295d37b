"""Pages of the two-person decisions: ask to cancel or defer a visit (anyone who may act on the case), the requests
waiting for a decision, and the decision (a supervisor of the team or an admin who did not ask). Thin views over
supervision/services.py; a case or request outside the user's scope is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, ListView

from offenders.roles import role_of
from offenders.selectors import offenders_visible_to
from supervision import forms, services
from supervision.models import VisitRequest
from supervision.selectors import batches_waiting, request_waiting_for, requests_waiting
from visits.forms import add_service_errors
from visits.views import SUPERVISING_ROLES, CaseActionView


class VisitRequestView(CaseActionView):
    form_class = forms.VisitRequestForm
    template_name = "supervision/visit_request.html"
    supervisors_only = False
    title = "Ask to cancel or defer the open visit"
    success_message = "Asked: a supervisor of the team or an admin decides."

    def get_context_data(self, **kwargs):
        return super().get_context_data(waiting=request_waiting_for(self.offender), **kwargs)

    def perform(self, data):
        services.visit_request_make(offender=self.offender, visit_id=data["visit"], user=self.request.user,
                                    kind=data["kind"], reason=data["reason"], defer_to=data["defer_to"])


class SupervisorsOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) not in SUPERVISING_ROLES:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class RequestsWaitingView(SupervisorsOnlyMixin, ListView):
    template_name = "supervision/requests_waiting.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        return requests_waiting(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(batches=batches_waiting(user=self.request.user), **kwargs)


class DecideView(SupervisorsOnlyMixin, FormView):
    form_class = forms.DecisionForm
    template_name = "supervision/decide.html"

    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) in SUPERVISING_ROLES:
            self.visit_request = get_object_or_404(
                VisitRequest.objects.select_related("offender__risk_tier", "visit", "requested_by", "decided_by")
                .filter(offender__in=offenders_visible_to(user=request.user)), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        mine = self.visit_request.requested_by_id == self.request.user.pk
        return super().get_context_data(visit_request=self.visit_request, asked_by_me=mine, **kwargs)

    def form_valid(self, form):
        try:
            decided = services.visit_request_decide(request=self.visit_request, user=self.request.user,
                                                    approve=form.cleaned_data["decision"] == "approve",
                                                    note=form.cleaned_data["note"])
        except ValidationError as error:
            if getattr(error, "code", None) == "conflict":
                messages.error(self.request, error.messages[0])
                return redirect("supervision:requests_waiting")
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{decided.get_kind_display()}: {decided.get_state_display().lower()}.")
        return redirect("supervision:requests_waiting")
