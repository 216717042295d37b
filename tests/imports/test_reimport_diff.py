"""A re-import passes over the rows that are as they were last imported: an unchanged file writes nothing at
all and says so, a changed row is read and written as before, and every check and count still holds."""

import pytest
from django.db import connection

from offenders.models import ImportDigest, ImportRun, Offender, Officer, Team
from tests.imports.conftest import REGISTER_HEADER, load
from tests.imports.test_semantics import HEADER, R1, R2, open_visit
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(write, as_of_essex):
    Officer.objects.create(staff_id="OM100", name="Charlie Chalk", team=Team.objects.create(name="North"))

    def register(*rows: str, header: str = HEADER, **options):
        return load("register", write("\n".join([header, *rows])), **options)

    return register


def history_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM offenders_offenderevent)"
                       " + (SELECT count(*) FROM visits_visitevent)")
        return cursor.fetchone()[0]


def test_an_unchanged_re_import_writes_nothing_at_all_and_says_so(register):
    register(R1, R2)
    before = (history_rows(), list(Offender.objects.values_list("updated_at", flat=True)),
              list(Visit.objects.values_list("updated_at", flat=True)))

    run = register(R2, R1)

    assert run.outcome == ImportRun.Outcome.UNCHANGED
    assert (run.rows, run.created, run.updated, run.unchanged) == (2, 0, 0, 2)
    assert run.report["rows_as_last_imported"] == 2
    assert before == (history_rows(), list(Offender.objects.values_list("updated_at", flat=True)),
                      list(Visit.objects.values_list("updated_at", flat=True)))


def test_a_changed_row_is_read_and_written_and_its_neighbours_are_passed_over(register):
    register(R1, R2)

    run = register(R1.replace("2016-12-02", "2016-12-20"), R2)

    assert (run.rows, run.created, run.updated, run.unchanged) == (2, 0, 1, 1)
    assert run.report["rows_as_last_imported"] == 1
    assert str(open_visit("R-1").due_on) == "2016-12-20"
    assert register(R1.replace("2016-12-02", "2016-12-20"), R2).report["rows_as_last_imported"] == 2


def test_a_dry_run_counts_as_the_import_does(register):
    register(R1, R2)

    run = register(R1.replace("Gary", "Garry"), R2, dry_run=True)

    assert (run.rows, run.created, run.updated, run.unchanged) == (2, 0, 1, 1)
    assert Offender.objects.get(reference="R-1").forenames == "Gary"


def test_a_reference_given_twice_is_refused_even_when_one_row_is_unchanged(register):
    register(R1)

    run = register(R1, R1.replace("Gary", "Garry"))

    assert run.outcome == ImportRun.Outcome.INVALID
    assert [(e["row"], e["column"]) for e in run.report["errors"]] == [(3, "reference")]


def test_offenders_passed_over_are_not_listed_as_missing_from_the_file(register):
    register(R1, R2)

    run = register(R1)

    assert run.report["missing_offenders"] == 1 and run.report["missing_references"] == ["R-2"]


def test_the_same_cells_under_another_header_are_read_again(register):
    """A column added to the file, or left out, changes what an unchanged row would set."""
    register(R1, R2)

    run = register(R1 + ",12 High Street", R2 + ",", header=HEADER + ",address")

    assert "rows_as_last_imported" not in run.report and run.updated == 1
    assert Offender.objects.get(reference="R-1").address == "12 High Street"


def test_a_row_left_out_for_its_errors_is_checked_again_next_time(register):
    bad = R2.replace("medium", "extreme")
    register(R1, bad, valid_rows_only=True)

    run = register(R1, bad)

    assert run.report["rows_as_last_imported"] == 1
    assert run.outcome == ImportRun.Outcome.INVALID and run.report["errors"][0]["column"] == "risk_tier"


def test_a_change_made_in_caseload_stands_until_the_registers_row_changes(register):
    """The nightly file repeats what the national system held; a case reassigned here is not undone by it."""
    register(R1)
    north = Officer.objects.create(staff_id="OM200", name="Dee Dee", team=Team.objects.get(name="North"))
    Offender.objects.filter(reference="R-1").update(officer=north)

    register(R1)
    assert Offender.objects.get(reference="R-1").officer == north

    register(R1.replace("Gary", "Garry"))
    assert Offender.objects.get(reference="R-1").officer.staff_id == "OM100"


def test_a_file_of_fewer_columns_is_read_whole(register):
    register(R1, R2)

    run = register("R-1,Nowak,Gary,1989-01-14,low,OM100,community,2011-02-17", header=REGISTER_HEADER)

    assert "rows_as_last_imported" not in run.report and ImportDigest.objects.count() == 2


def test_a_register_import_of_a_few_changes_brings_their_flags_in_line_itself(register):
    """R-2 was due on 6 Feb 2017, after the Essex day; moved to 1 Nov 2016 it is overdue as the import ends."""
    from visits.models import Flag, FlagKind, FlagRun

    register(R1, R2)
    runs = FlagRun.objects.count()

    run = register(R1, R2.replace("2017-02-06", "2016-11-01"))

    assert run.report["flags_followed_for"] == 1 and FlagRun.objects.count() == runs
    overdue = Flag.objects.filter(kind=FlagKind.OVERDUE_VISIT, cleared_at__isnull=True)
    assert list(overdue.values_list("offender__reference", flat=True)) == ["R-2"]

    register(R1, R2)
    assert not overdue.exists()


def test_an_import_of_more_changes_than_are_followed_is_followed_by_a_full_flag_run(register):
    from visits.models import FlagRun

    register(R1, R2)
    with pytest.MonkeyPatch.context() as patch:
        from caseload.imports import register as register_kind

        patch.setattr(register_kind, "FLAGS_FOLLOWED_AT_MOST", 0)
        runs = FlagRun.objects.count()
        run = register(R1.replace("Gary", "Garry"), R2)
    assert "flags_followed_for" not in run.report and FlagRun.objects.count() == runs + 1


def test_a_dry_run_brings_no_flags_in_line(register):
    register(R1, R2)

    run = register(R1, R2.replace("2017-02-06", "2016-11-01"), dry_run=True)

    assert "flags_followed_for" not in run.report
