"""Pages of officers' availability, for supervisors and admins: the absences and reductions of their officers (with
those that need cover), booking one, and one absence with its cases falling due and the cover for them. Thin views
over availability/services.py; an officer outside the user's teams is a 404, as is every page for an officer."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from availability import forecast, selectors, services
from availability.forms import AbsenceForm, CoverForm
from availability.rebalancing import rebalancing_proposal
from offenders.models import Cover
from offenders.selectors import officers_visible_to, teams_visible_to
from supervision.views import SupervisorsOnlyMixin
from visits.forms import add_service_errors
from visits.rules import today

RECENT_DAYS = 30  # absences over for fewer days than this are still listed


class AbsenceListView(SupervisorsOnlyMixin, ListView):
    template_name = "availability/absences.html"
    context_object_name = "absences"
    paginate_by = 50

    def get_queryset(self):
        since = today() - dt.timedelta(days=RECENT_DAYS)
        return (selectors.absences_visible_to(user=self.request.user).filter(ends_on__gte=since)
                .order_by("starts_on", "officer__name", "pk"))

    def get_context_data(self, **kwargs):
        needing = selectors.absences_needing_cover(user=self.request.user, as_of=today())
        return super().get_context_data(needing_cover={a.pk for a in needing}, today=today(), **kwargs)


class AbsenceCreateView(SupervisorsOnlyMixin, FormView):
    template_name = "availability/absence_new.html"
    form_class = AbsenceForm

    def get_form_kwargs(self):
        officers = officers_visible_to(user=self.request.user).filter(active=True).order_by("name")
        return super().get_form_kwargs() | {"officers": officers}

    def get_initial(self):
        return {"officer": self.request.GET.get("officer"), "starts_on": today()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            absence = services.absence_record(officer=data["officer"], kind=data["kind"], starts_on=data["starts_on"],
                                              ends_on=data["ends_on"], hours_per_week=data["hours_per_week"],
                                              reason=data["reason"], user=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{absence.get_kind_display()} booked for {absence.officer.name}.")
        return redirect("availability:absence", pk=absence.pk)


class AbsenceMixin(SupervisorsOnlyMixin):
    @cached_property
    def absence(self):
        return get_object_or_404(selectors.absences_visible_to(user=self.request.user), pk=self.kwargs["pk"])


class AbsenceDetailView(AbsenceMixin, FormView):
    template_name = "availability/absence.html"
    form_class = CoverForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"officers": selectors.cover_officers(self.absence, user=self.request.user)}

    def get_initial(self):
        return {"until": self.absence.ends_on}

    def get_context_data(self, **kwargs):
        absence = self.absence
        cover = Cover.objects.filter(absence=absence).select_related("officer").first()
        cases = (cover.cases.select_related("offender__risk_tier").order_by("offender__reference") if cover
                 else selectors.cases_falling_due(absence) if not absence.is_reduction else [])
        return super().get_context_data(absence=absence, cover=cover, cases=cases, today=today(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            cover = services.cover_assign(absence=self.absence, officer=data["officer"], until=data["until"],
                                          rationale=data["rationale"], user=self.request.user)
        except ValidationError as error:
            if getattr(error, "code", None) == "conflict":
                messages.error(self.request, error.messages[0])
                return redirect("availability:absence", pk=self.absence.pk)
            add_service_errors(form, error)
            return self.form_invalid(form)
        cases = cover.cases.count()
        messages.success(self.request, f"{cover.officer.name} covers {cases} case{'s' if cases != 1 else ''} until "
                                       f"{cover.until:%-d %b %Y}.")
        return redirect("availability:absence", pk=self.absence.pk)


class AbsenceRemoveView(AbsenceMixin, View):
    def post(self, request, *args, **kwargs):
        absence = self.absence
        services.absence_remove(absence=absence, user=request.user)
        messages.success(request, f"{absence.get_kind_display()} of {absence.officer.name} removed.")
        return redirect("availability:absences")


class RebalanceView(SupervisorsOnlyMixin, TemplateView):
    """A team's rebalancing proposal: the moves, the caseloads per FTE before and after, and accepting them."""

    template_name = "availability/rebalance.html"

    @cached_property
    def team(self):
        return get_object_or_404(teams_visible_to(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        proposal = rebalancing_proposal(self.team, today())
        rows = [{"officer": o, "before": proposal.before[o.pk], "after": proposal.after[o.pk]}
                for o in proposal.officers]
        return super().get_context_data(team=self.team, proposal=proposal, rows=rows,
                                        ceiling=self.team.caseload_ceiling_per_fte, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            chosen = [tuple(int(part) for part in value.split(":")) for value in request.POST.getlist("move")]
            if any(len(pair) != 2 for pair in chosen):
                raise ValueError
        except ValueError:
            messages.error(request, "The moves sent are not ones this page proposes: review the proposal again.")
            return redirect("availability:rebalance", pk=self.team.pk)
        try:
            moved = services.moves_accept(team=self.team, chosen=chosen, rationale=request.POST.get("reason", ""),
                                          user=request.user, as_of=today())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("availability:rebalance", pk=self.team.pk)
        messages.success(request, f"{moved} case{'s' if moved != 1 else ''} moved, each recorded on its case.")
        return redirect("availability:rebalance", pk=self.team.pk)


class ForecastView(SupervisorsOnlyMixin, TemplateView):
    """The backlog forecast for a team or every officer the user sees, its assumptions, and its backtest."""

    template_name = "availability/forecast.html"

    def get_context_data(self, **kwargs):
        teams = teams_visible_to(user=self.request.user)
        team_id = self.request.GET.get("team") or ""
        if team_id and not team_id.isdigit():
            raise Http404
        team = get_object_or_404(teams, pk=team_id) if team_id else None
        officers = forecast.officers_in_scope(user=self.request.user, team=team)
        made = forecast.backlog_forecast(officers, today())
        scope = team.name if team else "all your teams"
        return super().get_context_data(
            team=team, teams=teams, forecast=made, backtest=forecast.backtest(officers, today()),
            chart=forecast.forecast_svg(made, title=f"Overdue visits now and expected, {scope}"),
            lookback_weeks=forecast.LOOKBACK_DAYS // 7, **kwargs)
