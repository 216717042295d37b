"""Counts of many querysets in one statement: each a scalar subquery of one SELECT, so that a page of a dozen
counts pays one round trip and one execution rather than a dozen (the dashboard: counted.py)."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

Counting = tuple[str, list, list[str]]  # the SELECT, its parameters, and the name of each count


def counting(querysets: dict[str, QuerySet]) -> Counting:
    """One SELECT of the number of rows of each queryset (as its .count() gives it); a queryset that can hold no rows
    (.none(), an empty list of ids) is counted 0 without asking."""
    parts, params, names = [], [], []
    for name, queryset in querysets.items():
        try:
            sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            sql, query_params = "SELECT 1 WHERE false", []
        parts.append(f"(SELECT count(*) FROM ({sql}) counted)")
        params.extend(query_params)
        names.append(name)
    return f"SELECT {', '.join(parts)}", params, names


def counted(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """The number of rows of each queryset, keyed as given, in one statement on the database they read (the replica,
    where a view reads one)."""
    if not querysets:
        return {}
    return read(counting(querysets), using=next(iter(querysets.values())).db)


def read(built: Counting, *, using: str) -> dict[str, int]:
    sql, params, names = built
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(names, cursor.fetchone(), strict=True))
