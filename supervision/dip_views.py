"""Pages of the dip samples: the list of reviews due and done on a supervisor's teams (filterable), the review of one
sample, and the results per officer as CSV. Thin views over supervision/dip_samples.py; a sample outside the
user's teams is a 404, as is every page for an officer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from supervision.csv_files import bad_filters, csv_attachment
from supervision.dip_forms import DipReviewForm, DipSampleFilter
from supervision.dip_samples import dip_sample_results, dip_sample_review, dip_samples_for_list
from supervision.dip_tables import DipSampleTable
from supervision.views import SupervisorsOnlyMixin
from visits.forms import add_service_errors
from visits.rules import today

RESULT_HEADERS = ("Officer staff id", "Month", "Sampled", "Reviewed", "Satisfactory", "Action needed", "Overdue")


class DipSampleListView(SupervisorsOnlyMixin, SingleTableMixin, FilterView):
    template_name = "supervision/dip_samples.html"
    filterset_class = DipSampleFilter
    table_class = DipSampleTable

    def get_queryset(self):
        return dip_samples_for_list(user=self.request.user, as_of=today()).order_by("due_on", "pk")


class DipSampleExportView(SupervisorsOnlyMixin, View):
    """The results per officer and month of the samples the list's filters pick, as CSV (no offender named)."""

    def get(self, request, *args, **kwargs):
        as_of = today()
        filterset = DipSampleFilter(request.GET, queryset=dip_samples_for_list(user=request.user, as_of=as_of),
                                    request=request)
        if not filterset.is_valid():
            return bad_filters(filterset.errors)
        rows = ((row["officer__staff_id"], f"{row['month']:%Y-%m}", row["sampled"], row["reviewed"],
                 row["satisfactory"], row["action_needed"], row["overdue"])
                for row in dip_sample_results(filterset.qs, as_of=as_of))
        return csv_attachment(RESULT_HEADERS, rows, f"dip-sample-results-{as_of:%Y-%m-%d}.csv")


class DipSampleReviewView(SupervisorsOnlyMixin, FormView):
    form_class = DipReviewForm
    template_name = "supervision/dip_sample_review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.sample = get_object_or_404(dip_samples_for_list(user=request.user, as_of=today()), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        own = self.sample.officer.user_id is not None and self.sample.officer.user_id == self.request.user.pk
        return super().get_context_data(sample=self.sample, own_case=own, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            dip_sample_review(sample=self.sample, user=self.request.user, outcome=data["outcome"], note=data["note"],
                              follow_up_on=data["follow_up_on"])
        except ValidationError as error:
            if getattr(error, "code", None) in ("conflict", "own_case"):
                messages.error(self.request, error.messages[0])
                return redirect("dip_samples:review", pk=self.sample.pk)
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Review recorded.")
        return redirect("dip_samples:list")
