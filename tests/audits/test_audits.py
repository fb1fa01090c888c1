"""Label audits: granting access for a period, scoring with evidence and
comments, validation, and the lock at every layer (model, views, admin,
database)."""

import datetime
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from autodiag.audits.models import Audit, AuditAnswer, AuditError, LockedError
from autodiag.scoring.answers import AnswerValueError
from autodiag.scoring.engine import score

from ..conftest import client_for, fill
from ..factories import pdf_streams
from .conftest import score_everything, today

pytestmark = pytest.mark.django_db


# -- granting access ------------------------------------------------------------------


def test_a_grant_records_the_structure_category_from_the_referential(audit, structure):
    stored = audit.stored_answers()
    assert stored["typologie"].value == structure.typology == "operateur"
    assert "controle-recouvrement" not in stored  # no self-diagnostic to take it from
    assert audit.is_draft and audit.period_open()


def test_control_activities_come_from_the_last_validated_self_diagnostic(
    structure, validated, auditor, grid_version, national
):
    expected = validated.answers.get(question_id="controle-recouvrement").value
    audit = Audit.objects.grant(
        structure, auditor, today(), today(), by=national, grid=grid_version
    )
    assert audit.stored_answers()["controle-recouvrement"].value == expected


def test_grant_rules(structure, auditor, agent, grid_version, national, audit):
    with pytest.raises(AuditError, match="fin de la période"):
        Audit.objects.grant(
            structure, auditor, today(), today() - datetime.timedelta(days=1), grid=grid_version
        )
    with pytest.raises(AuditError, match="membre de la structure"):
        Audit.objects.grant(structure, agent, today(), today(), grid=grid_version)
    with pytest.raises(AuditError, match="déjà en cours"):
        Audit.objects.grant(structure, auditor, today(), today(), grid=grid_version)


def test_the_database_keeps_periods_in_order(audit):
    with pytest.raises(DatabaseError), transaction.atomic():
        Audit.objects.filter(pk=audit.pk).update(ends_on=audit.starts_on - datetime.timedelta(1))


# -- scoring -------------------------------------------------------------------------------


def test_a_point_is_scored_with_evidence_and_comment(audit, auditor):
    audit.save_point("1.1", "0.75", "Courriers types relus.", "Formules à harmoniser.", auditor)
    answer = audit.answers.get(question_id="1.1")
    assert (answer.value, answer.evidence, answer.comment) == (
        "0.75",
        "Courriers types relus.",
        "Formules à harmoniser.",
    )
    assert answer.updated_by == auditor


def test_named_levels_are_stored_as_the_scale_position(audit, auditor):
    audit.save_point("6.2", "Point sensible", "", "", auditor)
    audit.save_point("6.3", "conforme", "", "", auditor)
    assert audit.answers.get(question_id="6.2").value == "0.25"
    assert audit.answers.get(question_id="6.3").value == "1"


def test_notes_without_a_score_are_kept_and_empty_points_removed(audit, auditor):
    audit.save_point("2.4", None, "Logiciel de GRC vu en démonstration.", "", auditor)
    assert audit.answers.get(question_id="2.4").value is None
    assert "2.4" in audit.live_report().missing  # not scored yet
    audit.save_point("2.4", "", "", "", auditor)
    assert not audit.answers.filter(question_id="2.4").exists()


@pytest.mark.parametrize(
    ("point", "value", "message"),
    [
        ("9.9", "1", "point de contrôle inconnu"),
        ("1.1", "0.5", "note « 0.5 » inconnue : choisissez 0, 0,25, 0,75 ou 1 point"),
        ("1.1", "na", "« Non applicable » n’est pas proposé"),
        ("6.1", "Conforme", "note « Conforme » inconnue"),
        ("6.2", "Presque", "choisissez Non conforme, Point sensible, Point de progrès ou Conforme"),
    ],
)
def test_a_value_the_point_refuses_is_named(audit, auditor, point, value, message):
    with pytest.raises(AnswerValueError, match=message):
        audit.save_point(point, value, "", "", auditor)


