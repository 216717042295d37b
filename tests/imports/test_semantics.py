"""What an import does to the register: upserts by key, all or nothing, dry runs, visits and tiers."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from offenders.models import ImportRun, Offender, Officer, RiskAssessment, Team
from tests.factories import tier
from tests.imports.conftest import REGISTER_HEADER, load
from visits.models import OPEN_STATUSES, Visit, VisitStatus

pytestmark = pytest.mark.django_db
HEADER = REGISTER_HEADER + ",last_visit_on,next_visit_due"


@pytest.fixture
def om100(db):
    return Officer.objects.create(staff_id="OM100", name="Charlie Chalk", team=Team.objects.create(name="North"))


@pytest.fixture
def register(write, om100, as_of_essex):
    """A small register: two offenders, one visited on 1 Dec 2015 and due again on 2 Dec 2016."""

    def register(*rows: str, header: str = HEADER, **options):
        return load("register", write("\n".join([header, *rows])), **options)

    return register


R1 = "R-1,Nowak,Gary,1989-01-14,low,OM100,community,2011-02-17,2015-12-01,2016-12-02"
R2 = "R-2,Khan,Mo,1962-10-07,medium,OM100,community,2014-03-02,2016-08-08,2017-02-06"


def open_visit(reference):
    return Visit.objects.get(offender__reference=reference, status__in=OPEN_STATUSES)


def test_a_dry_run_counts_what_would_change_and_writes_nothing(register):
    run = register(R1, R2, dry_run=True)

    assert run.outcome == ImportRun.Outcome.DRY_RUN
    assert (run.rows, run.created, run.updated, run.unchanged) == (2, 2, 0, 0)
    assert not Offender.objects.exists() and not Visit.objects.exists() and not RiskAssessment.objects.exists()


def test_a_dry_run_of_changes_counts_updates_and_unchanged_rows(register):
    register(R1, R2)
    run = register(R1.replace("Gary", "Garry"), R2, "R-3,Wood,Mark,1953-03-21,high,,community,2014-04-16,,",
                   dry_run=True)

    assert (run.created, run.updated, run.unchanged) == (1, 1, 1)
    assert Offender.objects.get(reference="R-1").forenames == "Gary"


def test_the_register_sets_the_completed_and_the_open_visit_of_each_row(register):
    register(R1)

    offender = Offender.objects.get(reference="R-1")
    assert offender.visits.get(status=VisitStatus.COMPLETED).completed_on == dt.date(2015, 12, 1)
    assert open_visit("R-1").due_on == dt.date(2016, 12, 2)
    assert open_visit("R-1").officer.staff_id == "OM100"


def test_a_blank_next_visit_is_one_interval_after_the_last_or_the_initial_allowance(register):
    register("R-1,Nowak,Gary,1989-01-14,high,OM100,community,2011-02-17,2016-10-01,",
             "R-2,Khan,Mo,1962-10-07,medium,OM100,community,2016-11-01,,",
             "R-3,Wood,Mark,1953-03-21,low,OM100,custody,2014-04-16,2016-01-01,")

    assert open_visit("R-1").due_on == dt.date(2016, 10, 1) + dt.timedelta(days=91)
    assert open_visit("R-2").due_on == dt.date(2016, 11, 15)
    assert not Visit.objects.filter(offender__reference="R-3", status__in=OPEN_STATUSES).exists()


def test_a_new_next_visit_due_moves_the_open_visit_rather_than_adding_one(register):
    register(R1)
    run = register(R1.replace("2016-12-02", "2016-11-20"))

    assert (run.updated, run.unchanged) == (1, 0)
    assert Visit.objects.filter(offender__reference="R-1", status__in=OPEN_STATUSES).count() == 1
    assert open_visit("R-1").due_on == dt.date(2016, 11, 20)


def test_a_newer_last_visit_completes_the_open_visit_and_schedules_the_next(register):
    register(R1)
    due_then = open_visit("R-1")

    register(R1.replace("2015-12-01,2016-12-02", "2016-11-10,2017-11-10"))

    due_then.refresh_from_db()
    assert (due_then.status, due_then.due_on, due_then.completed_on) == (
        VisitStatus.COMPLETED, dt.date(2016, 12, 2), dt.date(2016, 11, 10))
    assert open_visit("R-1").due_on == dt.date(2017, 11, 10)
    assert Visit.objects.filter(offender__reference="R-1").count() == 3


def test_a_tier_change_adds_an_assessment_traced_to_the_import(register):
    register(R1)
    assert not RiskAssessment.objects.exists()

    run = register(R1.replace(",low,", ",Very High,"))

    assessment = RiskAssessment.objects.get()
    assert (assessment.risk_tier, assessment.tool, assessment.import_run) == (tier("very_high"), "import", run)
    assert assessment.assessed_on == dt.date(2016, 11, 14)
    assert Offender.objects.get().risk_tier == tier("very_high")


def test_the_same_reference_in_another_case_is_the_same_offender(register):
    register(R1)
    run = register(R1.replace("R-1", "r-1"))

    assert Offender.objects.count() == 1 and run.unchanged == 1


def test_absence_from_the_file_deletes_nothing_and_is_listed(register):
    register(R1, R2)
    run = register(R1)

    assert Offender.objects.count() == 2
    assert run.report["missing_offenders"] == 1 and run.report["missing_references"] == ["R-2"]


def test_a_column_left_out_of_the_file_keeps_its_values(register):
    register(R1 + ",12 High Street", header=HEADER + ",address")
    register("R-1,Nowak,Gary,1989-01-14,low,OM100,community,2011-02-17", header=REGISTER_HEADER)

    assert Offender.objects.get().address == "12 High Street"


def test_valid_rows_only_imports_the_good_rows_and_reports_the_bad(register):
    run = register(R1, "R-2,Khan,Mo,1962-10-07,extreme,OM100,community,2014-03-02,,", valid_rows_only=True)

    assert run.outcome == ImportRun.Outcome.APPLIED
    assert (run.created, run.error_count, run.report["rows_left_out"]) == (1, 1, 1)
    assert list(Offender.objects.values_list("reference", flat=True)) == ["R-1"]


def test_by_default_one_bad_row_stops_the_whole_file(register):
    run = register(R1, "R-2,Khan,Mo,1962-10-07,extreme,OM100,community,2014-03-02,,")

    assert run.outcome == ImportRun.Outcome.INVALID and not Offender.objects.exists()


VISITS = "reference,due_on,status,completed_on,officer,cancel_reason"


def test_a_completed_visit_in_visits_csv_is_the_registers_last_visit_whichever_comes_first(write, register):
    register(R1)
    visits = write(f"{VISITS}\nR-1,2015-11-20,completed,2015-12-01,OM100,\nR-1,2016-12-02,scheduled,,OM100,")

    run = load("visits", visits)

    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    completed = Visit.objects.get(status=VisitStatus.COMPLETED)
    assert (completed.due_on, completed.completed_on) == (dt.date(2015, 11, 20), dt.date(2015, 12, 1))
    assert register(R1).outcome == ImportRun.Outcome.UNCHANGED
    assert Visit.objects.count() == 2


def test_a_cancelled_visit_is_dated_the_day_of_the_import_unless_the_file_says(write, register):
    register(R1)
    run = load("visits", write(f"{VISITS},cancelled_on\n"
                               "R-1,2016-12-02,cancelled,,OM100,Force-wide cancellation,\n"
                               "R-1,2015-06-01,cancelled,,OM100,Moved,2015-05-20"))

    assert (run.created, run.updated) == (1, 1)
    cancelled = dict(Visit.objects.filter(status=VisitStatus.CANCELLED).values_list("due_on", "cancelled_on"))
    assert cancelled == {dt.date(2016, 12, 2): dt.date(2016, 11, 14), dt.date(2015, 6, 1): dt.date(2015, 5, 20)}
    assert not Visit.objects.filter(status__in=OPEN_STATUSES).exists()


def test_visits_of_offenders_in_custody_are_still_history(write, register):
    register("R-3,Wood,Mark,1953-03-21,low,OM100,custody,2014-04-16,,")
    run = load("visits", write(f"{VISITS}\nR-3,2015-01-01,completed,2015-01-03,OM100,"))

    assert run.created == 1 and Visit.objects.filter(status=VisitStatus.COMPLETED).count() == 1


def test_officers_are_upserted_by_staff_id_and_an_inactive_one_gets_no_new_cases(write, register):
    run = load("officers", write("staff_id,name,team,fte,active\nOM100,Charlie Chalk,North,0.5,no\nOM2,Ann,West,,"))

    assert (run.created, run.updated, run.report["teams_created"]) == (1, 1, 1)
    charlie = Officer.objects.get(staff_id="OM100")
    assert (charlie.fte, charlie.active) == (0.5, False)
    refused = register(R1)
    assert refused.report["errors"][0]["message"] == "is an inactive officer, who gets no new cases"


def test_the_command_exits_zero_on_success_and_says_when_nothing_changed(write, om100, capsys):
    path = write("staff_id,name,team\nOM1,Ann,North")
    call_command("import_officers", str(path))
    call_command("import_officers", str(path))

    out = capsys.readouterr().out
    assert "Applied: 1 rows, 1 created" in out and "nothing changed" in out


def test_the_command_fails_and_prints_every_error_with_its_row(write, capsys):
    path = write("staff_id,name,team\nOM1,,North\nOM2,Bo,")

    with pytest.raises(CommandError, match="Rejected"):
        call_command("import_officers", str(path))

    err = capsys.readouterr().err
    assert "row 2, name: is required" in err and "row 3, team: is required" in err
    assert not Officer.objects.filter(staff_id__in=["OM1", "OM2"]).exists()


def test_the_command_dry_run_writes_nothing(write, capsys):
    call_command("import_officers", str(write("staff_id,name,team\nOM1,Ann,North")), "--dry-run")

    assert "1 to create" in capsys.readouterr().out
    assert not Officer.objects.exists()
