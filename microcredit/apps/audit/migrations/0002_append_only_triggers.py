"""Database triggers that refuse changing audit rows (defence in depth below the ORM).

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE only: Django's test database
teardown and `flush` empty tables with a plain DELETE, which a DELETE trigger would block.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_no_update ON audit_auditentry; DROP FUNCTION IF EXISTS audit_append_only();"
SQLITE_UP = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = PG_UP if vendor == "postgresql" else SQLITE_UP if vendor == "sqlite" else ""
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = PG_DOWN if vendor == "postgresql" else SQLITE_DOWN if vendor == "sqlite" else ""
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
