from django.core.management.base import BaseCommand, CommandError

from visits.flagging import flags_refresh
from visits.summary import as_of_from


class Command(BaseCommand):
    help = "Run the flag job that beat runs every hour, now (as of today, or of --as-of)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today")

    def handle(self, *args, as_of=None, **options):
        try:
            day = as_of_from(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        result = flags_refresh(as_of=day)
        if result.skipped:
            raise CommandError("Another flag refresh is running; nothing was done. Try again when it ends.")
        open_flags = ", ".join(f"{kind} {n}" for kind, n in result.open_by_kind.items())
        self.stdout.write(
            f"Flags as of {result.as_of}: {result.raised} raised, {result.cleared} cleared, "
            f"{result.updated} updated. Open: {open_flags}."
        )
