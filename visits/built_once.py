"""What the ORM would build the same way on every call of a day, built once and kept: SQL (built_once) and
querysets (built_daily).

A list of ids goes into such SQL as one array parameter (ids_in), so the SQL is the same whatever the ids: it
depends on the function's arguments, on the day (the rules count from today), on which lists are given (none, empty
or some ids) and on the settings the rules read. It is built with stand-ins where the lists go, and each call puts
its own lists in their places. A queryset kept for the day is cloned for each call, as Django clones a view's
class-level queryset for each request. Built afresh, the flags a logged visit brings in line were two fifths of the
visit's time, and the caseload's annotations and the officer's fortnight over a quarter of their caseload page
(README: Figures); tests prove each the same as built afresh (`.afresh`).
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.utils import timezone

Built = tuple[str, list] | dict[str, tuple[str, list]]  # SQL and parameters, or a dict of them
KEPT = 16  # built SQL kept per function: today's shapes and arguments, and yesterday's until they give way
KEPT_SCOPES = 256  # per function: a unit's supervisors, each with the teams they pick, for the day
_every_kept: list[dict] = []


def ids_in(ids: list[int]) -> RawSQL:
    """`ids` as the right-hand side of an __in lookup: one array parameter, not a list of literals (PostgreSQL parses
    and plans a long list anew each time; the array also keeps the SQL the same whatever the ids)."""
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def shape(ids: list[int] | None) -> bool | None:
    """What built SQL may depend on in a list of ids: none (the whole register), empty or some."""
    return None if ids is None else bool(ids)


def built_once(*lists: str) -> Callable:
    """Keep what the decorated function builds (a Built) per arguments, day and shape of the keyword arguments named
    in `lists` (lists of ids, or None), and put each call's lists in place of their stand-ins."""

    def decorate(build: Callable[..., Built]) -> Callable[..., Built]:
        kept: dict[tuple, Built] = {}
        _every_kept.append(kept)
        stand_ins = {name: [-1 - index] for index, name in enumerate(lists)}  # ids no row has

        @functools.wraps(build)
        def built(*args, **kwargs) -> Built:
            given = {name: kwargs.pop(name, None) for name in lists}
            key = (args, tuple(sorted(kwargs.items())), timezone.localdate(), *(shape(ids) for ids in given.values()))
            if key not in kept:
                if len(kept) >= KEPT:
                    kept.clear()
                kept[key] = build(*args, **kwargs, **{name: ids and stand_ins[name] for name, ids in given.items()})
            return put_in(kept[key], [(stand_ins[name], ids) for name, ids in given.items()])

        built.afresh = build
        return built

    return decorate


def built_per_scope(build: Callable[..., object]) -> Callable[..., object]:
    """Keep what the decorated function builds for (*, user, team=None, **more) per the user's scope
    (offenders.selectors.scope_of), team, day and the other (hashable) arguments (as_of, say): SQL, or a queryset, for
    a user's page, built the same way on each visit of a day while their scope stays the same. A queryset is given
    to each call as a clone (as built_daily() gives it), to be narrowed and evaluated as the caller wishes. The build
    may not read the database: what it builds must hold whatever the rows say (the scope is read before it, with
    the user)."""
    from offenders.selectors import scope_of

    kept: dict[tuple, object] = {}
    _every_kept.append(kept)

    @functools.wraps(build)
    def built(*, user, team=None, **more):
        key = (scope_of(user), team.pk if team is not None else None, timezone.localdate(), tuple(sorted(more.items())))
        if key not in kept:
            if len(kept) >= KEPT_SCOPES:
                kept.clear()
            with connection.execute_wrapper(_no_reads(build.__name__)):
                kept[key] = build(user=user, team=team, **more)
        return kept[key].all() if isinstance(kept[key], QuerySet) else kept[key]

    built.afresh = build
    return built


def literal(sql: str, params) -> str:
    """The statement with its parameters written in, as Django's client-side binding writes them: SQL kept per scope
    holds the same values on every call, so nothing is left to bind each time, and a statement prepared from it is
    planned once, for those values (with parameters, PostgreSQL plans a prepared statement afresh five times before
    it weighs a generic plan)."""
    return connection.ops.compose_sql(sql, params)


def read_kept(sql: str, params: Sequence | None = None, *, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    """The rows, as dicts, of a statement prepared on the connection the first time it is read there: one kept with
    its values written in (literal(); no `params`, so that a % among the values is not read as a placeholder), or
    one whose `params` are bound on the server (the same text on every call, as a session's read)."""
    with binding_on_the_server(using) as cursor:
        cursor.execute(sql, params, prepare=True)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


NO_ROWS = ("SELECT 1 WHERE false", ())  # in place of a queryset Django knows holds no rows (compiled())


def compiled(queryset: QuerySet, *, empty: tuple[str, Sequence]) -> tuple[str, Sequence]:
    """The queryset's SQL, or `empty` where Django knows without asking that it holds no rows."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return empty


def _no_reads(name: str) -> Callable:
    def refuse(execute, sql, params, many, context):
        raise RuntimeError(f"{name} read the database while building SQL to keep: {sql[:80]}")

    return refuse


def built_daily(build: Callable[[], QuerySet]) -> Callable[[], QuerySet]:
    """Keep the queryset the decorated function builds for the day, and give each call a clone of it (as Django
    gives each request a clone of a view's class-level queryset), to be narrowed and evaluated as the caller wishes."""
    kept: dict[dt.date, QuerySet] = {}
    _every_kept.append(kept)

    @functools.wraps(build)
    def built() -> QuerySet:
        day = timezone.localdate()
        if day not in kept:
            kept.clear()
            kept[day] = build()
        return kept[day].all()

    built.afresh = build
    return built


def put_in(built: Built, lists: list[tuple[list, list | None]]) -> Built:
    """`built` with each stand-in among its parameters replaced by the list it stands in for."""
    if isinstance(built, dict):
        return {name: put_in(part, lists) for name, part in built.items()}
    sql, params = built
    return sql, [next((ids for stand_in, ids in lists if type(param) is list and param == stand_in), param)
                 for param in params]


@contextmanager
def binding_on_the_server(using: str = DEFAULT_DB_ALIAS) -> Iterator[psycopg.Cursor]:
    """A cursor on a connection (the default one unless `using` names another) whose statements bind on the server,
    so that one executed with prepare=True is prepared on the connection and planned once: Django's cursors bind on
    the client, which prepares nothing. Without prepared statements (CASELOAD_DB_PREPARED_STATEMENTS off) psycopg
    prepares none."""
    chosen = connections[using]
    chosen.ensure_connection()
    with chosen.wrap_database_errors, psycopg.Cursor(chosen.connection) as cursor:
        yield cursor


@receiver(setting_changed)
def forget_built(**kwargs) -> None:
    """The rules read settings (the unseen grace, say) as the SQL is built; a deploy starts afresh anyway."""
    for kept in _every_kept:
        kept.clear()
