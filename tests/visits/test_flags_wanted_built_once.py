"""The flags wanted are built once per day and shape of scope, and each call's lists put in: the same SQL and
parameters as building them afresh, whatever the lists, and built again when a setting the rules read changes."""

import datetime as dt

import pytest
from django.test import override_settings

from tests.factories import OffenderFactory, VisitFactory, tier
from visits import flags_wanted as wanted
from visits.flagging import flags_refresh_for
from visits.models import Flag, FlagKind, VisitStatus

pytestmark = pytest.mark.django_db
D = dt.date(2016, 11, 14)


def built_afresh(as_of: dt.date, **scope) -> dict[str, tuple[str, list]]:
    return {kind: (sql, list(params)) for kind, (sql, params) in wanted.flags_wanted.afresh(as_of, **scope).items()}


@pytest.mark.parametrize(("offenders", "officers"), [
    (None, None), ([3], [7]), ([1, 2, 5], []), ([], [4, 9]), ([10, 20, 30], None), ([8], [8]),
])
def test_the_sql_built_once_is_the_sql_built_afresh(offenders, officers):
    for _ in range(2):  # the first call builds, the second reuses
        assert wanted.flags_wanted(D, offenders=offenders, officers=officers) == built_afresh(
            D, offenders=offenders, officers=officers)


def test_another_list_of_the_same_shape_gets_its_own_ids():
    first = wanted.flags_wanted(D, offenders=[1, 2], officers=[3])
    second = wanted.flags_wanted(D, offenders=[40, 50, 60], officers=[70])
    assert [sql for sql, _ in first.values()] == [sql for sql, _ in second.values()]
    params = [param for _, kind_params in second.values() for param in kind_params]
    assert [40, 50, 60] in params and [70] in params
    assert [1, 2] not in params and [3] not in params


def test_a_changed_setting_is_read_again():
    before = wanted.flags_wanted(D, offenders=[1], officers=[])[FlagKind.UNSEEN_OFFENDER]
    with override_settings(CASELOAD_UNSEEN_GRACE_FRACTION=0.9):
        during = wanted.flags_wanted(D, offenders=[1], officers=[])[FlagKind.UNSEEN_OFFENDER]
        assert during == built_afresh(D, offenders=[1], officers=[])[FlagKind.UNSEEN_OFFENDER]
    assert during != before


def test_two_offenders_refreshed_one_after_the_other_each_get_their_own_flags():
    late, on_time = OffenderFactory(risk_tier=tier("high")), OffenderFactory(risk_tier=tier("high"))
    VisitFactory(offender=late, due_on=dt.date.today() - dt.timedelta(days=3), status=VisitStatus.SCHEDULED)
    VisitFactory(offender=on_time, due_on=dt.date.today() + dt.timedelta(days=3), status=VisitStatus.SCHEDULED)
    flags_refresh_for(offenders=[on_time.pk])
    flags_refresh_for(offenders=[late.pk])
    overdue = Flag.objects.filter(kind=FlagKind.OVERDUE_VISIT, cleared_at__isnull=True)
    assert list(overdue.values_list("offender_id", flat=True)) == [late.pk]
