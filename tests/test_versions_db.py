"""Questionnaire versions recorded in the database never change."""

import pytest

from autodiag.cli import main
from autodiag.questionnaires.loader import build_questionnaire, load_questionnaire
from autodiag.questionnaires.models import QuestionnaireVersion, VersionChangedError

from .conftest import DATA

pytestmark = pytest.mark.django_db


def test_recording_a_version_keeps_its_content_and_hash(mini):
    _, created = QuestionnaireVersion.record(mini)
    assert created
    stored = QuestionnaireVersion.objects.get(pk="mini")
    assert stored.content_hash == mini.content_hash
    assert stored.questionnaire().question("politesse") == mini.question("politesse")


def test_recording_the_same_version_again_changes_nothing(mini):
    QuestionnaireVersion.record(mini)
    _, created = QuestionnaireVersion.record(load_questionnaire(DATA / "mini.yaml"))
    assert not created
    assert QuestionnaireVersion.objects.count() == 1


def test_a_recorded_version_never_changes(mini):
    QuestionnaireVersion.record(mini)
    changed = dict(mini.document, title="Titre corrigé")
    with pytest.raises(VersionChangedError, match="une version publiée ne change jamais"):
        QuestionnaireVersion.record(build_questionnaire(changed))
    assert QuestionnaireVersion.objects.get(pk="mini").title == "Questionnaire de test"


def test_load_command_records_the_given_versions(capsys):
    assert main(["questionnaire", "load", str(DATA / "mini.yaml")]) == 0
    assert "Version « mini » enregistrée." in capsys.readouterr().out
    assert main(["questionnaire", "load", str(DATA / "mini.yaml")]) == 0
    assert "déjà enregistrée, inchangée" in capsys.readouterr().out


def test_load_command_refuses_a_changed_version(tmp_path, capsys):
    assert main(["questionnaire", "load", str(DATA / "mini.yaml")]) == 0
    path = tmp_path / "mini.yaml"
    path.write_text(
        (DATA / "mini.yaml").read_text(encoding="utf-8").replace("Politesse", "Courtoisie"),
        encoding="utf-8",
    )
    assert main(["questionnaire", "load", str(path)]) == 1
    assert "une version publiée ne change jamais" in capsys.readouterr().err


def test_load_command_writes_nothing_when_one_file_is_invalid(tmp_path, capsys):
    broken = tmp_path / "casse.yaml"
    broken.write_text("id: casse\n", encoding="utf-8")
    assert main(["questionnaire", "load", str(DATA / "mini.yaml"), str(broken)]) == 1
    assert QuestionnaireVersion.objects.count() == 0
