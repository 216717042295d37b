import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from visits.snapshots import snapshots_backfill


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"expected a date written YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Take today's snapshot of figures per officer and team, or backfill a range of days from history."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="first day to backfill, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day to backfill, YYYY-MM-DD (default today)")

    def handle(self, *args, start=None, end=None, **options):
        today = timezone.localdate()
        last = day(end) if end else today
        first = day(start) if start else last
        if last > today:
            raise CommandError(f"--to {last} is in the future")
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}")
        result = snapshots_backfill(start=first, end=last)
        self.stdout.write(
            f"Snapshots of {result.days} day(s) from {first} to {last}: "
            f"{result.officer_rows} officer rows, {result.team_rows} team rows."
        )
