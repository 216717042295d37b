from django.views.generic import DetailView
from django_tables2 import SingleTableView

from offenders.audit import record_access
from offenders.selectors import offenders_visible_to
from visits.selectors import officer_caseload
from visits.tables import CaseloadTable


class MyCaseloadView(SingleTableView):
    """The officer's home: their offenders, most urgent first (supervisors see their teams')."""

    template_name = "visits/my_caseload.html"
    table_class = CaseloadTable
    paginate_by = 50

    def get_queryset(self):
        return officer_caseload(user=self.request.user)


class OffenderDetailView(DetailView):
    template_name = "visits/offender_detail.html"
    context_object_name = "offender"

    def get_queryset(self):
        return offenders_visible_to(user=self.request.user).select_related("risk_tier", "officer__team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record_access(user=self.request.user, offenders=self.object, request=self.request, kind="detail")
        context["assessments"] = self.object.assessments.select_related("risk_tier", "assessor")[:20]
        context["visits"] = self.object.visits.select_related("officer")[:50]
        return context
