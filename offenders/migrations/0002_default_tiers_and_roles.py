from django.db import migrations

from offenders.defaults import ensure_defaults


def create_defaults(apps, schema_editor):
    ensure_defaults(apps.get_model("offenders", "RiskTier"), apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [
        ("offenders", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
