"""The widgets written out directly give the markup Django's templates give (as HTML: spaces between tags and the
order of attributes aside)."""

import pytest
from django import forms
from django.test.html import parse_html

from caseload.dashboards.widgets import DirectRadioSelect, DirectSelect

CHOICES = [("home", "Home, unannounced"), ("phone", "Phone <call> & text")]


@pytest.mark.parametrize(("ours", "djangos"), [(DirectRadioSelect, forms.RadioSelect), (DirectSelect, forms.Select)])
@pytest.mark.parametrize("data", [None, {"kind": "phone"}, {"kind": "<not a choice>"}])
def test_a_widget_written_out_directly_is_djangos_markup(ours, djangos, data):
    def form_with(widget):
        return type("KindForm", (forms.Form,), {"kind": forms.ChoiceField(choices=CHOICES, widget=widget,
                                                                          initial="home")})

    assert parse_html(str(form_with(ours)(data)["kind"])) == parse_html(str(form_with(djangos)(data)["kind"]))
