# The next notification of an offender on reactive management, kept until now on the offender, becomes the
# offender's open notification due item (the notification rules apply to every offender from here on).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0017_remove_review_a_first_state_on_update_and_more'),
    ]

    operations = [
        migrations.RunSQL(
            "INSERT INTO visits_review (offender_id, kind, due_on, brought_forward_because, created_at, updated_at)"
            " SELECT id, 'notification', notification_due_on, '', now(), now() FROM offenders_offender"
            " WHERE notification_due_on IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