def test_points_for_control_activities_apply_only_to_them(audit, auditor):
    audit.save_profile("controle-recouvrement", "non", auditor)
    with pytest.raises(AnswerValueError, match="ne s’applique pas à la structure"):
        audit.save_point("1.10", "1", "", "", auditor)
    audit.save_profile("controle-recouvrement", "oui", auditor)
    audit.save_point("1.10", "1", "", "", auditor)


def test_the_category_comes_from_the_referential_only(audit, auditor):
    with pytest.raises(AnswerValueError, match="référentiel"):
        audit.save_profile("typologie", "collectivite", auditor)


def test_notes_have_a_bound(audit, auditor):
    with pytest.raises(AnswerValueError, match="10\u202f000\u00a0caractères au plus"):
        audit.save_point("1.1", "1", "x" * 10_001, "", auditor)


# -- validation -----------------------------------------------------------------------------


def test_validation_needs_every_point_that_applies(audit, auditor):
    score_everything(audit, auditor, skip={"3.4", "OR.2"})
    with pytest.raises(AuditError, match="2\u00a0points de contrôle sans note"):
        audit.validate(by=auditor)
    assert Audit.objects.get(pk=audit.pk).is_draft


def test_validation_needs_the_profile(audit, auditor):
    for question in audit.version.questions():
        if question.scored and question.id not in ("1.10", "1.11"):
            audit.save_point(question.id, "1", "", "", auditor)
    with pytest.raises(AuditError, match="caractéristiques de la structure"):
        audit.validate(by=auditor)


def test_validation_freezes_the_report(validated_audit):
    audit = Audit.objects.get(pk=validated_audit.pk)
    assert not audit.is_draft and audit.validated_at
    live = score(audit.version, audit.normalized_answers())
    assert audit.report == live.to_json()
    assert audit.report["global"]["display"] == "75\u00a0%"
    assert audit.report["apart"][0]["section"] == "criteres-or"


def test_a_point_answered_non_applicable_counts_nowhere(audit, auditor):
    score_everything(audit, auditor, value="1")
    audit.save_point("2.9", "na", "Pas de SVI ni de répondeur.", "", auditor)
    report = audit.live_report()
    commitment_2 = next(c for c in report.commitments if c.number == 2)
    assert commitment_2.maximum == 15 and commitment_2.ratio == 1


# -- the lock, at every layer ---------------------------------------------------------------


def test_locked_by_the_model(validated_audit, auditor):
    with pytest.raises(LockedError):
        validated_audit.save_point("1.1", "0", "", "", auditor)
    with pytest.raises(LockedError):
        validated_audit.save_profile("controle-recouvrement", "non", auditor)
    with pytest.raises(LockedError):
        validated_audit.validate(by=auditor)
    answer = validated_audit.answers.get(question_id="1.1")
    answer.value = "0"
    with pytest.raises(LockedError):
        answer.save()
    with pytest.raises(LockedError):
        answer.delete()
    with pytest.raises(LockedError):
        validated_audit.delete()
    assert validated_audit.answers.get(question_id="1.1").value == "0.75"


