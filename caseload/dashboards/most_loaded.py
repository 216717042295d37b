"""The officers with the highest caseload per FTE across every team, for an admin's dashboard with no team
picked: found by one grouped pass over the register, since looking each officer's caseload up (workloads_among)
for every officer of a national register takes seconds."""

import datetime as dt

from django.db import connection
from django.db.models import Count, QuerySet

from offenders.models import Offender, Officer
from visits import rules
from visits.selectors import workloads_among

# Caseloads grouped first, then joined to the officers: a million rows never carry the officer's columns.
MOST_LOADED = f"""
SELECT o.id FROM ({{caseloads}}) c JOIN offenders_officer o ON o.id = c.officer
ORDER BY {rules.PER_FTE.sql(caseload="c.caseload", fte="o.fte")} DESC, o.name, o.id LIMIT %s
"""


def most_loaded_officers(*, as_of: dt.date, limit: int) -> QuerySet[Officer] | None:
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
    return workloads_among(Officer.objects.filter(pk__in=ids), as_of).order_by("-caseload_per_fte", "name")
