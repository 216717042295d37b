"""Forms for logging a visit and for the supervisor's actions. They hold no rules: the services do."""

from django import forms
from django.core.exceptions import ValidationError

from caseload.dashboards.widgets import DirectRadioSelect
from offenders.models import OffenderStatus, RiskAssessment, RiskTier
from offenders.selectors import officers_visible_to
from visits.models import Visit
from visits.selectors import today

# The tools an officer records an assessment with (the others come from imports).
ASSESSMENT_TOOLS = (RiskAssessment.Tool.RM2000, RiskAssessment.Tool.ARMS, RiskAssessment.Tool.OTHER)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LogVisitForm(forms.Form):
    visit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    visited_on = forms.DateField(label="Date of visit", widget=DateInput())
    # Written out directly: the form an officer opens at every door (Django's templates cost more than its queries).
    kind = forms.ChoiceField(label="Kind of visit", choices=Visit.Kind.choices, widget=DirectRadioSelect,
                             initial=Visit.Kind.HOME_UNANNOUNCED)
    outcome = forms.ChoiceField(choices=Visit.Outcome.choices, widget=DirectRadioSelect, initial=Visit.Outcome.SEEN)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    new_address = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only when the offender has moved and you know where: otherwise they are marked missing.",
    )
    new_postcode = forms.CharField(required=False, max_length=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = today()
        self.fields["visited_on"].widget.attrs["max"] = today().isoformat()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, or above the fields."""
    problems = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in problems.items():
        form.add_error(field if field in form.fields else None, errors)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded with who and when.")


class ChangeTierForm(ReasonForm):
    risk_tier = forms.ModelChoiceField(label="New risk tier", queryset=RiskTier.objects.all(), empty_label=None)
    assessed_on = forms.DateField(label="Assessed on", widget=DateInput())
    tool = forms.ChoiceField(choices=RiskAssessment.Tool.choices, initial=RiskAssessment.Tool.OTHER)
    field_order = ["risk_tier", "assessed_on", "tool", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = today()


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput())
    tool = forms.ChoiceField(choices=[(t, RiskAssessment.Tool(t).label) for t in ASSESSMENT_TOOLS],
                             widget=forms.RadioSelect, initial=RiskAssessment.Tool.ARMS)
    risk_tier = forms.ModelChoiceField(label="Risk tier found", queryset=RiskTier.objects.all(), empty_label=None,
                                       widget=forms.RadioSelect)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = today()
        self.fields["assessed_on"].widget.attrs["max"] = today().isoformat()


class MappaMeetingForm(forms.Form):
    held_on = forms.DateField(label="Date of the meeting", widget=DateInput())
    level = forms.TypedChoiceField(label="MAPPA level decided", coerce=int, widget=forms.RadioSelect,
                                   choices=[(1, "Level 1"), (2, "Level 2"), (3, "Level 3")])
    next_review_on = forms.DateField(label="Next review", required=False, widget=DateInput(),
                                     help_text="Level 2 and 3 only. Left blank, the case shows as overdue.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = today()
        self.fields["held_on"].widget.attrs["max"] = today().isoformat()


class ChangeStatusForm(ReasonForm):
    status = forms.ChoiceField(label="New status", choices=OffenderStatus.choices)
    field_order = ["status", "reason"]


class ReactiveForm(ReasonForm):
    reactive = forms.TypedChoiceField(
        label="Reactive management", coerce=lambda value: value == "yes",
        choices=[("yes", "On: no scheduled home visits"), ("no", "Off: back on scheduled visits")],
        widget=forms.RadioSelect,
    )
    field_order = ["reactive", "reason"]


class ReassignForm(ReasonForm):
    officer = forms.ModelChoiceField(label="New offender manager", queryset=None)
    field_order = ["officer", "reason"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers_visible_to(user=user).filter(active=True).select_related("team")
