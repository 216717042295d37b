"""The dashboard's supervision figures: the requests and bulk cancellations waiting for a second person (the dip
samples' reviews due, overdue and done are dip_samples.dip_sample_figures())."""

from django.db.models import QuerySet

from offenders.models import Team
from supervision.selectors import batches_waiting, requests_waiting


def supervision_counts(*, user, team: Team | None) -> dict[str, QuerySet]:
    """The requests and bulk cancellations waiting for a second person that the user may decide, in `team`: for the
    dashboard to count with its other figures (caseload/dashboards/counted.py)."""
    requests, batches = requests_waiting(user=user), batches_waiting(user=user)
    if team is not None:
        requests = requests.filter(offender__officer__team=team)
        batches = batches.filter(items__offender__officer__team=team).distinct()
    return {"requests_waiting": requests, "batches_waiting": batches}
