from django.db import migrations

# Each row of the register's change log (visits/register_changes.py) now names the teams whose register the
# statement wrote to, so that a write in one team ends only what was kept for that team's supervisors.
# NULL names every team: a statement touching an unallocated offender (every supervisor sees those), an
# officer or offender that cannot be placed, a risk tier, a TRUNCATE, or more rows than are worth placing
# (old and new rows counted apart). A statement that wrote no rows is not logged.
#
# A visit is placed by its offender's officer's team, an offender by its officer's team. Those rows are read
# FOR SHARE: a move of that officer or offender still in flight is waited for and its outcome read, and one
# begun later waits for this transaction, whose write its own log row then follows. Without the lock, a visit
# written while its officer moves to another team would be logged under the old team only, and the new
# team's pages kept without it.

# table: (the column read from each row written, what that column refers to)
WATCHED = {
    "offenders_team": ("id", "team"),
    "offenders_officer": ("team_id", "team"),
    "offenders_offender": ("officer_id", "officer"),
    "visits_visit": ("offender_id", "offender"),
    "offenders_risktier": ("id", "everyone"),
}
PLACED_AT_MOST = 5000

# The officers (and offenders) that place the rows written, locked as they are read.
LOOKUPS = {
    "officer": ", officers AS (SELECT id, team_id FROM offenders_officer"
               " WHERE id IN (SELECT key FROM written) FOR SHARE)",
    "offender": ", offenders AS (SELECT id, officer_id FROM offenders_offender"
                " WHERE id IN (SELECT key FROM written) FOR SHARE)"
                ", officers AS (SELECT id, team_id FROM offenders_officer"
                " WHERE id IN (SELECT officer_id FROM offenders) FOR SHARE)",
}
PLACED = {
    "team": "SELECT w.key AS team_id FROM written w",
    "officer": "SELECT x.team_id FROM written w LEFT JOIN officers x ON x.id = w.key",
    "offender": "SELECT x.team_id FROM written w LEFT JOIN offenders o ON o.id = w.key"
                " LEFT JOIN officers x ON x.id = o.officer_id",
}


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


CHANGED = f"""
CREATE FUNCTION visits_register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written text;
    rows_written bigint;
    unplaced boolean;
    touched bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO visits_registerchange (teams) VALUES (NULL);
        RETURN NULL;
    END IF;
    written := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %1$I AS key FROM new_rows', TG_ARGV[0])
        WHEN 'DELETE' THEN format('SELECT %1$I AS key FROM old_rows', TG_ARGV[0])
        ELSE format('SELECT %1$I AS key FROM old_rows UNION ALL SELECT %1$I FROM new_rows', TG_ARGV[0])
    END || ' LIMIT {PLACED_AT_MOST + 1}';
    EXECUTE format('SELECT count(*) FROM (%s) written', written) INTO rows_written;
    IF rows_written = 0 THEN
        RETURN NULL;
    END IF;
    IF TG_ARGV[1] = 'everyone' OR rows_written > {PLACED_AT_MOST} THEN
        INSERT INTO visits_registerchange (teams) VALUES (NULL);
        RETURN NULL;
    END IF;
    EXECUTE format('WITH written AS (%s)%s'
                   ' SELECT bool_or(team_id IS NULL), array_agg(DISTINCT team_id) FROM (%s) placed',
                   written,
                   CASE TG_ARGV[1] WHEN 'officer' THEN {sql_text(LOOKUPS["officer"])}
                                   WHEN 'offender' THEN {sql_text(LOOKUPS["offender"])} ELSE '' END,
                   CASE TG_ARGV[1] WHEN 'team' THEN {sql_text(PLACED["team"])}
                                   WHEN 'officer' THEN {sql_text(PLACED["officer"])}
                                   ELSE {sql_text(PLACED["offender"])} END)
        INTO unplaced, touched;
    INSERT INTO visits_registerchange (teams) VALUES (CASE WHEN unplaced THEN NULL ELSE touched END);
    RETURN NULL;
END $$
"""


def triggers(table: str, column: str, refers_to: str) -> list[str]:
    each = f"FOR EACH STATEMENT EXECUTE FUNCTION visits_register_changed('{column}', '{refers_to}')"
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
