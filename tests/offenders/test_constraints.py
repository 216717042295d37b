from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import OffenderFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fte", [Decimal("0"), Decimal("-0.5"), Decimal("1.01")])
def test_an_officer_fte_outside_zero_to_one_is_refused(fte):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerFactory(fte=fte)


@pytest.mark.parametrize("fte", [Decimal("0.01"), Decimal("0.5"), Decimal("1")])
def test_an_officer_fte_within_zero_to_one_is_accepted(fte):
    assert OfficerFactory(fte=fte).pk


def test_a_reference_differing_only_in_case_is_a_duplicate():
    OffenderFactory(reference="ESX-000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        OffenderFactory(reference="esx-000001")


def test_a_mappa_level_of_four_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        OffenderFactory(mappa_level=4)


def test_the_default_tier_table_has_the_national_intervals():
    from offenders.models import RiskTier

    assert dict(RiskTier.objects.values_list("code", "visit_interval_days")) == {
        "low": 365, "medium": 182, "high": 91, "very_high": 30,
    }
