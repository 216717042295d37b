"""Headline figures of earlier days, read from the daily team snapshots (visits/snapshots.py).

A snapshot was taken on a day when that day's row for the unallocated offenders (the one without a team)
exists: snapshot_take() writes every team's row and that one in one transaction.
"""

import datetime as dt
import operator
from functools import reduce

from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from caseload.dashboards import HIGH_TIERS
from visits.models import TeamSnapshot


def overdue_high_or_above():
    """A snapshot row's overdue visits of the high tiers, from its count by tier."""
    tiers = (Coalesce(Cast(KT(f"overdue_by_tier__{code}"), IntegerField()), 0) for code in HIGH_TIERS)
    return reduce(operator.add, tiers)


def snapshot_rows(*, teams: QuerySet | list[int] | None, with_unallocated: bool, days: list[dt.date]) -> QuerySet:
    """The figures of `teams` (None: every team) on each of `days`, summed in one query, a row a day; the unallocated
    offenders' own row counts too when `with_unallocated` (every team includes it). The unallocated figure is always
    the whole register's, as on today's dashboard. snapshot_totals() reads them."""
    unallocated_row = Q(team__isnull=True)
    rows = TeamSnapshot.objects.filter(day__in=days)
    in_scope = None  # every row
    if teams is not None:
        in_scope = Q(team__in=teams) | unallocated_row if with_unallocated else Q(team__in=teams)
        rows = rows.filter(in_scope | unallocated_row)
    return (
        rows.order_by().values("day")
        .annotate(
            taken=Count("pk", filter=unallocated_row),
            unallocated=Sum("unallocated", filter=unallocated_row),
            in_community=Sum("in_community", filter=in_scope),
            missing=Sum("missing", filter=in_scope),
            overdue=Sum("overdue", filter=in_scope),
            high=Sum(overdue_high_or_above(), filter=in_scope),
            unseen=Sum("unseen", filter=in_scope),
            overloaded=Sum("overloaded_officers", filter=in_scope),
        )
    )


def snapshot_totals(rows) -> dict[dt.date, dict]:
    """The figures of each day of snapshot_rows() a snapshot was taken."""
    return {
        row["day"]: {
            "on": row["day"],
            "offenders_in_community": int(row["in_community"] or 0),
            "overdue_visits": int(row["overdue"] or 0),
            "overdue_high_or_above": int(row["high"] or 0),
            "unseen": int(row["unseen"] or 0),
            "missing": int(row["missing"] or 0),
            "unallocated": int(row["unallocated"] or 0),
            "overloaded_officers": int(row["overloaded"] or 0),
        }
        for row in rows
        if row["taken"]
    }