def test_locked_by_the_database(validated_audit):
    answer = validated_audit.answers.get(question_id="1.1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audits_auditanswer SET value = %s WHERE id = %s", ['"0"', answer.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditAnswer.objects.filter(pk=answer.pk).update(comment="changé")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditAnswer.objects.bulk_create([AuditAnswer(audit=validated_audit, question_id="x")])
    with pytest.raises(DatabaseError), transaction.atomic():
        Audit.objects.filter(pk=validated_audit.pk).update(status="draft", validated_at=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        Audit.objects.filter(pk=validated_audit.pk).update(report={"global": {}})
    if connection.vendor == "postgresql":  # SQLite keeps DELETE to the model (see migration)
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditAnswer.objects.filter(pk=answer.pk).delete()
    assert AuditAnswer.objects.get(pk=answer.pk).comment == answer.comment
    # The period may still move: it is the auditor's access to the report.
    Audit.objects.filter(pk=validated_audit.pk).update(ends_on=today())


def test_locked_by_the_views(validated_audit, auditor):
    client = client_for(auditor)
    before = sorted(validated_audit.answers.values_list("question_id", "value", "comment"))
    page = client.post(
        reverse("audits:page", args=[validated_audit.pk, "1"]),
        {"note-1.1": "0", "commentaire-1.1": "changé"},
    )
    assert page.status_code == 403
    profile = client.post(
        reverse("audits:overview", args=[validated_audit.pk]), {"controle-recouvrement": "non"}
    )
    assert profile.status_code == 403
    again = client.post(
        reverse("audits:validation", args=[validated_audit.pk]), {"confirmation": "1"}
    )
    assert again.status_code == 302  # to the report: nothing to validate
    assert sorted(validated_audit.answers.values_list("question_id", "value", "comment")) == before
    # Read-only, and said so.
    page = client.get(reverse("audits:page", args=[validated_audit.pk, "1"])).content.decode()
    assert "ne peuvent plus être modifiées" in page and "disabled" in page


def test_locked_in_the_admin(validated_audit, national):
    client = client_for(national)
    url = reverse("admin:audits_audit_change", args=[validated_audit.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="answers-0-value"' not in html  # scores shown, never as fields
    assert (
        client.get(reverse("admin:audits_audit_delete", args=[validated_audit.pk])).status_code
        == 403
    )
    new_end = today() + datetime.timedelta(days=90)
    response = client.post(
        url,
        {
            "starts_on": validated_audit.starts_on.isoformat(),
            "ends_on": new_end.isoformat(),
            "answers-TOTAL_FORMS": "0",
            "answers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    audit = Audit.objects.get(pk=validated_audit.pk)
    assert audit.ends_on == new_end and audit.report == validated_audit.report


# -- national administrators give access in the admin -------------------------------------------


def test_a_national_administrator_grants_access_in_the_admin(
    structure, auditor, grid_version, national, agent
):
    client = client_for(national)
    url = reverse("admin:audits_audit_add")
    assert client.get(url).status_code == 200
    data = {
        "structure": structure.pk,
        "auditor": agent.pk,
        "grid": grid_version.pk,
        "starts_on": today().isoformat(),
        "ends_on": (today() + datetime.timedelta(days=14)).isoformat(),
        "answers-TOTAL_FORMS": "0",
        "answers-INITIAL_FORMS": "0",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Un membre de la structure ne peut pas en être l’auditeur" in refused.content.decode()
    assert client.post(url, {**data, "auditor": auditor.pk}).status_code == 302
    audit = Audit.objects.get()
    assert audit.auditor == auditor and audit.granted_by == national
    assert audit.stored_answers()["typologie"].value == "operateur"


def test_heads_and_members_do_not_use_the_admin(structure, agent, manager):
    for user in (agent, manager):
        assert client_for(user).get(reverse("admin:audits_audit_add")).status_code == 302


# -- scoring in the pages, without JavaScript ---------------------------------------------------


def test_scoring_a_page_saves_what_changed(audit, auditor):
    client = client_for(auditor)
    url = reverse("audits:page", args=[audit.pk, "6"])
    response = client.post(
        url,
        {
            "note-6.1": "1",
            "preuves-6.1": "Tableau de bord trimestriel consulté.",
            "commentaire-6.1": "",
            "note-6.2": "0.25",
            "suivant": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:page", args=[audit.pk, "7"])
    stored = audit.stored_answers()
    assert stored["6.1"].evidence == "Tableau de bord trimestriel consulté."
    assert stored["6.2"].value == "0.25"
    assert "6.3" not in stored
    page = client.get(url).content.decode()
    assert "Point sensible (0,25\u00a0point)" in page
    assert 'value="0.25" checked' in page


def test_a_refused_value_keeps_what_was_typed(audit, auditor):
    client = client_for(auditor)
    response = client.post(
        reverse("audits:page", args=[audit.pk, "1"]),
        {"note-1.1": "0.5", "preuves-1.1": "Courriers relus."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Point 1.1" in html and "Courriers relus." in html
    assert not audit.answers.filter(question_id="1.1").exists()


def test_the_last_page_leads_to_validation_and_validation_to_the_report(audit, auditor):
    score_everything(audit, auditor)
    client = client_for(auditor)
    response = client.post(reverse("audits:page", args=[audit.pk, "or"]), {"suivant": "1", **{
        f"note-OR.{n}": "0.75" for n in range(1, 13)}, **{f"preuves-OR.{n}": f"Preuve OR.{n}" for n in range(1, 13)}})  # fmt: skip
    assert response["Location"] == reverse("audits:validation", args=[audit.pk])
    refused = client.post(reverse("audits:validation", args=[audit.pk]), {})
    assert refused.status_code == 400 and Audit.objects.get(pk=audit.pk).is_draft
    done = client.post(reverse("audits:validation", args=[audit.pk]), {"confirmation": "1"})
    assert done["Location"] == reverse("audits:report", args=[audit.pk])
    assert not Audit.objects.get(pk=audit.pk).is_draft


def test_the_report_pdf_is_tagged(validated_audit, manager):
    response = client_for(manager).get(reverse("audits:report_pdf", args=[validated_audit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    streams = pdf_streams(response.content)
    assert b"/StructTreeRoot" in streams and b"pdfuaid:part" in streams
    assert b"/Lang (fr)" in streams
    stamp = validated_audit.validated_at.date().isoformat()
    assert f"autodiag-CAF69TEST-audit-{stamp}.pdf" in response["Content-Disposition"]


def test_the_demo_gives_the_demo_auditor_an_open_audit(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=io.StringIO())  # idempotent
    assert "auditeur@demo.autodiag.fr" in out.getvalue()
    audit = Audit.objects.get()
    assert audit.structure.code == "CAF69LYO1" and audit.period_open()
    # A demo database kept for months: the demo reopens the period around today.
    Audit.objects.filter(pk=audit.pk).update(
        starts_on=today() - datetime.timedelta(days=100),
        ends_on=today() - datetime.timedelta(days=40),
    )
    call_command("demo", stdout=io.StringIO())
    assert Audit.objects.get().period_open()


def test_the_example_self_diagnostic_still_validates(draft, agent, manager):
    """The grid's loading changes nothing for the self-diagnostic."""
    fill(draft, agent)
    draft.validate(by=manager)
    assert json.dumps(draft.result.report).count('"apart"') == 0


def test_validated_audit_identity_and_scores_locked_by_the_database(
    validated_audit, structure, other_structure, national
):
    """Issue 12, finding 1: the old row is checked as well as the new one."""
    draft = Audit.objects.create(
        structure=other_structure,
        grid=validated_audit.grid,
        auditor=validated_audit.auditor,
        starts_on=validated_audit.starts_on,
        ends_on=validated_audit.ends_on,
    )
    answer = validated_audit.answers.get(question_id="1.1")
    statements = [
        ("UPDATE audits_auditanswer SET audit_id = %s WHERE id = %s", [draft.pk, answer.pk]),
        (
            "UPDATE audits_audit SET structure_id = %s WHERE id = %s",
            [other_structure.pk, validated_audit.pk],
        ),
        (
            "UPDATE audits_audit SET auditor_id = %s WHERE id = %s",
            [national.pk, validated_audit.pk],
        ),
    ]
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AuditAnswer.objects.get(pk=answer.pk).audit_id == validated_audit.pk
    assert Audit.objects.get(pk=validated_audit.pk).structure_id == structure.pk
