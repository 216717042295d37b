"""The filter forms' drop-down lists, written out directly.

Django renders a <select> through a template that includes another template for each option, which for a
filter form's few lists cost more than the table's query. These give the same markup with one
format_html() per option.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class DirectSelectMixin:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _ in widget["optgroups"]:
            html = format_html_join("", '<option value="{}"{}>{}</option>',
                                    ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                           mark_safe("".join(groups)))  # noqa: S308 (each part escaped by format_html)


class DirectSelect(DirectSelectMixin, forms.Select):
    pass


class DirectNullBooleanSelect(DirectSelectMixin, forms.NullBooleanSelect):
    pass
