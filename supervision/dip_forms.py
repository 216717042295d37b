"""The review form of a dip sample and the filters of the samples' list. They hold no rules: the review's are in
supervision/dip_samples.py, which the form's errors come back from."""

import django_filters
from django import forms

from offenders.selectors import teams_visible_to
from supervision.dip_models import DipOutcome
from supervision.dip_samples import STATES, in_state, officers_with_samples
from visits.forms import DateInput
from visits.rules import today


class DipReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=DipOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="What you found; recorded with your "
                                                                                "name.")
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DateInput(),
                                   help_text="When action is needed: the date to follow it up.")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


def visible_teams(request):
    return teams_visible_to(user=request.user).order_by("name")


def sampled_officers(request):
    return officers_with_samples(user=request.user)


class DipSampleFilter(django_filters.FilterSet):
    month = django_filters.DateFilter(label="Month", input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput(),
                                      method="by_month")
    team = django_filters.ModelChoiceFilter(label="Team", queryset=visible_teams, empty_label="All teams")
    officer = django_filters.ModelChoiceFilter(label="Officer", queryset=sampled_officers,
                                               empty_label="All officers")
    state = django_filters.ChoiceFilter(label="State", choices=STATES, empty_label="Any state", method="by_state")

    def by_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))

    def by_state(self, queryset, name, value):
        return queryset.filter(in_state(value, today()))
