"""Form widgets cheap enough for a page of filters: Django draws a select with a template for each option."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A select written out directly, the same HTML as Django's (one level of options: no groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], " selected" if option["selected"] else "", option["label"])
             for _, group, _ in widget["optgroups"] for option in group),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)
