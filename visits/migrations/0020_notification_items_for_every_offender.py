# Every offender gets what the notification rules need: the latest notification on record, and an open notification
# due item where they have none. Offenders on the register before caseload tracked notifications have no notification
# on record: assuming none was made would make almost all of them overdue at once, so their next notification is
# taken to fall on the next anniversary of their initial notification (a week from now with no fixed abode), until an
# import or an officer records one.

from django.db import migrations

LAST_NOTIFIED = """
UPDATE offenders_offender x SET last_notified_on = greatest(
    (SELECT max(n.notified_on) FROM notifications_notification n WHERE n.offender_id = x.id),
    (SELECT max(r.closed_on) FROM visits_review r WHERE r.offender_id = x.id AND r.kind = 'notification'))
WHERE x.last_notified_on IS NULL
"""

OPEN_MISSING = """
INSERT INTO visits_review (offender_id, kind, due_on, brought_forward_because, created_at, updated_at)
SELECT x.id, 'notification', CASE
    WHEN x.no_fixed_abode THEN current_date + 7
    WHEN x.last_notified_on IS NOT NULL THEN (x.last_notified_on + interval '1 year')::date
    WHEN (a.initial + make_interval(years => a.years))::date >= current_date
      THEN (a.initial + make_interval(years => a.years))::date
    ELSE (a.initial + make_interval(years => a.years + 1))::date END,
  '', now(), now()
FROM offenders_offender x CROSS JOIN LATERAL (
    SELECT i.initial, greatest(1, extract(year FROM age(current_date, i.initial))::int) AS years
    FROM (SELECT coalesce(x.first_notified_on, x.registered_on) AS initial) i) a
WHERE NOT EXISTS (SELECT FROM visits_review r WHERE r.offender_id = x.id AND r.kind = 'notification'
                  AND r.closed_on IS NULL)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0019_notification_due_items_and_non_compliance'),
        ('offenders', '0018_notified_and_status_since'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL(LAST_NOTIFIED, migrations.RunSQL.noop),
        migrations.RunSQL(OPEN_MISSING, migrations.RunSQL.noop),
    ]
