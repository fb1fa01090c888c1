"""The `autodiag` command line, as a user runs it."""

import json
import subprocess
import sys

import pytest

from autodiag.cli import main

from .conftest import DATA, MINI_PROFILE, ROOT

MINI = str(DATA / "mini.yaml")


def write_sheet(tmp_path, answers, questionnaire="mini"):
    import yaml

    path = tmp_path / "reponses.yaml"
    path.write_text(
        yaml.safe_dump({"questionnaire": questionnaire, "answers": answers}, allow_unicode=True),
        encoding="utf-8",
    )
    return str(path)


FULL = {
    **MINI_PROFILE,
    "politesse": {"accueil": "oui", "telephone": "non", "courriel": "oui"},
    "posture": 0.75,
    "frequence-rappel": "souvent",
    "svi-infos": {"horaires": "oui", "adresse": "oui"},
    "plateforme": {"site": "oui", "plateforme": "non"},
    "energie": "na",
}


def test_check_valid_file_prints_a_summary(capsys):
    assert main(["questionnaire", "check", MINI]) == 0
    out = capsys.readouterr().out
    assert "version « mini » valide" in out
    assert "Points de contrôle de l'audit préparés : 5 sur 6" in out


def test_check_broken_file_lists_every_problem_and_exits_1(tmp_path, capsys):
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("weight: 3", "weight: 0").replace(
        'commitment: 2\n        audit_points: ["2.9"]',
        'commitment: 7\n        audit_points: ["2.9"]',
    )
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["questionnaire", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Questionnaire invalide : 2 problèmes" in err
    assert "question « energie », champ « weight » : le poids doit être positif (reçu : 0)" in err
    assert "question « svi-infos », champ « commitment » : engagement inconnu 7" in err


def test_check_missing_file(capsys):
    assert main(["questionnaire", "check", "nulle-part.yaml"]) == 1
    assert "fichier introuvable" in capsys.readouterr().err


def test_show_prints_an_outline(capsys):
    assert main(["questionnaire", "show", MINI]) == 0
    assert (
        "politesse (Oui / Non par canal ; engagement 1 ; 2 pts ; audit 1.1)"
        in capsys.readouterr().out
    )


def test_template_is_a_sheet_that_scores_once_filled(tmp_path, capsys):
    assert main(["answers", "template", MINI]) == 0
    template = capsys.readouterr().out
    assert "questionnaire: mini" in template and "  posture:" in template
    path = tmp_path / "vierge.yaml"
    path.write_text(template, encoding="utf-8")
    assert (
        main(["score", str(path), "-q", MINI]) == 0
    )  # blank sheet: a report listing what is missing
    out = capsys.readouterr().out
    assert "Diagnostic incomplet" in out and "il ne pourrait pas être validé" in out


def test_score_text_report(tmp_path, capsys):
    assert main(["score", "--questionnaire", MINI, write_sheet(tmp_path, FULL)]) == 0
    out = capsys.readouterr().out
    assert "Taux d'atteinte global (moyenne des engagements) : 72,2\u00a0%" in out
    assert "Engagements non évalués (aucune question applicable, hors moyenne) : 3" in out
    assert "le diagnostic peut être validé" in out


def test_score_json_report(tmp_path, capsys):
    assert main(["score", "-q", MINI, write_sheet(tmp_path, FULL), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["complete"] is True
    assert data["global"]["display"] == "72,2\u00a0%"
    assert data["commitments"][2]["score"] is None


def test_score_errors_name_the_question_and_exit_2(tmp_path, capsys):
    bad = {**FULL, "posture": 0.5, "question-fantome": 1, "svi": "non"}
    assert main(["score", "-q", MINI, write_sheet(tmp_path, bad)]) == 2
    err = capsys.readouterr().err
    assert "question « question-fantome » : question inconnue dans cette version" in err
    assert "question « posture » : valeur 0.5 hors de l'échelle" in err
    assert "question « svi-infos » : question masquée par le profil" in err


def test_score_sheet_for_another_version(tmp_path, capsys):
    assert (
        main(["score", "-q", MINI, write_sheet(tmp_path, FULL, questionnaire="sp-plus-2026")]) == 2
    )
    assert "la feuille répond à « sp-plus-2026 », pas à « mini »" in capsys.readouterr().err


def test_score_unreadable_sheet(tmp_path, capsys):
    path = tmp_path / "casse.yaml"
    path.write_text("answers: {posture: [", encoding="utf-8")
    assert main(["score", "-q", MINI, str(path)]) == 2
    assert "YAML invalide" in capsys.readouterr().err


def test_installed_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "autodiag", "questionnaire", "check", MINI],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args", [["--help"], []])
def test_help(args, capsys):
    if args:
        with pytest.raises(SystemExit):
            main(args)
    else:
        assert main(args) == 0
    assert "questionnaire" in capsys.readouterr().out


def test_unquoted_numeric_keys_stay_as_written(tmp_path):
    """Issue 12, finding 11: `1.10:` is control point "1.10", not the
    number 1.1 that would give point 1.1 its score."""
    from autodiag.cli import read_sheet

    path = tmp_path / "audit.yaml"
    path.write_text("answers:\n  1.1: 0.25\n  1.10: 1\n  2.10: 0\n  7: oui\n", encoding="utf-8")
    assert read_sheet(str(path))["answers"] == {"1.1": 0.25, "1.10": 1, "2.10": 0, "7": "oui"}


def test_a_point_written_twice_the_same_way_is_still_an_error(tmp_path, capsys):
    path = tmp_path / "audit.yaml"
    path.write_text("answers:\n  1.10: 1\n  1.10: 0\n", encoding="utf-8")
    assert main(["score", "-q", MINI, str(path)]) == 2
    assert "la clé « 1.10 » apparaît deux fois" in capsys.readouterr().err
