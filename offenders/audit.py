"""The read log: every view or export of an offender's record, written by one helper."""

from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from offenders.models import Offender, OffenderAccess


def client_ip(request) -> str | None:
    """The address the request came from, as django-axes resolved it (or the socket's)."""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def record_access(*, user, offenders: Offender | QuerySet | Iterable, request, kind: str) -> int:
    """Log that `user` read these offenders' records; returns how many offenders were logged.

    Give a queryset for exports, of offenders or of one column of offender ids (`visits.values("offender_id")`):
    it is logged as one row naming each offender once, with a SELECT of the ids and one INSERT however many
    rows. An offender, or a list of them or of their ids, is logged a row per offender.
    """
    kind = OffenderAccess.Kind(kind)
    context = {
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "kind": kind.value,
        "ip_address": client_ip(request) if request is not None else None,
        "path": request.path[:500] if request is not None else "",
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
    }
    if isinstance(offenders, Offender):
        offenders = [offenders.pk]
    if isinstance(offenders, QuerySet):
        return _record_queryset(offenders, context)
    ids = [o.pk if isinstance(o, Offender) else int(o) for o in offenders]
    OffenderAccess.objects.bulk_create([OffenderAccess(offender_id=pk, **context) for pk in ids])
    return len(ids)


def _offender_ids(rows: QuerySet) -> QuerySet:
    """The distinct offender ids in `rows`: the keys of a queryset of offenders, or the one column of a
    `values()` queryset. They are read straight from the rows, never looked up in the register again
    (`Offender.objects.filter(pk__in=rows)`): where the planner's statistics say the register is empty,
    as they do after a vacuum that ran while a large insert was uncommitted, that semi-join becomes
    nested loops over whole tables, and logging an export of 38 rows took two minutes."""
    if rows.query.values_select:
        if len(rows.query.values_select) != 1:
            raise ValueError("Give the offenders, or one column of offender ids.")
        return rows.order_by().distinct()
    if rows.model is not Offender:
        raise ValueError(f"{rows.model.__name__} rows are not offenders: give their offender ids, .values(...).")
    return rows.order_by().values("pk")


def _record_queryset(offenders: QuerySet, context: dict) -> int:
    """One row naming every offender of the queryset, in id order; nothing when there are none. The ids are
    read by a SELECT of their own, which PostgreSQL may share among parallel workers (an INSERT ... SELECT runs
    on one core), and come back as one text value that the INSERT reads as the row's array."""
    try:
        ids_sql, ids_params = _offender_ids(offenders).query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter no row can meet
        return 0
    table = OffenderAccess._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT array_agg(ids.id ORDER BY ids.id)::text FROM ({ids_sql}) AS ids(id)", ids_params)
        (ids,) = cursor.fetchone()
        if ids is None:
            return 0
        cursor.execute(
            f"INSERT INTO {table} (offenders, user_id, kind, ip_address, path, user_agent)"
            " VALUES (%s::bigint[], %s, %s, %s, %s, %s) RETURNING cardinality(offenders)",
            (ids, context["user_id"], context["kind"], context["ip_address"], context["path"], context["user_agent"]),
        )
        return cursor.fetchone()[0]
