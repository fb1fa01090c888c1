"""Demonstration data for the consolidated views (called by `autodiag
demo`): a dozen CAF agencies and a few other sites, most with validated
diagnostics this year and last year, so that the CNAF head's consolidated
report, drill-down, campaign follow-up and support needs mean something.

Fast (about a second): answers are the CAF example sheet varied per site
with a seeded random generator, written in bulk, then validated through
the real path (`Diagnostic.validate`: report frozen, Score rows, lines of
figures). Idempotent: a site that exists is left as it is.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.utils import timezone

from autodiag.accounts.models import User
from autodiag.cli import read_sheet
from autodiag.diagnostics.models import Answer, Diagnostic
from autodiag.questionnaires.schema import QuestionType
from autodiag.scoring.answers import normalize_answer, storable
from autodiag.structures.enums import Role, Typology
from autodiag.structures.models import Membership, Network, Structure

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CNAF = "Caisse nationale des allocations familiales (CNAF)"
FRANCE_SERVICES = "France Services"

# code, name, network, typology, type, postal code, department, region,
# level (how good its practices are), plan: "two" validated diagnostics
# (last year and this year), "old" (last year only: to remind), "draft"
# (last year validated, this year in progress), "none".
SITES = [
    (
        "CAF75PAR1",
        "CAF de Paris — agence de Paris 13e",
        CNAF,
        "Agence d’accueil",
        "75013",
        "75",
        "11",
        0.80,
        "two",
    ),
    (
        "CAF59LIL1",
        "CAF du Nord — agence de Lille centre",
        CNAF,
        "Agence d’accueil",
        "59000",
        "59",
        "32",
        0.62,
        "two",
    ),
    (
        "CAF13MAR1",
        "CAF des Bouches-du-Rhône — agence de Marseille Saint-Charles",
        CNAF,
        "Agence d’accueil",
        "13001",
        "13",
        "93",
        0.55,
        "two",
    ),
    (
        "CAF33BOR1",
        "CAF de la Gironde — agence de Bordeaux Mériadeck",
        CNAF,
        "Agence d’accueil",
        "33000",
        "33",
        "75",
        0.85,
        "two",
    ),
    (
        "CAF44NAN1",
        "CAF de Loire-Atlantique — agence de Nantes",
        CNAF,
        "Agence d’accueil",
        "44000",
        "44",
        "52",
        0.72,
        "two",
    ),
    (
        "CAF31TOU1",
        "CAF de la Haute-Garonne — agence de Toulouse",
        CNAF,
        "Agence d’accueil",
        "31000",
        "31",
        "76",
        0.66,
        "two",
    ),
    (
        "CAF67STR1",
        "CAF du Bas-Rhin — agence de Strasbourg",
        CNAF,
        "Agence d’accueil",
        "67000",
        "67",
        "44",
        0.58,
        "two",
    ),
    (
        "CAF35REN1",
        "CAF d’Ille-et-Vilaine — agence de Rennes",
        CNAF,
        "Agence d’accueil",
        "35000",
        "35",
        "53",
        0.77,
        "two",
    ),
    (
        "CAF38GRE1",
        "CAF de l’Isère — agence de Grenoble",
        CNAF,
        "Point d’accueil",
        "38000",
        "38",
        "84",
        0.69,
        "two",
    ),
    (
        "CAF69VIL1",
        "CAF du Rhône — agence de Villeurbanne",
        CNAF,
        "Point d’accueil",
        "69100",
        "69",
        "84",
        0.60,
        "two",
    ),
    (
        "CAF21DIJ1",
        "CAF de la Côte-d’Or — agence de Dijon",
        CNAF,
        "Point d’accueil",
        "21000",
        "21",
        "27",
        0.52,
        "old",
    ),
    (
        "CAF76ROU1",
        "CAF de la Seine-Maritime — agence de Rouen",
        CNAF,
        "Agence d’accueil",
        "76000",
        "76",
        "28",
        0.64,
        "draft",
    ),
    (
        "CAF34MON1",
        "CAF de l’Hérault — agence de Montpellier",
        CNAF,
        "Agence d’accueil",
        "34000",
        "34",
        "76",
        0.70,
        "none",
    ),
    (
        "FS69GIV1",
        "France Services de Givors",
        FRANCE_SERVICES,
        "Maison France Services",
        "69700",
        "69",
        "84",
        0.74,
        "two",
    ),
    (
        "FS69TAR1",
        "France Services de Tarare",
        FRANCE_SERVICES,
        "Maison France Services",
        "69170",
        "69",
        "84",
        0.57,
        "two",
    ),
    (
        "FS16RUF1",
        "France Services de Ruffec",
        FRANCE_SERVICES,
        "Maison France Services",
        "16700",
        "16",
        "75",
        0.63,
        "two",
    ),
]

STRENGTHS = [
    "Accueil sur rendez-vous et en flux, avec un espace numérique animé par un agent.",
    "Rappel des usagers sous 48 heures quand l’attente au téléphone est longue.",
    "Modèles de courriers réécrits en langage clair avec un panel d’usagers.",
    "Comité local d’usagers réuni deux fois par an, compte rendu affiché à l’accueil.",
    "Agents formés à l’accueil des personnes en situation de handicap.",
    "Résultats de qualité de service affichés chaque trimestre dans le hall.",
]
NEEDS = [
    "Supports en gros caractères et en braille à obtenir auprès du niveau national.",
    "Formation au langage clair pour les nouveaux agents : places insuffisantes.",
    "Outil de suivi des délais de réponse aux courriels à mettre à disposition.",
    "Accès à une solution d’interprétariat téléphonique pour les langues rares.",
    "Le serveur vocal national ne permet pas d’annoncer les heures d’affluence locales.",
    "Besoin d’un kit de communication pour afficher les engagements et les résultats.",
    "Aide pour recruter des usagers volontaires pour le comité local.",
]


def _vary(question, raw, rng: random.Random, level: float):
    """The example's answer to `question`, changed as a site of this level
    would answer (profile answers kept, "na" kept)."""
    if question.is_profile or question.type is QuestionType.TEXT or raw == "na":
        return raw
    if question.type is QuestionType.SCALE:
        return rng.choices([0, 0.25, 0.75, 1], [(1 - level) ** 2, 1 - level, level, level**2])[0]
    if question.type is QuestionType.CHOICE:
        options = sorted(question.options, key=lambda o: o.value)
        weights = [(1 - level) ** 2, 1 - level, level, level**2][-len(options) :]
        return rng.choices([o.id for o in options], weights[: len(options)])[0]
    if isinstance(raw, dict):
        return {
            key: ("oui" if rng.random() < level else "non") if value in ("oui", "non") else value
            for key, value in raw.items()
        }
    return raw


def _texts(version, rng: random.Random) -> dict[str, str]:
    texts = {}
    for question in version.questions():
        if question.purpose == "points-forts" and rng.random() < 0.12:
            texts[question.id] = rng.choice(STRENGTHS)
        elif question.purpose == "besoins-appui" and rng.random() < 0.15:
            texts[question.id] = rng.choice(NEEDS)
    return texts


def fill_varied(diagnostic: Diagnostic, by, rng: random.Random, level: float) -> None:
    version = diagnostic.version
    sheet = read_sheet(str(EXAMPLES / "caf-agence.yaml"))["answers"]
    now = timezone.now()
    answers = []
    for question_id, raw in sheet.items():
        question = version.question(question_id)
        if question is None or question.structure_field or raw is None:
            continue
        if question.type is QuestionType.TEXT:
            continue
        value = normalize_answer(question, _vary(question, raw, rng, level))
        answers.append(
            Answer(
                diagnostic=diagnostic,
                question_id=question_id,
                value=storable(value),
                updated_by=by,
                updated_at=now,
            )
        )
    for question_id, text in _texts(version, rng).items():
        answers.append(
            Answer(
                diagnostic=diagnostic,
                question_id=question_id,
                value=text,
                updated_by=by,
                updated_at=now,
            )
        )
    Answer.objects.bulk_create(answers)


def validated(structure, version, agent, manager, rng, level, moment) -> Diagnostic:
    """A diagnostic validated at `moment` (in the past): the answers are
    dated before they are locked, the diagnostic after its validation."""
    diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill_varied(diagnostic, agent, rng, level)
    diagnostic.answers.update(updated_at=moment - datetime.timedelta(hours=2))
    diagnostic.validate(by=manager, at=moment)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(
        created_at=moment - datetime.timedelta(days=7)
    )
    return diagnostic


def site_manager(code: str) -> User:
    """Each site's manager receives the campaign reminders; these accounts
    have no password (they are not for signing in to the demonstration)."""
    email = f"responsable.{code.lower()}@demo.autodiag.fr"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, first_name="Responsable", last_name=code
        )
    return user


def load(version, agent) -> None:
    """Create the sites and their diagnostics (nothing for a site that
    exists already)."""
    now = timezone.now()
    for code, name, network_name, kind, postal, department, region, level, plan in SITES:
        if Structure.objects.filter(code=code).exists():
            continue
        network, _ = Network.objects.get_or_create(name=network_name)
        structure = Structure.objects.create(
            code=code,
            name=name,
            network=network,
            typology=Typology.OPERATEUR if network_name == CNAF else Typology.COLLECTIVITE,
            structure_type=kind,
            postal_code=postal,
            department_code=department,
            region_code=region,
            contact_email=f"contact.{code.lower()}@demo.autodiag.fr",
        )
        manager = site_manager(code)
        Membership.objects.create(user=manager, structure=structure, role=Role.MANAGER)
        rng = random.Random(code)
        if plan in ("two", "old", "draft"):
            moment = now - datetime.timedelta(days=rng.randint(380, 520))
            validated(structure, version, manager, manager, rng, level - 0.06, moment)
        if plan == "two":
            moment = now - datetime.timedelta(days=rng.randint(15, 200))
            validated(structure, version, manager, manager, rng, level, moment)
        if plan == "draft":
            draft = Diagnostic.objects.start(structure, by=manager, questionnaire=version)
            fill_varied(draft, manager, rng, level)
            draft.answers.filter(
                question_id__in=[q.id for q in list(draft.version.questions())[60:]]
            ).delete()
    earlier_results(agent)


def earlier_results(by) -> None:
    """Results of 2023 and 2024 on the earlier 9-commitment version for the
    CNAF sites, imported through the same path as a file (history.py), so
    that the history shows both versions."""
    from autodiag.consolidation.history import EARLIER_VERSION, apply_results, read_results
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion

    QuestionnaireVersion.record(load_questionnaire(EARLIER_VERSION))
    if Diagnostic.objects.filter(questionnaire_id=EARLIER_VERSION).exists():
        return
    lines = [
        "code;date_validation;note_globale;" + ";".join(f"engagement_{n}" for n in range(1, 10))
    ]
    for code, *_, level, plan in SITES:
        if not code.startswith("CAF") or plan == "none":
            continue
        rng = random.Random(f"{code}-earlier")
        for year, drift in ((2023, -0.08), (2024, -0.04)):
            scores = [
                min(100, max(0, 100 * (level + drift + rng.gauss(0, 0.08)))) for _ in range(9)
            ]
            overall = sum(scores) / 9 - 1.8  # the earlier global figure was not the mean
            day = rng.randint(1, 28)
            lines.append(
                f"{code};{day:02d}/0{rng.randint(2, 6)}/{year};{overall:.1f};"
                + ";".join(f"{v:.1f}" for v in scores)
            )
    preview = read_results("\n".join(lines).encode("utf-8"), Structure.objects.all())
    if preview.is_valid:
        apply_results(preview, by)
