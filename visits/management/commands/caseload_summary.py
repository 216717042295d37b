import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from offenders.roles import Role
from visits.summary import as_of_from, caseload_summary


class Command(BaseCommand):
    help = "Print the headline figures for the whole register (or what --user may see)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD; default today")
        parser.add_argument("--json", action="store_true", help="Print the summary JSON")
        parser.add_argument("--user", help="Scope the figures to what this username may see")

    def handle(self, *args, as_of=None, json=False, user=None, **options):
        try:
            day = as_of_from(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from None
        summary = caseload_summary(user=self.user(user), as_of=day)
        if json:
            self.stdout.write(dumps(summary))
            return
        tiers = ", ".join(f"{code} {n}" for code, n in summary["overdue_by_tier"].items())
        self.stdout.write(
            f"As of {summary['as_of']}\n"
            f"Offenders in the community: {summary['offenders_in_community']}\n"
            f"Overdue visits: {summary['overdue_visits']} ({tiers}); a year earlier: "
            f"{summary['overdue_visits_year_ago']}\n"
            f"Unseen offenders: {summary['unseen_offenders']}\n"
            f"Unallocated offenders: {summary['unallocated_offenders']}\n"
            f"Missing offenders: {summary['missing_offenders']}\n"
            f"Overloaded officers: {summary['overloaded_officers']}"
        )
        for officer in summary["officers"]:
            if officer["overloaded"]:
                self.stdout.write(
                    f"  {officer['staff_id']} ({officer['team']}, {officer['fte']} FTE): caseload "
                    f"{officer['caseload']}, {officer['caseload_per_fte']} per FTE, weighted capacity "
                    f"{officer['capacity_pct']}%, {officer['overdue']} overdue"
                )

    def user(self, username):
        """The command runs for the whole register unless a user is named."""
        User = get_user_model()  # noqa: N806
        if username is None:
            whole_register = User(username="caseload_summary", is_superuser=True)
            whole_register._caseload_role = Role.ADMIN  # an unsaved user has no groups to look up
            return whole_register
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"--user: no user named {username!r}") from None


def dumps(summary: dict) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False)
