"""On PostgreSQL the database itself refuses overlapping schedule periods (an exclusion constraint on the
inclusive date range). SQLite cannot; there the periods importer's check is the guard."""

from django.db import migrations

CREATE = (
    "ALTER TABLE servicelevel_scheduleperiod ADD CONSTRAINT period_no_overlap "
    "EXCLUDE USING gist (daterange(start_date, end_date, '[]') WITH &&)"
)
DROP = "ALTER TABLE servicelevel_scheduleperiod DROP CONSTRAINT IF EXISTS period_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("servicelevel", "0002_rulebook_2026_0000277")]
    operations = [migrations.RunPython(forwards, backwards)]
