"""The database itself refuses to change the answers of a validated
diagnostic, or to reopen it, whatever the code path (a script, the shell,
a bug). SQLite and PostgreSQL each get their own triggers."""

from django.db import migrations

LOCKED = "Ce diagnostic est validé : ses réponses ne peuvent plus être modifiées."

SQLITE = [
    f"""
    CREATE TRIGGER answer_locked_on_{event.lower()}
    BEFORE {event} ON diagnostics_answer
    FOR EACH ROW
    WHEN (SELECT status FROM diagnostics_diagnostic WHERE id = {row}.diagnostic_id) = 'validated'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END;
    """
    # No DELETE trigger on SQLite: Django empties SQLite tables with DELETE
    # between transactional tests (PostgreSQL uses TRUNCATE, which row
    # triggers do not see); the model refuses deletions on both.
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"))
] + [
    """
    CREATE TRIGGER diagnostic_stays_validated
    BEFORE UPDATE OF status ON diagnostics_diagnostic
    FOR EACH ROW WHEN OLD.status = 'validated' AND NEW.status <> 'validated'
    BEGIN SELECT RAISE(ABORT, 'Un diagnostic validé ne redevient pas un brouillon.'); END;
    """
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS answer_locked_on_insert",
    "DROP TRIGGER IF EXISTS answer_locked_on_update",
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated",
]

POSTGRES = [
    f"""
    CREATE FUNCTION diagnostics_refuse_locked_answer() RETURNS trigger AS $$
    DECLARE target bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN target := OLD.diagnostic_id; ELSE target := NEW.diagnostic_id; END IF;
        IF (SELECT status FROM diagnostics_diagnostic WHERE id = target) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER answer_locked BEFORE INSERT OR UPDATE OR DELETE ON diagnostics_answer
    FOR EACH ROW EXECUTE FUNCTION diagnostics_refuse_locked_answer();
    """,
    """
    CREATE FUNCTION diagnostics_refuse_reopening() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'validated' AND NEW.status <> 'validated' THEN
            RAISE EXCEPTION 'Un diagnostic validé ne redevient pas un brouillon.'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER diagnostic_stays_validated BEFORE UPDATE OF status ON diagnostics_diagnostic
    FOR EACH ROW EXECUTE FUNCTION diagnostics_refuse_reopening();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS answer_locked ON diagnostics_answer",
    "DROP FUNCTION IF EXISTS diagnostics_refuse_locked_answer()",
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated ON diagnostics_diagnostic",
    "DROP FUNCTION IF EXISTS diagnostics_refuse_reopening()",
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
    dependencies = [("diagnostics", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
