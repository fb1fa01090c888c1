"""The database itself refuses to change the scores of a validated audit,
to reopen it or to change its frozen report, whatever the code path (a
script, the shell, a bug). SQLite and PostgreSQL each get their own
triggers (as diagnostics/migrations/0002)."""

from django.db import migrations

LOCKED = "Cet audit est validé : ses notes ne peuvent plus être modifiées."
FROZEN = "Un audit validé ne redevient pas un brouillon et son rapport ne change plus."

SQLITE = [
    f"""
    CREATE TRIGGER audit_answer_locked_on_{event.lower()}
    BEFORE {event} ON audits_auditanswer
    FOR EACH ROW
    WHEN (SELECT status FROM audits_audit WHERE id = NEW.audit_id) = 'validated'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END;
    """
    # No DELETE trigger on SQLite: Django empties SQLite tables with DELETE
    # between transactional tests (PostgreSQL uses TRUNCATE, which row
    # triggers do not see); the model refuses deletions on both.
    for event in ("INSERT", "UPDATE")
] + [
    f"""
    CREATE TRIGGER audit_stays_validated
    BEFORE UPDATE ON audits_audit
    FOR EACH ROW WHEN OLD.status = 'validated' AND (
        NEW.status <> 'validated'
        OR NEW.report IS NOT OLD.report
        OR NEW.validated_at IS NOT OLD.validated_at
    )
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;
    """
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_answer_locked_on_insert",
    "DROP TRIGGER IF EXISTS audit_answer_locked_on_update",
    "DROP TRIGGER IF EXISTS audit_stays_validated",
]

POSTGRES = [
    f"""
    CREATE FUNCTION audits_refuse_locked_answer() RETURNS trigger AS $$
    DECLARE target bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN target := OLD.audit_id; ELSE target := NEW.audit_id; END IF;
        IF (SELECT status FROM audits_audit WHERE id = target) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_answer_locked BEFORE INSERT OR UPDATE OR DELETE ON audits_auditanswer
    FOR EACH ROW EXECUTE FUNCTION audits_refuse_locked_answer();
    """,
    f"""
    CREATE FUNCTION audits_refuse_reopening() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'validated' THEN
                RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'validated' AND (
            NEW.status <> 'validated'
            OR NEW.report IS DISTINCT FROM OLD.report
            OR NEW.validated_at IS DISTINCT FROM OLD.validated_at
        ) THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_stays_validated BEFORE UPDATE OR DELETE ON audits_audit
    FOR EACH ROW EXECUTE FUNCTION audits_refuse_reopening();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_answer_locked ON audits_auditanswer",
    "DROP FUNCTION IF EXISTS audits_refuse_locked_answer()",
    "DROP TRIGGER IF EXISTS audit_stays_validated ON audits_audit",
    "DROP FUNCTION IF EXISTS audits_refuse_reopening()",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
