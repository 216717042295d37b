from django.db import migrations, models

# Import files give dates as YYYY-MM-DD or DD/MM/YYYY. These functions turn such text into a date,
# or NULL when it is not one (31/02/2016, 2016-13-01, "soon"), so that a million cells are checked
# in one set-based statement. Both are single-expression SQL functions, which PostgreSQL inlines.
CREATE_FUNCTIONS = r"""
CREATE FUNCTION caseload_make_date(y integer, m integer, d integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12 AND d BETWEEN 1 AND
      CASE WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END
           WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END
    THEN make_date(y, m, d) END
$$;
CREATE FUNCTION caseload_parse_date(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN s ~ '^\d{4}-\d{1,2}-\d{1,2}$' THEN caseload_make_date(
      split_part(s, '-', 1)::integer, split_part(s, '-', 2)::integer, split_part(s, '-', 3)::integer)
    WHEN s ~ '^\d{1,2}/\d{1,2}/\d{4}$' THEN caseload_make_date(
      split_part(s, '/', 3)::integer, split_part(s, '/', 2)::integer, split_part(s, '/', 1)::integer)
  END
$$;
"""
DROP_FUNCTIONS = "DROP FUNCTION caseload_parse_date(text); DROP FUNCTION caseload_make_date(integer, integer, integer);"


class Migration(migrations.Migration):
    dependencies = [("offenders", "0004_team_supervisors_history_triggers")]

    operations = [
        migrations.AddField(
            model_name="importrun", name="duration", field=models.DurationField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0, help_text="Percent done while validating or applying"),
        ),
        migrations.AddField(model_name="importrun", name="stage", field=models.CharField(blank=True, max_length=60)),
        migrations.AddField(
            model_name="importrun",
            name="stored_file",
            field=models.CharField(blank=True, help_text="Uploaded file, relative to MEDIA_ROOT", max_length=255),
        ),
        migrations.AddField(
            model_name="importrun",
            name="errors_file",
            field=models.CharField(blank=True, help_text="Error list (CSV), relative to MEDIA_ROOT", max_length=255),
        ),
        migrations.AddConstraint(
            model_name="importrun",
            constraint=models.CheckConstraint(condition=models.Q(progress__lte=100), name="importrun_progress_percent"),
        ),
        migrations.RunSQL(CREATE_FUNCTIONS, DROP_FUNCTIONS),
    ]
