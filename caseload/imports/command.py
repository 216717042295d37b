"""The three import commands share this: FILE, --dry-run, --valid-rows-only; exit 0 only on success."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caseload.imports.services import import_file
from offenders.models import ImportRun


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, comma or semicolon) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--valid-rows-only", action="store_true",
                            help="import the valid rows and leave out the bad ones (default: all or nothing)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        run = import_file(kind=self.kind, path=path, dry_run=options["dry_run"],
                          valid_rows_only=options["valid_rows_only"])
        for error in run.report.get("errors", []):
            where = f"row {error['row']}" if error["row"] else "file"
            column = f", {error['column']}" if error["column"] else ""
            value = f" {error['value']!r}" if error["value"] else ""
            self.stderr.write(f"{where}{column}:{value} {error['message']}")
        if run.error_count > len(run.report.get("errors", [])):
            self.stderr.write(f"... {run.error_count} errors in all; the full list is in {run.errors_file}")
        if run.report.get("failure"):
            self.stderr.write(run.report["failure"])
        for column in run.report.get("ignored_columns", []):
            self.stderr.write(f"column {column!r} is not known and was ignored")
        if run.report.get("rows_as_last_imported"):
            self.stdout.write(f"{run.report['rows_as_last_imported']} rows are as they were when last imported"
                              " (passed over)")
        if run.report.get("missing_offenders"):
            self.stdout.write(f"{run.report['missing_offenders']} offenders on the register are not in the file"
                              " (kept, not deleted)")
        summary = (f"{run.get_outcome_display()}: {run.rows} rows, {run.created} to create, {run.updated} to update,"
                   f" {run.unchanged} unchanged, {run.error_count} errors ({run.duration.total_seconds():.1f} s)")
        if run.outcome in (ImportRun.Outcome.INVALID, ImportRun.Outcome.FAILED):
            raise CommandError(summary)
        if not run.dry_run:
            summary = summary.replace("to create", "created").replace("to update", "updated")
        if run.outcome == ImportRun.Outcome.UNCHANGED:
            summary += ": the file was already imported, nothing changed"
        self.stdout.write(summary)
