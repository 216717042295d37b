import importlib

from django.db import migrations, models

# Flags are kept current by the services that change the register, in the same transaction, and by the hourly
# job; the dashboards read them, so nothing keeps pages or asks whether the register changed. The register's
# change log (migrations 0006 and 0010) goes, and with it what a flag run remembered of it.
RENAMED = importlib.import_module("visits.migrations.0010_register_changes_name_their_teams")
FIRST = importlib.import_module("visits.migrations.0006_flag_runs_and_register_change_log")

FORWARD = [
    *[
        f"DROP TRIGGER {table}_changed_{event} ON {table}"
        for table in RENAMED.WATCHED for event in ("insert", "update", "delete", "truncate")
    ],
    "DROP FUNCTION visits_register_changed()",
    "DROP TABLE visits_registerchange",
]
BACKWARD = [*FIRST.CHANGE_LOG, *RENAMED.FORWARD]


class Migration(migrations.Migration):

    dependencies = [
        ("visits", "0010_register_changes_name_their_teams"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        # Defaults first, so that going back can add the columns to runs already recorded.
        migrations.AlterField(model_name="flagrun", name="snapshot", field=models.TextField(default="")),
        migrations.AlterField(model_name="flagrun", name="last_change", field=models.BigIntegerField(default=0)),
        migrations.RemoveField(model_name="flagrun", name="snapshot"),
        migrations.RemoveField(model_name="flagrun", name="last_change"),
        migrations.AddIndex(
            model_name="flag",
            index=models.Index(condition=models.Q(("cleared_at__isnull", True), ("officer__isnull", False)),
                               fields=["officer"], name="flag_open_officer_idx"),
        ),
    ]
