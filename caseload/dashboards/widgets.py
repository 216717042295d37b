"""Drop-down lists and radio buttons, written out directly.

Django renders a <select> (or a set of radio buttons) through a template that includes another template for each
option, which for a filter form's few lists cost more than the table's query. These give the same markup with one
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


class DirectRadioSelect(forms.RadioSelect):
    """Radio buttons, each in its label, as Django writes them (one level of options: no groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        every = [option for _, options, _ in widget["optgroups"] for option in options]
        options = format_html_join(
            "", '<div>\n    <label{}><input type="{}" name="{}" value="{}"{}>\n {}</label>\n\n</div>',
            ((format_html(' for="{}"', o["attrs"]["id"]) if o["attrs"].get("id") else "", o["type"], o["name"],
              o["value"], attributes(o["attrs"]), o["label"]) for o in every))
        wrapper = flatatt({key: widget["attrs"][key] for key in ("id", "class") if widget["attrs"].get(key)})
        return format_html("<div{}>{}\n</div>", wrapper, options)


def attributes(attrs: dict) -> str:
    """Attributes in their order, a true one by its name alone, as Django's attrs.html writes them."""
    return format_html_join("", " {}{}", ((name, "" if value is True else format_html('="{}"', value))
                                          for name, value in attrs.items() if value is not False))
