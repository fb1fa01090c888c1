"""The `autodiag` command.

Questionnaire and scoring commands are pure Python (no database); any other
command is Django's (`autodiag migrate`, `autodiag runserver`, ...), so the
project needs no separate manage.py.

Exit codes: 0 success; 1 an invalid questionnaire file; 2 an invalid answer
sheet or command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from autodiag.french import suffix
from autodiag.questionnaires import outline
from autodiag.questionnaires.loader import QuestionnaireError, load_questionnaire, shipped_versions
from autodiag.scoring.answers import AnswerSheetError, parse_answer_sheet
from autodiag.scoring.engine import score
from autodiag.scoring.report import render_text
from autodiag.yamlfile import YamlFileError, read_yaml

OWN_COMMANDS = {"questionnaire", "answers", "score"}
SHEET_FIELDS = {"questionnaire", "structure", "answers"}


class UsageError(Exception):
    """A problem with what the user asked; the message is for them."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodiag",
        description="Autodiagnostic Services Publics+ : questionnaires, réponses et scores. "
        "Toute autre commande est une commande Django (migrate, runserver…).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")

    questionnaire = commands.add_parser(
        "questionnaire", help="vérifier, afficher, charger une version"
    )
    q_commands = questionnaire.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = q_commands.add_parser("check", help="valider un fichier de questionnaire")
    check.add_argument("file", metavar="FICHIER")
    show = q_commands.add_parser("show", help="plan lisible d'une version")
    show.add_argument("version", metavar="VERSION|FICHIER")
    doc = q_commands.add_parser("doc", help="document Markdown de référence d'une version")
    doc.add_argument("version", metavar="VERSION|FICHIER")
    load = q_commands.add_parser("load", help="enregistrer les versions dans la base de données")
    load.add_argument(
        "versions",
        nargs="*",
        metavar="VERSION|FICHIER",
        help="toutes les versions livrées par défaut",
    )

    answers = commands.add_parser("answers", help="feuilles de réponses")
    a_commands = answers.add_subparsers(dest="action", metavar="ACTION", required=True)
    template = a_commands.add_parser("template", help="une feuille de réponses vierge à remplir")
    template.add_argument("version", metavar="VERSION|FICHIER")

    score_cmd = commands.add_parser("score", help="calculer le rapport d'une feuille de réponses")
    score_cmd.add_argument("answers", metavar="REPONSES", help="fichier YAML ou JSON de réponses")
    score_cmd.add_argument(
        "--questionnaire",
        "-q",
        metavar="VERSION|FICHIER",
        help="par défaut, la version indiquée dans la feuille",
    )
    score_cmd.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and argv[0] not in OWN_COMMANDS:
        return run_django(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 0
    try:
        return COMMANDS[(args.command, getattr(args, "action", None))](args)
    except UsageError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except QuestionnaireError as exc:
        print_questionnaire_problems(exc)
        return 1


def print_questionnaire_problems(exc: QuestionnaireError) -> None:
    count = len(exc.problems)
    print(f"Questionnaire invalide : {count} problème{suffix(count)}", file=sys.stderr)
    for problem in exc.problems:
        print(f"  - {problem}", file=sys.stderr)


def cmd_check(args) -> int:
    questionnaire = load_questionnaire(args.file)
    print(outline.check_summary(questionnaire), end="")
    return 0


def cmd_show(args) -> int:
    print(outline.outline(load_questionnaire(args.version)), end="")
    return 0


def cmd_doc(args) -> int:
    print(outline.markdown(load_questionnaire(args.version)), end="")
    return 0


def cmd_template(args) -> int:
    print(outline.answers_template(load_questionnaire(args.version)), end="")
    return 0


def read_sheet(path: str) -> dict:
    try:
        sheet = read_yaml(path, keys_as_written=True)  # `1.10:` is point "1.10", not 1.1
    except YamlFileError as exc:
        raise UsageError(str(exc)) from exc
    if not isinstance(sheet, dict) or "answers" not in sheet:
        raise UsageError(
            f"{path} : une feuille de réponses a une clé « answers » (voir docs/answers-format.md)"
        )
    unknown = set(sheet) - SHEET_FIELDS
    if unknown:
        raise UsageError(
            f"{path} : clé{suffix(len(unknown))} inconnue{suffix(len(unknown))} "
            f"{', '.join(sorted(map(str, unknown)))} "
            f"(clés possibles : {', '.join(sorted(SHEET_FIELDS))})"
        )
    return sheet


def cmd_score(args) -> int:
    sheet = read_sheet(args.answers)
    version = args.questionnaire or sheet.get("questionnaire")
    if not version:
        raise UsageError(
            "indiquez la version : --questionnaire sp-plus-2026 (ou « questionnaire: » dans la feuille)"
        )
    questionnaire = load_questionnaire(version)
    declared = sheet.get("questionnaire")
    if declared and declared != questionnaire.id:
        raise UsageError(
            f"{args.answers} : la feuille répond à « {declared} », pas à « {questionnaire.id} »"
        )
    try:
        answers = parse_answer_sheet(questionnaire, sheet.get("answers"))
    except AnswerSheetError as exc:
        count = len(exc.problems)
        print(
            f"Feuille de réponses invalide ({args.answers}) : {count} problème{suffix(count)}",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    report = score(questionnaire, answers)
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        if sheet.get("structure"):
            print(f"Structure : {sheet['structure']}")
        print(render_text(report), end="")
    return 0


def cmd_load(args) -> int:
    setup_django()
    from autodiag.questionnaires.models import QuestionnaireVersion, VersionChangedError

    targets = args.versions or [str(path) for path in shipped_versions()]
    questionnaires = [load_questionnaire(target) for target in targets]  # all valid, or nothing
    for questionnaire in questionnaires:
        try:
            _, created = QuestionnaireVersion.record(questionnaire)
        except VersionChangedError as exc:
            raise UsageError(str(exc), exit_code=1) from exc
        state = "enregistrée" if created else "déjà enregistrée, inchangée"
        print(f"Version « {questionnaire.id} » {state}.")
    return 0


COMMANDS = {
    ("questionnaire", "check"): cmd_check,
    ("questionnaire", "show"): cmd_show,
    ("questionnaire", "doc"): cmd_doc,
    ("questionnaire", "load"): cmd_load,
    ("answers", "template"): cmd_template,
    ("score", None): cmd_score,
}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    import django

    django.setup()


def run_django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["autodiag", *argv])
    return 0
