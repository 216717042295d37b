"""The forms of a request and its decision. They hold no rules: supervision/services.py does."""

from django import forms

from supervision.models import RequestKind, RequestState
from visits.forms import DateInput, ReasonForm


class VisitRequestForm(ReasonForm):
    visit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="Ask to", choices=RequestKind.choices, widget=forms.RadioSelect,
                             initial=RequestKind.CANCEL)
    defer_to = forms.DateField(label="Defer to", required=False, widget=DateInput(),
                               help_text="For a deferral: the new due date.")
    field_order = ["visit", "kind", "defer_to", "reason"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded with your name.")


class BatchProposalForm(ReasonForm):
    shown = forms.CharField(widget=forms.HiddenInput)


class DecisionsFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False, choices=[("", "Any"), *RequestState.choices])
    asked_from = forms.DateField(label="Asked from", required=False, widget=DateInput())
    asked_to = forms.DateField(label="Asked to", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("asked_from") and data.get("asked_to") and data["asked_from"] > data["asked_to"]:
            self.add_error("asked_to", "The end of the period is before its start.")
        return data
