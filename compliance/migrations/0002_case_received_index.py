"""An index on Case.received_at for the region-wide read of a month's cases.

PostgreSQL: BRIN — cases arrive roughly in time order, so a block-range index finds a month in a few pages
and costs next to nothing to keep up at import (a B-tree here took about a fifth of a 300,000-row import).
Other engines (SQLite, the embedded default): an ordinary index.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX case_received_at ON compliance_case {method}(received_at)")


def backwards(apps, schema_editor):
    schema_editor.execute("DROP INDEX case_received_at")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
