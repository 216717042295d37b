"""Pages of bulk cancellation and the decisions list: propose cancelling the overdue table's filtered visits (the
cost shown first), read and decide a batch (a second supervisor or an admin), and every decision, with its CSV for
inspectors. Thin views over supervision/batches.py and supervision/decisions.py; what is outside a user's teams is a
404, as is every page for an officer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from caseload.dashboards.filters import OverdueFilter
from caseload.dashboards.selectors import overdue_visits
from offenders.audit import record_access
from offenders.models import OffenderAccess
from supervision import batches
from supervision.csv_files import bad_filters, csv_attachment
from supervision.decisions import HEADERS, decisions
from supervision.forms import BatchProposalForm, DecisionForm, DecisionsFilterForm
from supervision.models import BatchVisit, RequestState
from supervision.selectors import batches_visible_to
from supervision.views import SupervisorsOnlyMixin
from visits.forms import add_service_errors
from visits.rules import today

FILTERS = ("team", "officer", "tier", "late")
LISTED = 200  # visits listed on a batch's page; its CSV holds them all


class ProposeBatchView(SupervisorsOnlyMixin, FormView):
    """GET: the cost of cancelling the overdue visits the filters (in the query string) pick; POST: propose it."""

    form_class = BatchProposalForm
    template_name = "supervision/batch_propose.html"

    @cached_property
    def filterset(self) -> OverdueFilter:
        query = self.request.GET.copy()
        for key in [key for key in query if key not in FILTERS]:
            query.pop(key)
        return OverdueFilter(query, queryset=overdue_visits(user=self.request.user), request=self.request)

    def chosen(self) -> dict:
        """The filters as chosen, in words, kept with the batch."""
        form = self.filterset.form
        return {name: str(dict(form.fields[name].choices).get(value, value)) if name == "late" else str(value)
                for name, value in form.cleaned_data.items() if value not in (None, "")}

    def get_initial(self):
        return {"shown": batches.shown_token(self.filterset.qs)} if self.filterset.is_valid() else {}

    def get_context_data(self, **kwargs):
        valid = self.filterset.is_valid()
        context = {"filterset": self.filterset, "query": self.filterset.data.urlencode()}
        if valid:
            context |= {"cost": batches.batch_cost(self.filterset.qs, today()), "chosen": self.chosen()}
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form):
        if not self.filterset.is_valid():
            return self.form_invalid(form)
        try:
            batch = batches.batch_propose(user=self.request.user, overdue=self.filterset.qs, filters=self.chosen(),
                                          reason=form.cleaned_data["reason"], shown=form.cleaned_data["shown"])
        except ValidationError as error:
            add_service_errors(form, error)
            form.data = form.data.copy()
            form.data["shown"] = batches.shown_token(self.filterset.qs)  # the figures shown now
            return self.form_invalid(form)
        messages.success(self.request, f"Bulk cancellation {batch.pk} proposed: a second supervisor of the teams or "
                                       "an admin decides it.")
        return redirect("supervision:batch", pk=batch.pk)


class BatchView(SupervisorsOnlyMixin, FormView):
    """A bulk cancellation: its reason, filters, cost as shown and visits, and the decision on it."""

    form_class = DecisionForm
    template_name = "supervision/batch.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.batch = get_object_or_404(batches_visible_to(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        items = (BatchVisit.objects.filter(batch=self.batch).select_related("visit", "offender__risk_tier")
                 .order_by("visit__due_on", "visit_id"))
        return super().get_context_data(batch=self.batch, items=items[:LISTED], listed=LISTED,
                                        asked_by_me=self.batch.requested_by_id == self.request.user.pk, **kwargs)

    def form_valid(self, form):
        try:
            batch = batches.batch_decide(batch=self.batch, user=self.request.user,
                                         approve=form.cleaned_data["decision"] == "approve",
                                         note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        outcome = (f"approved: {batch.cancelled} visits cancelled" if batch.state == RequestState.APPROVED
                   else "rejected: nothing cancelled")
        messages.success(self.request, f"Bulk cancellation {batch.pk} {outcome}.")
        return redirect("supervision:batch", pk=batch.pk)


class BatchVisitsExportView(SupervisorsOnlyMixin, View):
    """A batch's visits as CSV: reference, tier, due date, and what became of each."""

    def get(self, request, *args, **kwargs):
        batch = get_object_or_404(batches_visible_to(user=request.user), pk=kwargs["pk"])
        items = BatchVisit.objects.filter(batch=batch).order_by("visit__due_on", "visit_id")
        record_access(user=request.user, offenders=items.values("offender_id"), request=request,
                      kind=OffenderAccess.Kind.EXPORT)
        rows = items.values_list("offender__reference", "offender__risk_tier__name", "visit__due_on",
                                 "visit__status", "visit__cancel_reason")
        return csv_attachment(("Offender reference", "Tier", "Visit due", "Visit status now", "Cancel reason"),
                              rows, f"bulk-cancellation-{batch.pk}.csv")


class DecisionsView(SupervisorsOnlyMixin, TemplateView):
    template_name = "supervision/decisions.html"

    def get_context_data(self, **kwargs):
        form = DecisionsFilterForm(self.request.GET)
        rows = decisions(user=self.request.user, **form.cleaned_data) if form.is_valid() else []
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(form=form, page=page, query=query.urlencode(), **kwargs)


class DecisionsExportView(SupervisorsOnlyMixin, View):
    def get(self, request, *args, **kwargs):
        form = DecisionsFilterForm(request.GET)
        if not form.is_valid():
            return bad_filters(form.errors)
        rows = decisions(user=request.user, **form.cleaned_data)
        named = sorted({d.offender_id for d in rows if d.offender_id})
        record_access(user=request.user, offenders=named, request=request, kind=OffenderAccess.Kind.EXPORT)
        return csv_attachment(HEADERS, (d.row() for d in rows), f"decisions-{today():%Y-%m-%d}.csv")
