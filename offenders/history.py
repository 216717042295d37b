"""Change history: Postgres triggers (django-pghistory) copy every insert, update and delete
of a tracked table into its event table, with the acting user from the request or command
context. Being triggers, they also catch bulk_create, queryset.update() and raw SQL imports."""

import pghistory
import pgtrigger


def tracked(**options):
    """The change-history decorator every tracked model of caseload uses.

    Statement-level triggers: one trigger call per statement, whatever its row count, so a bulk
    import of a whole register pays for one INSERT ... SELECT per batch, not a function per row.
    """
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        level=pgtrigger.Statement, **options,
    )


def history_context(**metadata):
    """Attach who and what to the history written inside the block (commands, tasks, imports),
    as the web's middleware does for requests: `with history_context(user=..., command=...)`."""
    return pghistory.context(**metadata)
