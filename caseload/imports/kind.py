"""What the engine asks of each kind of import file (officers.py, register.py, visits.py): every module
provides all of these, so the engine never has to ask which it has."""

from typing import Protocol

from caseload.imports.columns import Check, Column


class ImportKind(Protocol):
    COLUMNS: list[Column]
    # The foreign keys each table's large load sets aside and checks once at the end (bulk.py); {} for none.
    BULK_KEYS: dict[str, list[str]]

    def lookups(self, *, present: set[str], today) -> tuple[str, str]:
        """The columns (SQL select list) and joins that resolve each staged row's keys."""

    def skip_unchanged(self, cursor, *, present: set[str]) -> int:
        """Drop from the raw staging table the rows that are as they were last imported; how many."""

    def prepare(self, cursor) -> None:
        """Work on the typed rows before they are checked (e.g. mark repeated keys)."""

    def checks(self, *, present: set[str], today) -> list[Check]:
        """The checks of this kind beyond each column's own."""

    def apply(self, cursor, *, run_id: int, present: set[str], today) -> dict:
        """Write the valid rows; {"created": n, "updated": n, ...}."""

    def flags_follow(self, cursor, *, changed: int) -> int | None:
        """After `apply` (not on a dry run): bring the flags of what changed in line, in the import's
        transaction, and say for how many offenders; None leaves it to a full flag run after the commit."""

    def notes(self, cursor) -> dict:
        """What the report says besides the counts."""
