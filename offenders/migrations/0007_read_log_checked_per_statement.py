import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A read-log row's offender and user must exist, as foreign keys would ensure; but a foreign key looks up
# and locks (FOR KEY SHARE) the offender of every row inserted, which more than doubled the time of a
# large export, whose reads are logged in one INSERT. These triggers check all the rows of a statement at
# once. The log cannot be updated (offender_access_append_only), so a row keeps the subjects it was checked
# with; deleting an offender or a user it names is refused. An advisory lock keeps a deletion from racing
# a read being logged.
LOCK_KEY = 0x72656164  # "read"
SUBJECTS = [("offender_id", "offenders_offender"), ("user_id", "auth_user")]

CHECKS = [
    f"""CREATE FUNCTION offenders_access_subjects_exist() RETURNS trigger LANGUAGE plpgsql SET enable_nestloop = on
       AS $$
       DECLARE orphan text;
       BEGIN
           PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
           SELECT format('offender %s', a.offender_id) INTO orphan FROM new_reads a
           WHERE NOT EXISTS (SELECT FROM offenders_offender o WHERE o.id = a.offender_id) LIMIT 1;
           IF orphan IS NULL THEN
               SELECT format('user %s', a.user_id) INTO orphan
               FROM (SELECT DISTINCT user_id FROM new_reads WHERE user_id IS NOT NULL) a
               WHERE NOT EXISTS (SELECT FROM auth_user u WHERE u.id = a.user_id) LIMIT 1;
           END IF;
           IF orphan IS NOT NULL THEN
               RAISE foreign_key_violation USING MESSAGE = format('A read-log row refers to %s, which does not exist',
                                                                  orphan);
           END IF;
           RETURN NULL;
       END $$""",
    "CREATE TRIGGER offender_access_subjects_exist AFTER INSERT ON offenders_offenderaccess"
    " REFERENCING NEW TABLE AS new_reads FOR EACH STATEMENT EXECUTE FUNCTION offenders_access_subjects_exist()",
    f"""CREATE FUNCTION offenders_access_subject_kept() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE read bigint;
       BEGIN
           -- Wait for reads being logged, so that their rows are seen.
           PERFORM pg_advisory_xact_lock({LOCK_KEY});
           EXECUTE format('SELECT d.id FROM deleted d'
                          ' WHERE EXISTS (SELECT FROM offenders_offenderaccess a WHERE a.%I = d.id) LIMIT 1',
                          TG_ARGV[0]) INTO read;
           IF read IS NOT NULL THEN
               RAISE foreign_key_violation USING MESSAGE = format(
                   'Cannot delete %s %s: the read log refers to it', TG_TABLE_NAME, read);
           END IF;
           RETURN NULL;
       END $$""",
    *[
        f"CREATE TRIGGER {table}_access_subject_kept AFTER DELETE ON {table} REFERENCING OLD TABLE AS deleted"
        f" FOR EACH STATEMENT EXECUTE FUNCTION offenders_access_subject_kept('{column}')"
        for column, table in SUBJECTS
    ],
]
NO_CHECKS = [
    *[f"DROP TRIGGER {table}_access_subject_kept ON {table}" for _, table in SUBJECTS],
    "DROP FUNCTION offenders_access_subject_kept()",
    "DROP TRIGGER offender_access_subjects_exist ON offenders_offenderaccess",
    "DROP FUNCTION offenders_access_subjects_exist()",
]
NO_KEYS = [
    'ALTER TABLE offenders_offenderaccess DROP CONSTRAINT "offenders_offenderac_offender_id_09d89964_fk_offenders"',
    'ALTER TABLE offenders_offenderaccess DROP CONSTRAINT "offenders_offenderaccess_user_id_157277ac_fk_auth_user_id"',
    # Covered by access_offender_idx and access_user_idx, which lead with the same columns.
    'DROP INDEX "offenders_offenderaccess_offender_id_09d89964"',
    'DROP INDEX "offenders_offenderaccess_user_id_157277ac"',
]
KEYS = [
    'CREATE INDEX "offenders_offenderaccess_offender_id_09d89964" ON offenders_offenderaccess (offender_id)',
    'CREATE INDEX "offenders_offenderaccess_user_id_157277ac" ON offenders_offenderaccess (user_id)',
    'ALTER TABLE offenders_offenderaccess ADD CONSTRAINT "offenders_offenderac_offender_id_09d89964_fk_offenders"'
    " FOREIGN KEY (offender_id) REFERENCES offenders_offender (id) DEFERRABLE INITIALLY DEFERRED",
    'ALTER TABLE offenders_offenderaccess ADD CONSTRAINT "offenders_offenderaccess_user_id_157277ac_fk_auth_user_id"'
    " FOREIGN KEY (user_id) REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED",
]


class Migration(migrations.Migration):
    dependencies = [
        ("offenders", "0006_history_keys_without_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="offenderaccess",
                    name="offender",
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                        related_name="+", to="offenders.offender",
                    ),
                ),
                migrations.AlterField(
                    model_name="offenderaccess",
                    name="user",
                    field=models.ForeignKey(
                        blank=True, db_constraint=False, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(NO_KEYS, KEYS),
                migrations.RunSQL(CHECKS, NO_CHECKS),
            ],
        ),
    ]
