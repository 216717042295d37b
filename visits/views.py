from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from notifications.selectors import case_notices, falling_due, offenders_as_their_page_shows_them
from offenders.audit import record_access
from offenders.models import Offender
from offenders.roles import Role, role_of
from offenders.selectors import offenders_visible_to, visible_offenders
from supervision.selectors import batches_of, request_waiting_for, requests_waiting_for
from visits import forms, services
from visits.built_once import built_daily
from visits.case_cards import card_rows, case_cards
from visits.filters import CaseloadFilter
from visits.models import OPEN_STATUSES, Flag, ReviewKind, Visit
from visits.paging import ShortListPaginator, page_size
from visits.selectors import officer_caseload, open_review, open_reviews, today

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class CaseCardsMixin:
    """A page of caseload cards (`cards`, `page_obj`, and `query` for the pager) over a list view of
    officer_caseload(): `paginate_by` to a page, or what ?per_page= asks up to CASELOAD_MAX_PAGE_SIZE (one request
    must not render a national register). `with_officer` names the officer on each card."""

    paginate_by = 50
    paginator_class = ShortListPaginator
    with_officer = True

    def get_paginate_by(self, queryset):
        asked = self.request.GET.get("per_page", "")
        return page_size(int(asked) if asked.isdigit() else None, self.paginate_by)

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(card_rows(queryset), page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(cards=case_cards(context["page_obj"], today=today(), with_officer=self.with_officer),
                       query=query.urlencode())
        return context


class MyCaseloadView(CaseCardsMixin, FilterView):
    """The officer's home: their offenders as cards, most urgent first (supervisors see their teams', with the
    officer on each card: an officer's caseload is all theirs)."""

    template_name = "visits/my_caseload.html"
    filterset_class = CaseloadFilter

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.with_officer = role_of(request.user) != Role.OFFICER

    def get_queryset(self):
        return officer_caseload(user=self.request.user)

    def get_context_data(self, **kwargs):
        """With the officer's fortnight: what falls due on their cases in the next 14 days, of every kind."""
        context = super().get_context_data(**kwargs)
        if not self.with_officer:
            context["fortnight"] = falling_due(offenders_visible_to(user=self.request.user), today())
            context["today"] = today()
        return context


@built_daily
def offenders_as_the_page_shows_them() -> QuerySet[Offender]:
    """offenders_as_their_page_shows_them(), with whether a request waits for a decision on the case and whether it
    has open flags: the page reads those only where there are some."""
    return offenders_as_their_page_shows_them().annotate(
        request_waiting=Exists(requests_waiting_for(OuterRef("pk"))),
        flagged=Exists(Flag.objects.filter(offender=OuterRef("pk"), cleared_at__isnull=True)))


def open_visit_among(visits: list[Visit], offender, shown: int) -> Visit | None:
    """The offender's open visit (one at most, by a constraint), from their latest `shown` visits where it is among
    them or they are all the offender has; read apart only when neither is so."""
    found = next((visit for visit in visits if visit.status in OPEN_STATUSES), None)
    if found is None and len(visits) >= shown:
        return offender.visits.filter(status__in=OPEN_STATUSES).first()
    return found


class OffenderDetailView(DetailView):
    template_name = "visits/offender_detail.html"
    context_object_name = "offender"
    visits_shown = 50

    def get_queryset(self):
        """The offender with what their page says of them today, if the user may see them."""
        return offenders_as_the_page_shows_them().filter(visible_offenders(user=self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record_access(user=self.request.user, offenders=self.object, request=self.request, kind="detail")
        offender = self.object
        context["assessments"] = offender.assessments.select_related("risk_tier", "assessor")[:20]
        visits = list(offender.visits.select_related("officer").prefetch_related("attempts")[:self.visits_shown])
        context["visits"] = visits
        context["open_visit"] = open_visit_among(visits, offender, self.visits_shown)
        reviews = open_reviews(offender)
        context["open_review"] = reviews.get(ReviewKind.ASSESSMENT)
        context["mappa_review"] = reviews.get(ReviewKind.MAPPA)
        context["open_notification"] = reviews.get(ReviewKind.NOTIFICATION)
        context["review_overdue"], context["mappa_overdue"] = offender.review_overdue, offender.mappa_overdue
        context.update(case_notices(offender))
        context["case_actions"] = offender.case_actions.select_related("user")[:50]
        context["open_flags"] = (offender.flags.filter(cleared_at__isnull=True).order_by("-severity", "raised_at")
                                 if offender.flagged else [])
        context["can_supervise"] = role_of(self.request.user) in SUPERVISING_ROLES
        context["visit_request"] = request_waiting_for(offender) if offender.request_waiting else None
        context["batches"] = batches_of(offender) if context["can_supervise"] else []
        context["today"] = today()
        return context


class CaseActionView(FormView):
    """An action on one offender the user may see; supervisors' actions are a 404 for anyone else."""

    template_name = "visits/case_action.html"
    supervisors_only = True
    title = ""
    success_message = "Saved."

    def dispatch(self, request, *args, **kwargs):
        if self.supervisors_only and role_of(request.user) not in SUPERVISING_ROLES:
            raise Http404
        self.offender = get_object_or_404(
            offenders_visible_to(user=request.user).select_related("risk_tier", "officer"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def open_visit(self):
        return self.offender.visits.filter(status__in=OPEN_STATUSES).first()

    def get_initial(self):
        # On POST the visit id comes from the form the user saw, which is the point: no need to look it up.
        if self.request.method != "GET":
            return {}
        return {"visit": self.open_visit.pk if self.open_visit else None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            offender=self.offender, open_visit=self.open_visit, title=self.title, **kwargs
        )

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) == "conflict":
                messages.error(self.request, error.messages[0])
                return redirect("visits:offender_detail", pk=self.offender.pk)
            forms.add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("visits:offender_detail", pk=self.offender.pk)

    def perform(self, data: dict) -> None:
        raise NotImplementedError


class LogVisitView(CaseActionView):
    form_class = forms.LogVisitForm
    template_name = "visits/log_visit.html"
    supervisors_only = False
    title = "Log a visit"

    def perform(self, data):
        services.visit_log(
            offender=self.offender, visit_id=data["visit"], user=self.request.user, visited_on=data["visited_on"],
            kind=data["kind"], outcome=data["outcome"], notes=data["notes"], new_address=data["new_address"],
            new_postcode=data["new_postcode"],
        )
        self.success_message = "Visit logged."


class ChangeTierView(CaseActionView):
    form_class = forms.ChangeTierForm
    title = "Change risk tier"
    success_message = "Risk tier changed."

    def perform(self, data):
        services.offender_change_tier(offender=self.offender, risk_tier=data["risk_tier"], user=self.request.user,
                                      reason=data["reason"], assessed_on=data["assessed_on"], tool=data["tool"])


class RecordAssessmentView(CaseActionView):
    """An officer or supervisor records a risk assessment, from a phone as from a desktop."""

    form_class = forms.AssessmentForm
    template_name = "visits/record_assessment.html"
    supervisors_only = False
    title = "Record a risk assessment"

    def get_initial(self):
        return {**super().get_initial(), "risk_tier": self.offender.risk_tier}

    def get_context_data(self, **kwargs):
        return super().get_context_data(open_review=open_review(self.offender), **kwargs)

    def perform(self, data):
        services.assessment_record(offender=self.offender, risk_tier=data["risk_tier"], user=self.request.user,
                                   assessed_on=data["assessed_on"], tool=data["tool"], notes=data["notes"])
        due = open_review(self.offender)
        self.success_message = "Assessment recorded." + (f" Next review due {due.due_on:%-d %b %Y}." if due else "")


class MappaMeetingView(CaseActionView):
    """A supervisor records a multi-agency meeting on the case."""

    form_class = forms.MappaMeetingForm
    title = "Record a MAPPA meeting"

    def get_initial(self):
        return {**super().get_initial(), "level": self.offender.mappa_level or 1}

    def perform(self, data):
        meeting = services.mappa_meeting_record(
            offender=self.offender, held_on=data["held_on"], level=data["level"],
            next_review_on=data["next_review_on"], user=self.request.user, notes=data["notes"])
        due = open_review(self.offender, kind=ReviewKind.MAPPA)
        self.success_message = (f"MAPPA meeting recorded: level {meeting.level}"
                                + (f", next review due {due.due_on:%-d %b %Y}." if due else "."))


class ChangeStatusView(CaseActionView):
    form_class = forms.ChangeStatusForm
    title = "Change status"
    success_message = "Status changed."

    def get_initial(self):
        return {**super().get_initial(), "status": self.offender.status}

    def perform(self, data):
        services.offender_change_status(offender=self.offender, status=data["status"], user=self.request.user,
                                        reason=data["reason"])


class ReactiveView(CaseActionView):
    form_class = forms.ReactiveForm
    title = "Reactive management"
    success_message = "Reactive management changed."

    def get_initial(self):
        return {**super().get_initial(), "reactive": "no" if self.offender.reactive else "yes"}

    def perform(self, data):
        services.offender_set_reactive(offender=self.offender, reactive=data["reactive"], user=self.request.user,
                                       reason=data["reason"])


class ReassignView(CaseActionView):
    form_class = forms.ReassignForm
    title = "Reassign to another officer"
    success_message = "Offender reassigned."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, data):
        services.offender_reassign(offender=self.offender, officer=data["officer"], user=self.request.user,
                                   reason=data["reason"])
