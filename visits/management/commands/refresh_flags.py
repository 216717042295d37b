from django.core.management.base import BaseCommand, CommandError

from visits.flagging import flags_refresh
from visits.summary import as_of_from


class Command(BaseCommand):
    help = "Run the flag job that beat runs every hour, now (as of today, or of --as-of)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today")
        parser.add_argument("--whole-register", action="store_true",
                            help="look at every offender, not only those written since the last run")

    def handle(self, *args, as_of=None, whole_register=False, **options):
        try:
            day = as_of_from(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        result = flags_refresh(as_of=day, whole_register=whole_register)
        if result.skipped:
            raise CommandError("Another flag refresh is running; nothing was done. Try again when it ends.")
        if result.offenders_looked_at is None:
            looked_at = f"Open: {', '.join(f'{kind} {n}' for kind, n in result.open_by_kind.items())}."
        else:
            looked_at = f"Looked at the {result.offenders_looked_at} offenders written since the last run."
        self.stdout.write(
            f"Flags as of {result.as_of}: {result.raised} raised, {result.cleared} cleared, "
            f"{result.updated} updated. {looked_at}"
        )
