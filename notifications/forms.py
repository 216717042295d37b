"""Forms for recording notifications, orders, reviews of indefinite notification and removals. They hold no rules:
the services do (notifications/services.py)."""

from django import forms

from notifications.models import CivilOrder, NotificationKind, OrderKind, ReviewOutcome
from visits.forms import DateInput, ReasonForm
from visits.selectors import today


def _not_after_today(field: forms.DateField) -> None:
    field.initial = today()
    field.widget.attrs["max"] = today().isoformat()


class NotificationForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of notification", choices=NotificationKind.choices,
                             widget=forms.RadioSelect, initial=NotificationKind.PERIODIC)
    notified_on = forms.DateField(label="Date notified", widget=DateInput())
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="What the offender notified: anything not in the fields below.")
    new_address = forms.CharField(
        label="New address", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A change of address: the register's address is updated (the old one stays in the history).")
    new_postcode = forms.CharField(label="New postcode", required=False, max_length=12)
    no_fixed_abode = forms.BooleanField(
        label="Now of no fixed abode (notifies weekly)", required=False,
        help_text="A change of circumstances only.")
    destination = forms.CharField(required=False, max_length=200, help_text="Foreign travel: where to.")
    departs_on = forms.DateField(label="Departs", required=False, widget=DateInput())
    returns_on = forms.DateField(label="Returns", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _not_after_today(self.fields["notified_on"])


class OrderForm(forms.ModelForm):
    class Meta:
        model = CivilOrder
        fields = ["kind", "starts_on", "ends_on", "conditions"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(),
                   "conditions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = OrderKind.choices

    def validate_unique(self):
        pass  # the service says it in words: "already has a ... starting ..."


class IndefiniteReviewForm(forms.Form):
    decided_on = forms.DateField(label="Date of the decision", widget=DateInput())
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _not_after_today(self.fields["decided_on"])


class RemovalForm(ReasonForm):
    """Taking an offender whose notification period has ended off the register: the reason is recorded."""
