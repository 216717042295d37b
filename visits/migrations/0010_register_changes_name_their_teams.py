from django.db import migrations

# Each row of the register's change log (visits/register_changes.py) now names the teams whose register the
# statement wrote to, so that a write in one team ends only what was kept for that team's supervisors.
# NULL names every team: a statement touching an unallocated offender (every supervisor sees those), an
# officer or offender that cannot be placed, a risk tier, a TRUNCATE, or more rows than are worth placing.
# A statement that wrote no rows is not logged. A visit is placed by its offender's officer as the writer sees
# them; the services lock the offender's row before writing its visits, as a reassignment does, so a visit
# and a reassignment of the same offender are never placed past each other.

# table: (the column read from each row written, what that column refers to)
WATCHED = {
    "offenders_team": ("id", "team"),
    "offenders_officer": ("team_id", "team"),
    "offenders_offender": ("officer_id", "officer"),
    "visits_visit": ("offender_id", "offender"),
    "offenders_risktier": (None, None),
}
PLACED_AT_MOST = 5000

CHANGED = f"""
CREATE FUNCTION visits_register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written text;
    placed text;
    rows_written bigint;
    unplaced boolean;
    touched bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' OR TG_NARGS = 0 THEN
        INSERT INTO visits_registerchange (teams) VALUES (NULL);
        RETURN NULL;
    END IF;
    written := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %1$I AS key FROM new_rows', TG_ARGV[0])
        WHEN 'DELETE' THEN format('SELECT %1$I AS key FROM old_rows', TG_ARGV[0])
        ELSE format('SELECT %1$I AS key FROM old_rows UNION ALL SELECT %1$I FROM new_rows', TG_ARGV[0])
    END;
    placed := CASE TG_ARGV[1]
        WHEN 'team' THEN 'SELECT w.key AS team_id FROM written w'
        WHEN 'officer' THEN 'SELECT x.team_id FROM written w LEFT JOIN offenders_officer x ON x.id = w.key'
        ELSE 'SELECT x.team_id FROM written w LEFT JOIN offenders_offender o ON o.id = w.key'
             ' LEFT JOIN offenders_officer x ON x.id = o.officer_id'
    END;
    EXECUTE format('WITH written AS (%s LIMIT {PLACED_AT_MOST + 1})'
                   ' SELECT count(*), coalesce(bool_or(team_id IS NULL), false), array_agg(DISTINCT team_id)'
                   ' FROM (%s) placed', written, placed)
        INTO rows_written, unplaced, touched;
    IF rows_written = 0 THEN
        RETURN NULL;
    END IF;
    IF unplaced OR rows_written > {PLACED_AT_MOST} THEN
        touched := NULL;
    END IF;
    INSERT INTO visits_registerchange (teams) VALUES (touched);
    RETURN NULL;
END $$
"""


def triggers(table: str, column: str | None, refers_to: str | None) -> list[str]:
    args = f"'{column}', '{refers_to}'" if column else ""
    each = f"FOR EACH STATEMENT EXECUTE FUNCTION visits_register_changed({args})"
    return [
        f"CREATE TRIGGER {table}_changed_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows {each}",
        f"CREATE TRIGGER {table}_changed_update AFTER UPDATE ON {table}"
        f" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {each}",
        f"CREATE TRIGGER {table}_changed_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows {each}",
        f"CREATE TRIGGER {table}_changed_truncate AFTER TRUNCATE ON {table} {each}",
    ]


# As 0006 left them: one row per writing statement, naming no team.
ANY_CHANGE = """
CREATE FUNCTION visits_register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO visits_registerchange DEFAULT VALUES; RETURN NULL; END $$
"""

FORWARD = [
    *[f"DROP TRIGGER {table}_changed ON {table}" for table in WATCHED],
    "DROP FUNCTION visits_register_changed()",
    "ALTER TABLE visits_registerchange ADD COLUMN teams bigint[]",
    CHANGED,
    *[sql for table, (column, refers_to) in WATCHED.items() for sql in triggers(table, column, refers_to)],
]
BACKWARD = [
    *[
        f"DROP TRIGGER {table}_changed_{event} ON {table}"
        for table in WATCHED for event in ("insert", "update", "delete", "truncate")
    ],
    "DROP FUNCTION visits_register_changed()",
    "ALTER TABLE visits_registerchange DROP COLUMN teams",
    ANY_CHANGE,
    *[
        f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION visits_register_changed()"
        for table in WATCHED
    ],
]


class Migration(migrations.Migration):

    dependencies = [
        ("visits", "0009_visit_indexes_that_imports_can_afford"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
