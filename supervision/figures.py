"""The dashboard's supervision figures: the requests and bulk cancellations waiting for a second person, and the
dip samples' reviews due, overdue and done."""

import datetime as dt

from offenders.models import Team
from supervision.dip_samples import dip_sample_figures
from supervision.selectors import batches_waiting, requests_waiting


def supervision_figures(*, user, team: Team | None, as_of: dt.date) -> dict:
    requests, batches = requests_waiting(user=user), batches_waiting(user=user)
    if team is not None:
        requests = requests.filter(offender__officer__team=team)
        batches = batches.filter(items__offender__officer__team=team).distinct()
    return {"requests_waiting": requests.count(), "batches_waiting": batches.count(),
            "dip_samples": dip_sample_figures(user=user, team=team, as_of=as_of)}
