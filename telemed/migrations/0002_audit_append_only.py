"""Make the audit log append-only in the database itself: UPDATE and DELETE raise.

TRUNCATE is left to the database owner (test teardown needs it); production revokes it from
the application role (docs/DEPLOYMENT.md).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION telemed_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER telemed_auditevent_append_only
    BEFORE UPDATE OR DELETE ON telemed_auditevent
    FOR EACH ROW EXECUTE FUNCTION telemed_audit_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS telemed_auditevent_append_only ON telemed_auditevent;
DROP FUNCTION IF EXISTS telemed_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("telemed", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
