import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from supervision.dip_samples import dip_samples_draw, previous_month
from visits.rules import today


class Command(BaseCommand):
    help = "Draw the monthly dip samples that beat draws on the 1st, now (of last month, or of --month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM, the month whose visits are sampled; default last month")

    def handle(self, *args, month=None, **options):
        if month:
            try:
                sampled = dt.datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007 (a calendar month, no time)
            except ValueError:
                raise CommandError(f"--month: {month!r} is not YYYY-MM") from None
        else:
            sampled = previous_month(today())
        result = dip_samples_draw(month=sampled)
        self.stdout.write(f"Dip samples of {result.month:%Y-%m}: {result.drawn} drawn for {result.officers} officers "
                          "(none again for an officer sampled already).")
