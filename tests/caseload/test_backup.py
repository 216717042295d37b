"""Backup and restore: a register with its change history and read log, backed up with backup_database and restored
with restore_database into a new database, gives the same summary figures, history and read log; a restore never
writes over a database that holds tables."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from caseload.backup import connect
from offenders.audit import record_access
from tests.factories import OffenderFactory, VisitFactory, tier
from visits import services

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ("offenders_offenderevent", "visits_visitevent", "offenders_offenderaccess", "visits_caseaction")


def url_of(name: str) -> str:
    """DATABASE_URL with another database name (the test database, or the restored one)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def summary(name: str) -> dict:
    result = subprocess.run([sys.executable, "manage.py", "caseload_summary", "--json", "--as-of", "2016-11-14"],
                            cwd=ROOT, env={**os.environ, "DATABASE_URL": url_of(name)}, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def fingerprint(name: str) -> dict[str, tuple]:
    """Each history table's rows, counted and hashed in id order."""
    with connect({**connection.settings_dict, "NAME": name}) as db:
        return {table: db.execute(f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                                  f" FROM {table} t").fetchone() for table in HISTORY}


@pytest.fixture
def fresh_database():
    name = f"caseload_restore_{os.getpid()}"
    with connect(connection.settings_dict) as db:
        db.autocommit = True
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    yield name
    with connect(connection.settings_dict) as db:
        db.autocommit = True
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_gives_the_same_figures_history_and_read_log(tmp_path, fresh_database, charlie, bob):
    for n in range(3):
        offender = OffenderFactory(officer=charlie.officer, reference=f"B-{n}", risk_tier=tier("high"))
        visit = VisitFactory(offender=offender, due_on=dt.date(2016, 10, 1))
        services.visit_log(offender=offender, visit_id=visit.pk, user=charlie, visited_on=dt.date(2016, 11, 1),
                           kind="home_unannounced", outcome="seen")
    services.offender_change_tier(offender=offender, risk_tier=tier("very_high"), user=bob, reason="New risk",
                                  assessed_on=dt.date(2016, 11, 2))
    record_access(user=bob, offenders=[offender.pk], request=None, kind="detail")
    backup = tmp_path / "register.dump"
    call_command("backup_database", str(backup))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(connection.settings_dict, "NAME", fresh_database)
        from django.conf import settings

        patch.setitem(settings.DATABASES["default"], "NAME", fresh_database)
        call_command("restore_database", str(backup))
    original = connection.settings_dict["NAME"]
    assert summary(fresh_database) == summary(original)
    assert fingerprint(fresh_database) == fingerprint(original)
    assert fingerprint(original)["offenders_offenderaccess"][0] == 1


@pytest.mark.django_db
def test_a_restore_never_writes_over_a_database_with_tables(tmp_path):
    backup = tmp_path / "empty.dump"
    backup.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="is not empty: restore into a new, empty database"):
        call_command("restore_database", str(backup))
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore_database", str(tmp_path / "missing.dump"))
