"""Completing the database lock of validated audits (issue 12, finding 1),
as diagnostics/migrations/0004: a score cannot be moved out of a validated
audit (the old row is checked as well as the new one), and a validated
audit keeps its structure, grid and auditor besides its status, date and
report. Its access period may still move (the auditor's access to the
report). SQLite gets no DELETE triggers (see 0002)."""

from django.db import migrations

LOCKED = "Cet audit est validé : ses notes ne peuvent plus être modifiées."
FROZEN = "Un audit validé ne redevient pas un brouillon et son rapport ne change plus."

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_stays_validated",
    f"""
    CREATE TRIGGER audit_answer_locked_on_update_old
    BEFORE UPDATE ON audits_auditanswer
    FOR EACH ROW
    WHEN (SELECT status FROM audits_audit WHERE id = OLD.audit_id) = 'validated'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END;
    """,
    f"""
    CREATE TRIGGER audit_stays_validated
    BEFORE UPDATE ON audits_audit
    FOR EACH ROW WHEN OLD.status = 'validated' AND (
        NEW.status IS NOT OLD.status
        OR NEW.report IS NOT OLD.report
        OR NEW.validated_at IS NOT OLD.validated_at
        OR NEW.structure_id IS NOT OLD.structure_id
        OR NEW.grid_id IS NOT OLD.grid_id
        OR NEW.auditor_id IS NOT OLD.auditor_id
    )
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_answer_locked_on_update_old",
    "DROP TRIGGER IF EXISTS audit_stays_validated",
    f"""
    CREATE TRIGGER audit_stays_validated
    BEFORE UPDATE ON audits_audit
    FOR EACH ROW WHEN OLD.status = 'validated' AND (
        NEW.status <> 'validated'
        OR NEW.report IS NOT OLD.report
        OR NEW.validated_at IS NOT OLD.validated_at
    )
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;
    """,
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION audits_refuse_locked_answer() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND
           (SELECT status FROM audits_audit WHERE id = OLD.audit_id) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND
           (SELECT status FROM audits_audit WHERE id = NEW.audit_id) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE OR REPLACE FUNCTION audits_refuse_reopening() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'validated' THEN
                RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'validated' AND (
            NEW.status IS DISTINCT FROM OLD.status
            OR NEW.report IS DISTINCT FROM OLD.report
            OR NEW.validated_at IS DISTINCT FROM OLD.validated_at
            OR NEW.structure_id IS DISTINCT FROM OLD.structure_id
            OR NEW.grid_id IS DISTINCT FROM OLD.grid_id
            OR NEW.auditor_id IS DISTINCT FROM OLD.auditor_id
        ) THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES  # the triggers of 0002 call the replaced functions
    else:
        statements = SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)
    # PostgreSQL: the stricter functions stay (0002's reverse drops them).


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_lock_validated_audits")]
    operations = [migrations.RunPython(forwards, backwards)]
