"""Overloaded: over the team's caseload ceiling per FTE, or over 100% weighted capacity where the team flags it.

Charlie carries 45 high-tier cases at 1.0 FTE: 45 per FTE, under North's ceiling of 50, but 135 points against
100, 135% capacity. With North flagging weighted capacity he is overloaded on every surface; without, on none."""

import pytest

from tests.factories import OffenderFactory, tier
from tests.rules import surfaces
from visits.flagging import flags_refresh
from visits.models import FlagKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def charlie_at_135_percent(charlie, bob_by_mail):
    OffenderFactory.create_batch(45, officer=charlie.officer, risk_tier=tier("high"))
    return charlie.officer


def overloaded_officers_everywhere(client, *, alice, bob) -> dict[str, int]:
    flags_refresh()
    workload = "dashboards:workload"
    return {
        **surfaces.summaries(client, admin=alice, supervisor=bob, key="overloaded_officers"),
        "summary, officers' rows": sum(row["overloaded"] for row in surfaces.summary(alice)["officers"]),
        "dashboard tile, supervisor": surfaces.tile(client, bob, "overloaded_officers"),
        "dashboard tile, every team": surfaces.tile(client, alice, "overloaded_officers"),
        "workload table, Flags": surfaces.table_html(client, bob, workload).count('class="flag"'),
        "workload CSV, Flags": sum(bool(row["Flags"]) for row in surfaces.csv_rows(client, bob, workload)),
        "workload XLSX, Flags": sum(bool(row["Flags"]) for row in surfaces.xlsx_rows(client, bob, workload)),
        "officer snapshots": surfaces.officer_snapshots("overloaded"),
        "team snapshots": surfaces.team_snapshot("overloaded_officers"),
        "open flags": surfaces.open_flags(FlagKind.OVERLOADED_OFFICER),
        "digest": surfaces.digest_lines(r"^- OM100: caseload \d+"),
    }


def test_45_high_tier_cases_at_one_fte_are_overloaded_everywhere_where_the_team_flags_weighted_capacity(
        client, alice, bob_by_mail, charlie_at_135_percent):
    north = charlie_at_135_percent.team
    north.flag_weighted_capacity = True
    north.save()
    answers = overloaded_officers_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 1)


def test_the_same_officer_is_overloaded_nowhere_where_the_team_does_not_flag_weighted_capacity(
        client, alice, bob_by_mail, charlie_at_135_percent):
    answers = overloaded_officers_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 0)


def test_capacity_stays_a_figure_on_the_workload_table_whatever_the_setting(client, bob_by_mail,
                                                                             charlie_at_135_percent):
    rows = surfaces.csv_rows(client, bob_by_mail, "dashboards:workload")
    assert [(row["Weighted capacity %"], row["Flags"]) for row in rows] == [("135.0", "")]


def test_an_officer_over_the_ceiling_is_overloaded_everywhere_whatever_the_setting(client, alice, bob_by_mail,
                                                                                  charlie):
    OffenderFactory.create_batch(51, officer=charlie.officer, risk_tier=tier("low"))
    answers = overloaded_officers_everywhere(client, alice=alice, bob=bob_by_mail)
    assert answers == dict.fromkeys(answers, 1)
