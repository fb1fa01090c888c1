"""A line of figures is the frozen result of a validated diagnostic in
another shape (issue 12, finding 1): the database refuses to change its
diagnostic, structure, version, validation moment or figures, and (on
PostgreSQL) to delete it. Only `superseded_at` moves, when a later or an
imported earlier result of the same structure arrives. SQLite gets no
DELETE trigger (as diagnostics/migrations/0002)."""

from django.db import migrations

FROZEN = "Une ligne de résultats consolidables est figée : seule sa date de remplacement change."

SQLITE = [
    f"""
    CREATE TRIGGER resultline_frozen_on_update BEFORE UPDATE ON consolidation_resultline
    FOR EACH ROW WHEN NEW.diagnostic_id IS NOT OLD.diagnostic_id
        OR NEW.structure_id IS NOT OLD.structure_id
        OR NEW.questionnaire_id IS NOT OLD.questionnaire_id
        OR NEW.validated_at IS NOT OLD.validated_at
        OR NEW.figures IS NOT OLD.figures
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS resultline_frozen_on_update"]

POSTGRES = [
    f"""
    CREATE FUNCTION consolidation_refuse_changing_lines() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           OR NEW.diagnostic_id IS DISTINCT FROM OLD.diagnostic_id
           OR NEW.structure_id IS DISTINCT FROM OLD.structure_id
           OR NEW.questionnaire_id IS DISTINCT FROM OLD.questionnaire_id
           OR NEW.validated_at IS DISTINCT FROM OLD.validated_at
           OR NEW.figures IS DISTINCT FROM OLD.figures THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER resultline_frozen BEFORE UPDATE OR DELETE ON consolidation_resultline
    FOR EACH ROW EXECUTE FUNCTION consolidation_refuse_changing_lines();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS resultline_frozen ON consolidation_resultline",
    "DROP FUNCTION IF EXISTS consolidation_refuse_changing_lines()",
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
    dependencies = [("consolidation", "0004_exports")]
    operations = [migrations.RunPython(forwards, backwards)]
