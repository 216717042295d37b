"""Migration 0011 takes the register's change log away and can put it back as 0010 left it."""

import pytest
from django.core.management import call_command
from django.db import connection


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def triggers_on_visits() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'visits_visit'::regclass AND tgname LIKE %s",
                       ["%changed%"])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_change_log_goes_forward_and_comes_back_going_back():
    assert "visits_registerchange" not in tables() and not triggers_on_visits()
    call_command("migrate", "visits", "0010", verbosity=0)
    try:
        assert "visits_registerchange" in tables()
        assert triggers_on_visits() == {f"visits_visit_changed_{event}"
                                        for event in ("insert", "update", "delete", "truncate")}
    finally:
        call_command("migrate", verbosity=0)
    assert "visits_registerchange" not in tables() and not triggers_on_visits()
