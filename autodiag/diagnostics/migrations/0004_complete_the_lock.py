"""Completing the database lock of validated diagnostics (issue 12,
finding 1): an answer cannot be moved out of a validated diagnostic (the
old row is checked as well as the new one); a validated diagnostic keeps
its structure, version, validator and validation moment and is never
deleted; frozen results and their Score rows are never updated or
deleted. SQLite gets no DELETE triggers (see 0002: Django empties SQLite
tables with DELETE between transactional tests); the models refuse
deletions there."""

from django.db import migrations

LOCKED = "Ce diagnostic est validé : ses réponses ne peuvent plus être modifiées."
FROZEN = "Un diagnostic validé garde sa structure, sa version, son validateur et sa date de validation."
RESULT = "Le résultat d’un diagnostic validé est figé : il ne se modifie ni ne se supprime."

SQLITE = [
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated",
    f"""
    CREATE TRIGGER answer_locked_on_update_old
    BEFORE UPDATE ON diagnostics_answer
    FOR EACH ROW
    WHEN (SELECT status FROM diagnostics_diagnostic WHERE id = OLD.diagnostic_id) = 'validated'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END;
    """,
    f"""
    CREATE TRIGGER diagnostic_stays_validated
    BEFORE UPDATE ON diagnostics_diagnostic
    FOR EACH ROW WHEN OLD.status = 'validated' AND (
        NEW.status IS NOT OLD.status
        OR NEW.structure_id IS NOT OLD.structure_id
        OR NEW.questionnaire_id IS NOT OLD.questionnaire_id
        OR NEW.validated_at IS NOT OLD.validated_at
        OR NEW.validated_by_id IS NOT OLD.validated_by_id
    )
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;
    """,
] + [
    f"""
    CREATE TRIGGER {table}_frozen_on_update BEFORE UPDATE ON {table}
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{RESULT}'); END;
    """
    for table in ("diagnostics_result", "diagnostics_score")
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS answer_locked_on_update_old",
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated",
    "DROP TRIGGER IF EXISTS diagnostics_result_frozen_on_update",
    "DROP TRIGGER IF EXISTS diagnostics_score_frozen_on_update",
    """
    CREATE TRIGGER diagnostic_stays_validated
    BEFORE UPDATE OF status ON diagnostics_diagnostic
    FOR EACH ROW WHEN OLD.status = 'validated' AND NEW.status <> 'validated'
    BEGIN SELECT RAISE(ABORT, 'Un diagnostic validé ne redevient pas un brouillon.'); END;
    """,
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION diagnostics_refuse_locked_answer() RETURNS trigger AS $$
    BEGIN
        -- The row before (UPDATE, DELETE) and the row after (INSERT, UPDATE):
        -- moving an answer out of a validated diagnostic is changing it.
        IF TG_OP IN ('UPDATE', 'DELETE') AND
           (SELECT status FROM diagnostics_diagnostic WHERE id = OLD.diagnostic_id) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND
           (SELECT status FROM diagnostics_diagnostic WHERE id = NEW.diagnostic_id) = 'validated' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated ON diagnostics_diagnostic",
    f"""
    CREATE OR REPLACE FUNCTION diagnostics_refuse_reopening() RETURNS trigger AS $$
    BEGIN
        IF OLD.status <> 'validated' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status
           OR NEW.structure_id IS DISTINCT FROM OLD.structure_id
           OR NEW.questionnaire_id IS DISTINCT FROM OLD.questionnaire_id
           OR NEW.validated_at IS DISTINCT FROM OLD.validated_at
           OR NEW.validated_by_id IS DISTINCT FROM OLD.validated_by_id THEN
            RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER diagnostic_stays_validated BEFORE UPDATE OR DELETE ON diagnostics_diagnostic
    FOR EACH ROW EXECUTE FUNCTION diagnostics_refuse_reopening();
    """,
    f"""
    CREATE FUNCTION diagnostics_refuse_changing_results() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{RESULT}' USING ERRCODE = 'check_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
] + [
    f"""
    CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION diagnostics_refuse_changing_results();
    """
    for table in ("diagnostics_result", "diagnostics_score")
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS diagnostics_result_frozen ON diagnostics_result",
    "DROP TRIGGER IF EXISTS diagnostics_score_frozen ON diagnostics_score",
    "DROP FUNCTION IF EXISTS diagnostics_refuse_changing_results()",
    "DROP TRIGGER IF EXISTS diagnostic_stays_validated ON diagnostics_diagnostic",
    """
    CREATE OR REPLACE FUNCTION diagnostics_refuse_reopening() RETURNS trigger AS $$
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


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    # Numbered 0004: another branch adds diagnostics 0003; the merge re-chains.
    dependencies = [("diagnostics", "0003_answer_cells_and_presence")]
    operations = [migrations.RunPython(forwards, backwards)]
