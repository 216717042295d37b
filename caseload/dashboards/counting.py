"""Many counts, aggregates and short lists read in one statement: each count a scalar subquery, each aggregate and
each list (as arrays) a one-row subquery, of one SELECT, so that a page of a dozen figures pays one round trip and
one execution rather than a dozen (the dashboard: counted.py)."""

from collections.abc import Sequence

from django.db import connections
from django.db.models import QuerySet, Value

from visits.built_once import NO_ROWS, compiled

Reading = tuple[str, list]  # the SELECT and its parameters


def one_row(queryset: QuerySet, **aggregates) -> QuerySet:
    """`queryset.aggregate(**aggregates)` as a queryset of its one row, to be read with others (aggregate() runs at
    once): grouped by a constant, which Django leaves out of the GROUP BY, so that the row is there even when no row
    is aggregated."""
    return queryset.order_by().annotate(one=Value(1)).values("one").annotate(**aggregates).values(*aggregates)


def reading(counts: dict[str, QuerySet], rows: Sequence[QuerySet] = (),
            listed: dict[str, QuerySet] | None = None) -> Reading:
    """One SELECT of the number of rows of each of `counts` (as its .count() gives it), named by its key; of the
    columns of each one_row() of `rows`; and of the rows of each of `listed`, as an array per column (rows_of()
    reads them back). A queryset that can hold no rows (.none(), an empty list of ids) is read without asking; the
    names must differ."""
    columns, tables, params, names = [], [], [], list(counts)
    for name, queryset in counts.items():
        sql, query_params = compiled(queryset.order_by().values("pk"), empty=NO_ROWS)
        columns.append(f'(SELECT count(*) FROM ({sql}) counted) AS "{name}"')
        params.extend(query_params)
    parts = [*((None, queryset) for queryset in rows), *(listed or {}).items()]
    for index, (name, queryset) in enumerate(parts):
        columns.append(f"part_{index}.*")
        if name is None:
            sql, query_params = compiled(queryset, empty=aggregated_over_nothing(queryset))
            names.extend(queryset.query.annotation_select)
        else:
            sql, query_params, array_names = as_arrays(name, queryset)
            names.extend(array_names)
        tables.append(f"({sql}) part_{index}")
        params.extend(query_params)
    if len(set(names)) < len(names):
        raise ValueError(f"figures read at once need names of their own: {sorted(names)}")
    return f"SELECT {', '.join(columns)}{' FROM ' if tables else ''}{', '.join(tables)}", params


def as_arrays(name: str, queryset: QuerySet) -> tuple[str, Sequence, list[str]]:
    """The queryset's rows as one row of arrays, one per column, named `name`_0, `name`_1... (array_agg() reads each
    column in the same pass, so their elements line up); with those names."""
    width = len(queryset.query.get_compiler(queryset.db).get_select()[0])  # the columns the queryset selects
    columns = [f"c{index}" for index in range(width)]
    arrays = [f"{name}_{index}" for index in range(width)]
    sql, query_params = compiled(queryset, empty=(f"SELECT {', '.join(['NULL'] * width)} WHERE false", ()))
    selected = ", ".join(f'array_agg({column}) AS "{array}"' for column, array in zip(columns, arrays, strict=True))
    return f"SELECT {selected} FROM ({sql}) AS listed({', '.join(columns)})", query_params, arrays


def rows_of(figures: dict, name: str) -> list[tuple]:
    """The rows of reading()'s `listed` queryset `name`, as tuples (as the queryset's values_list() gives them)."""
    arrays = []
    while f"{name}_{len(arrays)}" in figures:
        arrays.append(figures[f"{name}_{len(arrays)}"] or [])  # NULL: no rows
    return list(zip(*arrays, strict=True))


def aggregated_over_nothing(row: QuerySet) -> tuple[str, list]:
    """A one_row() of no rows, as aggregate() gives it: 0 for a count, else NULL."""
    values = {name: getattr(aggregate, "empty_result_set_value", None)
              for name, aggregate in row.query.annotation_select.items()}
    columns = ", ".join(f'%s AS "{name}"' for name in values)
    return f"SELECT {columns}", list(values.values())


def read(built: Reading, *, using: str) -> dict:
    """The figures of a reading(), by name (read_kept() reads one kept with its values written in)."""
    sql, params = built
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip([column.name for column in cursor.description], cursor.fetchone(), strict=True))
