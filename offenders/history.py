"""Change history: Postgres triggers (django-pghistory) copy every insert, update and delete
of a tracked table into its event table, with the acting user from the request or command
context. Being triggers, they also catch bulk_create, queryset.update() and raw SQL imports."""

import datetime as dt
from dataclasses import dataclass

import pghistory
import pgtrigger
from django.apps import apps
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import F


def tracked(**options):
    """The change-history decorator every tracked model of caseload uses.

    Statement-level triggers: one trigger call per statement, whatever its row count, so a bulk
    import of a whole register pays for one INSERT ... SELECT per batch, not a function per row.
    """
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        level=pgtrigger.Statement, **options,
    )


def tracked_with_time_index(name: str, **options):
    """`tracked`, with a BRIN index on the events' time: the flag job reads what changed since its last run
    from the history (visits/flag_changes.py). Events are appended in about time order (the first states of rows a
    large load inserted are dated back to the load, FirstStateOnFirstChange), so a block range index (a few pages
    per million events, next to nothing per insert) finds the latest ones."""
    index = BrinIndex(fields=["pgh_created_at"], name=name)
    return tracked(meta={"indexes": [index]}, **options)


class FirstStateOnFirstChange(pgtrigger.Trigger):
    """Record a row's first state, as an `insert` event dated when the row was created, the first time the row
    is updated or deleted, if a large import left it out when inserting the row (caseload/imports/bulk.py).

    A large load inserts a million offenders and two million visits; copying each into the history at once
    would cost a third of the load (about 9 s on two cores), and most of those rows are never changed. Until
    one changes, the row itself is its history: it names the import run that wrote it, whose stored file, hash
    and user say what was written, when and by whom (`state_on` answers from it). Its first change then keeps
    that state before the update's own event, so the history of a changed row is whole: every state it has
    had, from its first, with who made each change.

    A row is one such when its import run left its inserts out and the row was created by that run's
    transaction (both stamped with its start); one recorded once already is passed over (one index probe per
    row). Named to fire before pghistory's update and delete triggers (PostgreSQL fires the triggers of one
    event in name order), so that the first state takes the lower event id. The event has no context of its
    own: the import run it names is who and what made it."""

    level = pgtrigger.Statement
    when = pgtrigger.After
    referencing = pgtrigger.Referencing(old="old_values")

    def get_func(self, model):
        events = apps.get_model(model._meta.app_label, f"{model._meta.object_name}Event")
        tracked = {f.name for f in model._meta.fields}
        columns = [f.column for f in events._meta.fields if f.name in tracked and f.concrete
                   and not isinstance(f, models.AutoField | models.GeneratedField)]
        table = events._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join(f'o."{c}"' for c in columns)
        return pgtrigger.Func(
            f'INSERT INTO "{table}" ({names}, pgh_created_at, pgh_label, pgh_obj_id)'
            f" SELECT {values}, o.created_at, 'insert', o.id FROM old_values o"
            " JOIN offenders_importrun r ON r.id = o.import_run_id WHERE o.created_at = r.history_left_out_at"
            f" AND NOT EXISTS (SELECT FROM \"{table}\" e WHERE e.pgh_obj_id = o.id AND e.pgh_label = 'insert');"
            " RETURN NULL;"
        )


def first_state_triggers() -> list[pgtrigger.Trigger]:
    """The triggers that keep the first state of rows a large import inserted without history (see above)."""
    return [FirstStateOnFirstChange(name="a_first_state_on_update", operation=pgtrigger.Update),
            FirstStateOnFirstChange(name="a_first_state_on_delete", operation=pgtrigger.Delete)]


def history_context(**metadata):
    """Attach who and what to the history written inside the block (commands, tasks, imports),
    as the web's middleware does for requests: `with history_context(user=..., command=...)`."""
    return pghistory.context(**metadata)


def history_triggers_join_by_hash(**kwargs) -> None:
    """Run the statement-level update triggers with hash joins (post_migrate, after pgtrigger installs them).

    Each joins the statement's old and new rows by primary key; PostgreSQL knows nothing of their number,
    guesses one row each, and loops: every old row against every new row, n² comparisons for n rows (10 s
    for 2,000 rows changed by one import statement, minutes for 10,000). With nested loops off inside the
    trigger function, the join is a hash join, linear in n.

    JIT compilation is off there too: the cost that turning nested loops off adds to the plan of the insert of
    the statement's events (a loop it cannot avoid) passes the JIT threshold, and a one-row save would then
    spend 200 ms compiling (bench/log_visit.py)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    with connections[kwargs.get("using", DEFAULT_DB_ALIAS)].cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.prosrc LIKE '%%JOIN new_values ON%%'"
            " AND NOT coalesce(p.proconfig @> ARRAY['enable_nestloop=off', 'jit=off'], false)"
        )
        for (function,) in cursor.fetchall():
            cursor.execute(f"ALTER FUNCTION {function} SET enable_nestloop = off")
            cursor.execute(f"ALTER FUNCTION {function} SET jit = off")


@dataclass(frozen=True)
class RecordState:
    """A record as it stood at a moment: its fields, since when, and what made it so (the event's label and
    context, or the import run that inserted it when its insert was left out of the history)."""

    values: dict
    since: dt.datetime
    label: str
    context: dict
    import_run_id: int | None


def state_on(model: type[models.Model], pk: int, moment: dt.datetime) -> RecordState | None:
    """What the record `pk` of a tracked model looked like at `moment`, and who made it so; None if it did not
    exist then. Read from the history; for a row a large import inserted and that has not changed since, whose
    insert the history left out (FirstStateOnFirstChange), from the row itself. For the models a large load
    writes (caseload/imports/bulk.py), which have `created_at` and `import_run`."""
    events = apps.get_model(model._meta.app_label, f"{model._meta.object_name}Event")
    # The latest by id: events are stamped with their transaction's start, so a transaction begun earlier may
    # commit a later change; a row's changes take turns under its lock, and ids follow their order.
    event = (events.objects.filter(pgh_obj_id=pk, pgh_created_at__lte=moment).select_related("pgh_context")
             .order_by("-pgh_id").first())
    if event is not None:
        if event.pgh_label == "delete":
            return None
        return RecordState(values=_values(event, model), since=event.pgh_created_at, label=event.pgh_label,
                           context=event.pgh_context.metadata if event.pgh_context else {},
                           import_run_id=getattr(event, "import_run_id", None))
    if events.objects.filter(pgh_obj_id=pk).exists():
        return None  # its history starts later: it did not exist yet
    row = model.objects.filter(pk=pk, created_at__lte=moment, created_at=F("import_run__history_left_out_at")).first()
    if row is None:
        return None  # not yet created, or created with its history and never recorded (no trigger then)
    return RecordState(values=_values(row, model), since=row.created_at, label="insert", context={},
                       import_run_id=row.import_run_id)


def _values(source, model) -> dict:
    """The tracked model's fields (by attribute name, so keys are ids) as `source`, an event or a row, holds them."""
    return {f.attname: getattr(source, f.attname) for f in model._meta.concrete_fields
            if hasattr(source, f.attname) and not isinstance(f, models.GeneratedField)}
