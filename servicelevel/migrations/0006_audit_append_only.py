"""The audit trail is append-only: on PostgreSQL the database itself refuses UPDATE and DELETE of rows in
servicelevel_auditentry, whoever asks (the admin, a shell, a stray script). SQLite, the embedded default
for one person's use, skips this; the admin refuses changes there too. TRUNCATE is left to the table's
owner (the test runner empties every table between live-server tests with it); the application's
database role in production should not own the tables (docs/reports.md).

Deleting a user keeps their entries: the actor foreign key is ON DELETE SET NULL in Django, which would
be an UPDATE; the actor's name is kept in actor_label, so users are deactivated, never deleted (an attempt
fails loudly here rather than rewriting history)."""

from django.db import migrations

FUNCTION = "servicelevel_audit_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Granskningsloggen kan inte ändras eller tas bort (% på %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON servicelevel_auditentry
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS auditentry_no_update_delete ON servicelevel_auditentry;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: % is literal


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("servicelevel", "0005_import_job")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
