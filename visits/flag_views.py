"""The open flags as a work queue: the list, one flag's page, and the supervisors' and officers' actions on it
(visits/flag_queue.py). A flag outside the user's scope, or an action outside their role, is a 404."""

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin

from caseload.dashboards.widgets import DirectSelect
from offenders.roles import role_of
from offenders.selectors import offenders_visible_to, visible_offenders
from visits import flag_queue
from visits.built_once import built_per_scope
from visits.flag_forms import AssignFlagForm, FlagNoteForm
from visits.models import Flag, FlagKind
from visits.selectors import assigned_to_user, flags_visible_to, open_flags_visible_to, today
from visits.table_rows import URL_MARKER
from visits.tables import MomentColumn, Table
from visits.views import SUPERVISING_ROLES


class FlagFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FlagKind.choices, empty_label="All kinds", widget=DirectSelect)
    severity = django_filters.NumberFilter(field_name="severity", lookup_expr="gte", label="Severity at least")
    assigned = django_filters.ChoiceFilter(
        label="Assigned", method="filter_assigned", empty_label="Assigned or not",
        choices=[("me", "Assigned to me"), ("anyone", "Assigned"), ("nobody", "Not assigned")], widget=DirectSelect,
    )
    acknowledged = django_filters.ChoiceFilter(
        label="Acknowledged", method="filter_acknowledged", empty_label="Acknowledged or not",
        choices=[("no", "Not acknowledged"), ("yes", "Acknowledged")], widget=DirectSelect,
    )

    class Meta:
        model = Flag
        fields = ["kind", "severity", "assigned", "acknowledged"]

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to_user(self.request.user))
        return queryset.filter(assigned_to__isnull=value == "nobody")

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=value == "no")


class SubjectLinks:
    """Where a flag's subject is acted on: the offender's page, or the officer's caseload (for the officer themselves,
    their own), or their overdue dip-sample reviews. Each view's URL is reversed once, however many flags a page
    links (a page of fifty spent more on reverse() than on its query)."""

    def __init__(self):
        self.dip_reviews = reverse("dip_samples:list")
        self.caseload = reverse("visits:my_caseload")
        self.offender = reverse("visits:offender_detail", args=[URL_MARKER])

    def __call__(self, flag: Flag, linked: bool) -> str:
        """The flag's subject, by reference or staff number, linked."""
        if flag.kind == FlagKind.DIP_REVIEW_OVERDUE:
            url = f"{self.dip_reviews}?officer={flag.officer_id}&state=overdue"
            return format_html('<a href="{}">{}</a>', url, flag.officer.staff_id)
        if flag.officer_id:
            return format_html('<a href="{}">{}</a>', f"{self.caseload}?officer={flag.officer_id}",
                               flag.officer.staff_id)
        if not linked:  # assigned to an officer whose case it is not: the page would be a 404
            return flag.offender.reference
        return format_html('<a href="{}">{}</a>', self.offender.replace(str(URL_MARKER), str(flag.offender_id)),
                           flag.offender.reference)


class FlagTable(Table):
    kind = tables.Column(verbose_name="Flag", linkify=("flags:detail", {"pk": tables.A("pk")}))
    subject = tables.Column(empty_values=(), orderable=False, verbose_name="Offender or officer")
    tier = tables.Column(accessor="offender__risk_tier__name", verbose_name="Tier", default="")
    severity = tables.Column()
    what = tables.Column(empty_values=(), orderable=False, verbose_name="Details")
    raised_at = MomentColumn(format="j M Y H:i", verbose_name="Raised")
    acknowledged_at = MomentColumn(format="j M Y", verbose_name="Acknowledged", default="not yet")
    assigned_to = tables.Column(verbose_name="Assigned to", order_by="assigned_to__name", default="—")

    class Meta:
        model = Flag
        fields = ("kind", "subject", "tier", "severity", "what", "raised_at", "acknowledged_at", "assigned_to")
        attrs = {"class": "table", "td": {"data-label": lambda bound_column: bound_column.header}}
        template_name = "caseload/dashboards/table.html"  # the rows written out directly (visits/table_rows.py)

    @cached_property
    def subject_link(self) -> SubjectLinks:
        return SubjectLinks()

    def render_subject(self, record):
        return self.subject_link(record, record.subject_linked)

    def render_what(self, record):
        return record.what(today())


