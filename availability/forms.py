"""The forms of availability. They hold no rules: availability/services.py does."""

from django import forms

from offenders.availability_models import AbsenceKind
from visits.forms import DateInput


class AbsenceForm(forms.Form):
    officer = forms.ModelChoiceField(label="Officer", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="Kind", choices=AbsenceKind.choices)
    starts_on = forms.DateField(label="First day", widget=DateInput())
    ends_on = forms.DateField(label="Last day", widget=DateInput(), help_text="Included.")
    hours_per_week = forms.DecimalField(label="Hours a week taken out", required=False, min_value=0,
                                        max_digits=4, decimal_places=1, help_text="A reduction only.")
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="For a reduction, what the hours are taken out for.")

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class CoverForm(forms.Form):
    officer = forms.ModelChoiceField(label="Covering officer", queryset=None, empty_label=None)
    until = forms.DateField(label="Cover until", widget=DateInput(), help_text="The last day of cover, included.")
    rationale = forms.CharField(label="Rationale", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
