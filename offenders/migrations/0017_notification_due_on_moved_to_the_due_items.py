# The reactive-management notification date became the offender's open notification due item (visits 0018).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('offenders', '0016_remove_offender_insert_insert_and_more'),
        ('visits', '0018_notification_due_items_from_reactive_dates'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='offender',
            name='notification_due_on',
        ),
        migrations.RemoveField(
            model_name='offenderevent',
            name='notification_due_on',
        ),
    ]
