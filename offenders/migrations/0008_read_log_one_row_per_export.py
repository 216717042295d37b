import importlib

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# An export is logged as one row naming every offender in it (`offenders`), rather than one row per offender:
# a national export of 300,000 offenders wrote 300,000 rows and their four indexes, most of the export's time.
# The per-statement checks of 0007 learn to read the ids of an export: each must be an offender, and an
# offender named by an export, found through the GIN index on `offenders`, cannot be deleted.
before = importlib.import_module("offenders.migrations.0007_read_log_checked_per_statement")
LOCK_KEY = before.LOCK_KEY

CHECKS = [
    f"""CREATE OR REPLACE FUNCTION offenders_access_subjects_exist() RETURNS trigger LANGUAGE plpgsql
       SET enable_nestloop = on AS $$
       DECLARE orphan text;
       BEGIN
           PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
           SELECT format('offender %s', a.offender_id) INTO orphan FROM new_reads a
           WHERE a.offender_id IS NOT NULL
             AND NOT EXISTS (SELECT FROM offenders_offender o WHERE o.id = a.offender_id) LIMIT 1;
           IF orphan IS NULL THEN
               SELECT format('offender %s', x.id) INTO orphan FROM new_reads a, unnest(a.offenders) AS x(id)
               WHERE NOT EXISTS (SELECT FROM offenders_offender o WHERE o.id = x.id) LIMIT 1;
           END IF;
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
    f"""CREATE OR REPLACE FUNCTION offenders_access_subject_kept() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE read bigint;
       BEGIN
           -- Wait for reads being logged, so that their rows are seen.
           PERFORM pg_advisory_xact_lock({LOCK_KEY});
           EXECUTE format('SELECT d.id FROM deleted d'
                          ' WHERE EXISTS (SELECT FROM offenders_offenderaccess a WHERE a.%I = d.id) LIMIT 1',
                          TG_ARGV[0]) INTO read;
           IF read IS NULL AND TG_ARGV[0] = 'offender_id' THEN
               SELECT d.id INTO read FROM deleted d
               WHERE EXISTS (SELECT FROM offenders_offenderaccess a WHERE a.offenders @> ARRAY[d.id]) LIMIT 1;
           END IF;
           IF read IS NOT NULL THEN
               RAISE foreign_key_violation USING MESSAGE = format(
                   'Cannot delete %s %s: the read log refers to it', TG_TABLE_NAME, read);
           END IF;
           RETURN NULL;
       END $$""",
]
CHECKS_BEFORE = [
    before.CHECKS[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
    before.CHECKS[2].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("offenders", "0007_read_log_checked_per_statement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="offenderaccess",
            name="offenders",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, null=True, size=None,
                help_text="The ids of the offenders an export held, in order",
            ),
        ),
        migrations.AlterField(
            model_name="offenderaccess",
            name="offender",
            field=models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="offenders.offender",
            ),
        ),
        migrations.AddIndex(
            model_name="offenderaccess",
            index=django.contrib.postgres.indexes.GinIndex(fields=["offenders"], name="access_offenders_idx"),
        ),
        migrations.AddConstraint(
            model_name="offenderaccess",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("offender__isnull", False), ("offenders__isnull", True)),
                                   models.Q(("offender__isnull", True), ("offenders__isnull", False),
                                            ("offenders__len__gt", 0)), _connector="OR"),
                name="offender_access_one_or_many",
            ),
        ),
        migrations.RunSQL(CHECKS, CHECKS_BEFORE),
    ]
