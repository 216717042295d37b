"""A table's page of rows, rendered straight to HTML.

django-tables2 renders every cell through a bound row: it inspects the render method's signature, resolves
the accessor generically, calls reverse() for each link and goes through the template engine, which for a
page of fifty rows cost several times the page's query. Here each column is prepared once per page (how to
read, format and link its value) and each cell is then one function call.
"""

import inspect
from collections.abc import Callable
from html import escape
from operator import attrgetter

import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

# An id no table links to, reversed once per column and replaced by each row's own id.
URL_MARKER = 987654321987


def reader(accessor: str) -> Callable[[object], object]:
    """Read a dotted path (given as django-tables2 writes it, with "__") from a record; None where a
    relation on the way is empty, such as an unallocated offender's officer."""
    read = attrgetter(accessor.replace("__", "."))

    def value(record):
        try:
            return read(record)
        except AttributeError:
            return None

    return value


def url_maker(link) -> Callable[[object], str]:
    """The record's URL for a column linkified as (view name, {keyword: accessor}), with one reverse()."""
    viewname, kwargs = link.reverse_args["viewname"], link.reverse_args["kwargs"]
    (keyword, accessor), = kwargs.items()
    prefix, suffix = (escape(part) for part in reverse(viewname, kwargs={keyword: URL_MARKER}).split(str(URL_MARKER)))
    read = reader(str(accessor))
    return lambda record: f"{prefix}{int(read(record))}{suffix}"


def formatter(table: tables.Table, bound_column) -> Callable[[object, object], str]:
    """How the column shows a value, as escaped HTML: the table's render_<name>(), else the column's own
    render(), else the value itself, localised as a template would show it; a model field's choice shows its
    label, as django-tables2 shows it."""
    field = bound_column.accessor.get_field(table._meta.model)
    labels = dict(field.flatchoices) if getattr(field, "choices", None) else None
    custom = getattr(table, f"render_{bound_column.name}", None)
    if custom is not None:
        wanted = set(inspect.signature(custom).parameters)

        def show(value, record):
            arguments = {"value": value, "record": record}
            return conditional_escape(custom(**{name: arguments[name] for name in wanted}))
    elif type(bound_column.column).render is not tables.Column.render:

        def show(value, record):
            return conditional_escape(bound_column.column.render(value))
    else:

        def show(value, record):
            if type(value) is str:
                return escape(value)
            if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
                return str(value)
            return conditional_escape(localize(value))

    if labels is None:
        return show
    return lambda value, record: show(labels.get(value, value), record)


def cell_maker(table: tables.Table, bound_column) -> Callable[[object], str]:
    """One column's <td> for a record: its value formatted and linked, or the column's default."""
    read = reader(str(bound_column.accessor))
    show = formatter(table, bound_column)
    url = url_maker(bound_column.link) if bound_column.link else None
    default = conditional_escape(bound_column.default if bound_column.default is not None else "")
    td_attrs = bound_column.attrs["td"].as_html()
    opening = mark_safe(f"<td {td_attrs}>" if td_attrs else "<td>")  # noqa: S308 (attributes escaped by as_html)
    empty = bound_column.column.empty_values

    def cell(record) -> str:
        value = read(record)
        if value in empty:
            return f"{opening}{default}</td>"
        content = show(value, record)
        if url is not None:
            return f'{opening}<a href="{url(record)}">{content}</a></td>'
        return f"{opening}{content}</td>"

    return cell


def rows_html(table: tables.Table, records) -> SafeString:
    """The <tr> of each record, in order, with django-tables2's even/odd classes; the empty text if none."""
    cells = [cell_maker(table, column) for column in table.columns]
    rows = [
        '<tr class="{}">{}</tr>'.format("odd" if i % 2 else "even", "".join(cell(record) for cell in cells))
        for i, record in enumerate(records)
    ]
    if not rows:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(cells), table.empty_text or "")
    return mark_safe("".join(rows))  # noqa: S308 (every cell is escaped above)
