"""Today's figures for every team at once: an admin's dashboard with no team picked.

Counting overdue visits and unseen offenders afresh over a national register (a million offenders, ten
million visits) takes seconds. The flag job (visits/flagging.py) counts exactly these, with the same
definitions, over the whole register every hour, and its open flags are the result: while its latest run
is as of today, the overdue, high-risk, unseen and overloaded figures are read from them, and the page
says when that run was. The register's own counts (in the community, missing, unallocated) are cheap and
counted now.
"""

import datetime as dt

from django.db import connection
from django.db.models import Count, DecimalField, Q

from caseload.dashboards import HIGH_TIERS
from offenders.models import MANAGED_STATUSES, Offender, OffenderStatus, Officer
from visits import rules
from visits.models import Flag, FlagKind, FlagRun
from visits.register_changes import policy
from visits.selectors import workloads_among

DECIMAL = DecimalField(max_digits=12, decimal_places=2)


def register_counts(*, as_of: dt.date) -> dict:
    """Offenders in the community (registered by `as_of`), missing and unallocated, in one pass."""
    return Offender.objects.aggregate(
        offenders_in_community=Count("pk", filter=Q(status=OffenderStatus.COMMUNITY, registered_on__lte=as_of)),
        missing=Count("pk", filter=Q(status=OffenderStatus.MISSING)),
        unallocated=Count("pk", filter=Q(status__in=MANAGED_STATUSES, officer__isnull=True)),
    )


def flag_run_of(as_of: dt.date) -> FlagRun | None:
    """The flag job's latest full run, if it was as of `as_of` under today's unseen grace."""
    run = FlagRun.objects.order_by("-id").first()
    return run if run and run.as_of == as_of and run.policy == policy() else None


def flagged_counts() -> dict:
    """Overdue visits (and those of high or very high risk), unseen offenders and overloaded officers, counted
    from the open flags."""
    open_flags = Flag.objects.filter(cleared_at__isnull=True).order_by()
    by_kind = dict(open_flags.values_list("kind").annotate(n=Count("pk")))
    overdue = FlagKind.OVERDUE_VISIT
    high = open_flags.filter(kind=overdue, details__tier__in=HIGH_TIERS).count()
    return {"overdue_visits": by_kind.get(overdue, 0), "overdue_high_or_above": high,
            "unseen": by_kind.get(FlagKind.UNSEEN_OFFENDER, 0),
            "overloaded_officers": by_kind.get(FlagKind.OVERLOADED_OFFICER, 0)}


# Caseloads grouped first, then joined to the officers: a million rows never carry the officer's columns.
MOST_LOADED = f"""
SELECT o.id FROM ({{caseloads}}) c JOIN offenders_officer o ON o.id = c.officer
ORDER BY {rules.PER_FTE.sql(caseload="c.caseload", fte="o.fte")} DESC, o.name, o.id LIMIT %s
"""


def most_loaded_officers(*, as_of: dt.date, limit: int) -> list[Officer] | None:
    """The `limit` officers with the highest caseload per FTE (rules.PER_FTE), most
    loaded first, with their workloads: found by one grouped pass over the register (workloads_among() looks
    each officer up, which for every officer of a national register takes seconds). None when fewer officers
    than that carry a caseload, since officers with none would be left out."""
    caseloads = (
        Offender.objects.filter(rules.in_caseload(), officer__isnull=False).order_by()
        .values("officer").annotate(caseload=Count("pk"))
    )
    sql, params = caseloads.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(MOST_LOADED.format(caseloads=sql), [*params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) < limit:
        return None
    return list(workloads_among(Officer.objects.filter(pk__in=ids), as_of).order_by("-caseload_per_fte", "name"))