def with_subject_linked(flags, user):
    """Whether the user may open each flag's offender: not so for a flag assigned to an officer on another's case."""
    visible = visible_offenders(user=user, path="offender__")
    linked = Case(When(visible, then=Value(True)), default=Value(False)) if visible else Value(True)
    return flags.annotate(subject_linked=linked)


@built_per_scope
def open_flags_as_the_page_shows_them(*, user, team=None):
    """The open flags the user may see, each with whether its offender's page is theirs to open; the queryset kept
    per user's scope and day (building it cost the flags page 1.9 ms)."""
    return with_subject_linked(open_flags_visible_to(user=user), user)


class OpenFlagsView(SingleTableMixin, FilterView):
    """Open flags the user may see, most severe first."""

    template_name = "visits/flags.html"
    table_class = FlagTable
    filterset_class = FlagFilter
    # Pages without counting, as the dashboard's tables: one row more than shown says whether there is a next.
    table_pagination = {"paginator_class": LazyPaginator, "per_page": 50}

    def get_queryset(self):
        return open_flags_as_the_page_shows_them(user=self.request.user)


class FlagDetailView(DetailView):
    """One flag: what it is, who acknowledged it and whom it is assigned to, its notes, and the forms to act."""

    template_name = "visits/flag_detail.html"
    context_object_name = "flag"

    def get_queryset(self):
        return flags_visible_to(user=self.request.user).select_related(
            "offender__risk_tier", "offender__officer", "officer", "acknowledged_by", "assigned_to")

    def get_context_data(self, **kwargs):
        flag, user = self.object, self.request.user
        can_supervise = role_of(user) in SUPERVISING_ROLES
        linked = flag.officer_id or offenders_visible_to(user=user).filter(pk=flag.offender_id).exists()
        context = {"subject": SubjectLinks()(flag, linked), "what": flag.what(today()), "can_supervise": can_supervise,
                   "actions": flag.actions.select_related("user", "officer"),
                   "unacknowledged_days": flag_queue.UNACKNOWLEDGED_DAYS}
        if flag.is_open:
            context["note_form"] = FlagNoteForm()
            if can_supervise:
                context["assign_form"] = AssignFlagForm(officers=flag_queue.assignable_officers(flag=flag, user=user))
        return super().get_context_data(**context, **kwargs)


class FlagActionView(View):
    """A POST acting on one flag the user may see, through a service; its outcome comes back as a message on the
    flag's page. Supervisors' actions are a 404 for anyone else."""

    supervisors_only = True
    form_class = None

    def post(self, request, pk):
        if self.supervisors_only and role_of(request.user) not in SUPERVISING_ROLES:
            raise Http404
        flag = get_object_or_404(flags_visible_to(user=request.user).select_related("offender__officer", "officer"),
                                 pk=pk)
        form = self.form_class(request.POST, **self.form_kwargs(flag)) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise ValidationError([error for errors in form.errors.values() for error in errors])
            messages.success(request, self.perform(flag, form.cleaned_data if form else {}))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("flags:detail", pk=flag.pk)

    def form_kwargs(self, flag) -> dict:
        return {}

    def perform(self, flag: Flag, data: dict) -> str:
        raise NotImplementedError


class AcknowledgeFlagView(FlagActionView):
    def perform(self, flag, data):
        flag_queue.flag_acknowledge(flag=flag, user=self.request.user)
        return "Flag acknowledged. It stays open until what it flags is put right."


class AssignFlagView(FlagActionView):
    form_class = AssignFlagForm

    def form_kwargs(self, flag):
        return {"officers": flag_queue.assignable_officers(flag=flag, user=self.request.user)}

    def perform(self, flag, data):
        flag_queue.flag_assign(flag=flag, officer=data["officer"], user=self.request.user)
        return f"Flag assigned to {data['officer']}."


class FlagNoteView(FlagActionView):
    """Anyone who may see the flag adds a note: the supervisor, the case's officer, the officer it is assigned to."""

    supervisors_only = False
    form_class = FlagNoteForm

    def perform(self, flag, data):
        flag_queue.flag_note_add(flag=flag, user=self.request.user, text=data["text"])
        return "Note added."

