"""The acceptance scenario: the Essex register of 2016, loaded from its three files."""

import json

import pytest
from django.db.models import Q

from offenders.models import ImportRun, Offender, Officer
from tests.imports.conftest import ESSEX, load
from visits.models import OPEN_STATUSES, Visit, VisitStatus

pytestmark = pytest.mark.django_db
EXPECTED = json.loads((ESSEX / "expected.json").read_text())


def load_essex():
    return [load(kind, ESSEX / f"{kind}.csv") for kind in ("officers", "register", "visits")]


def overdue_on(day):
    return Visit.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day), due_on__lt=day).count()


def test_the_essex_files_import_with_exact_counts(as_of_essex):
    officers, register, visits = load_essex()

    assert [r.outcome for r in (officers, register, visits)] == [ImportRun.Outcome.APPLIED] * 3
    assert (officers.created, register.created) == (EXPECTED["officers"], EXPECTED["offenders_in_community"])
    assert Officer.objects.count() == 20
    assert Offender.objects.count() == 1297
    assert Visit.objects.filter(status=VisitStatus.COMPLETED).count() == EXPECTED["completed_visits"]
    open_visits = Visit.objects.filter(status__in=OPEN_STATUSES)
    assert open_visits.count() == 1297
    assert open_visits.values("offender").distinct().count() == 1297


def test_the_essex_register_shows_the_inspectors_overdue_figures(as_of_essex):
    load_essex()

    assert overdue_on(as_of_essex) == EXPECTED["overdue_visits"]
    assert overdue_on(as_of_essex.replace(year=2015)) == EXPECTED["overdue_visits_year_ago"]


def test_importing_the_essex_files_again_changes_nothing_and_says_so(as_of_essex):
    load_essex()
    visits_before = set(Visit.objects.values_list("id", "due_on", "status", "completed_on", "officer_id"))

    again = load_essex()

    assert [r.outcome for r in again] == [ImportRun.Outcome.UNCHANGED] * 3
    assert [(r.created, r.updated) for r in again] == [(0, 0)] * 3
    assert [r.unchanged for r in again] == [20, 1297, 8477]
    assert set(Visit.objects.values_list("id", "due_on", "status", "completed_on", "officer_id")) == visits_before
    assert not Offender.objects.filter(import_run__in=again).exists()


def test_every_offender_and_visit_is_traced_to_the_import_that_wrote_it(as_of_essex):
    officers, register, visits = load_essex()

    assert set(Officer.objects.values_list("import_run", flat=True)) == {officers.pk}
    assert set(Offender.objects.values_list("import_run", flat=True)) == {register.pk}
    assert set(Visit.objects.values_list("import_run", flat=True)) <= {register.pk, visits.pk}
    assert not Visit.objects.filter(import_run__isnull=True).exists()


def test_an_import_is_recorded_with_its_file_hash_counts_and_duration(as_of_essex):
    officers = load("officers", ESSEX / "officers.csv")

    assert officers.file_name == "officers.csv"
    assert len(officers.sha256) == 64 and officers.size_bytes == (ESSEX / "officers.csv").stat().st_size
    assert officers.rows == 20 and officers.finished_at and officers.duration.total_seconds() > 0
    assert officers.report["teams_created"] == 3
