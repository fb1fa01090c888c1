from pathlib import Path

import pytest

from autodiag.questionnaires.loader import load_questionnaire
from autodiag.scoring.answers import parse_answer_sheet
from autodiag.scoring.engine import score

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def mini():
    return load_questionnaire(DATA / "mini.yaml")


@pytest.fixture(scope="session")
def sp2026():
    return load_questionnaire("sp-plus-2026")


# A full, valid profile of the mini questionnaire: every channel, an IVR.
MINI_PROFILE = {
    "nom": "Agence test",
    "canaux": ["accueil", "telephone", "courriel"],
    "typologie": "etat",
    "svi": "oui",
}


def mini_report(questionnaire, **answers):
    raw = {**MINI_PROFILE, **answers}
    raw = {key.replace("_", "-"): value for key, value in raw.items() if value is not None}
    return score(questionnaire, parse_answer_sheet(questionnaire, raw))


# -- personas of the web app ---------------------------------------------------
# The team of a CAF agency: its manager (validates), an agent (teammate), and an
# outsider, member of another structure.

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background work (e-mails, large exports) runs inside the test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def version(db):
    from autodiag.questionnaires.models import QuestionnaireVersion

    return QuestionnaireVersion.record(load_questionnaire("sp-plus-2026"))[0]


def make_structure(code, name, network_name="CNAF"):
    from autodiag.structures.models import Network, Structure

    network, _ = Network.objects.get_or_create(name=network_name)
    return Structure.objects.create(
        code=code,
        name=name,
        network=network,
        typology="operateur",
        department_code="69",
        region_code="84",
    )


def make_member(email, structure, role, first_name="Prénom", last_name="Nom"):
    from autodiag.accounts.models import User
    from autodiag.structures.models import Membership

    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    Membership.objects.create(user=user, structure=structure, role=role)
    return user


@pytest.fixture
def structure(db):
    return make_structure("CAF69TEST", "CAF du Rhône — agence test")


@pytest.fixture
def other_structure(db):
    return make_structure("PREF16TEST", "Préfecture de la Charente — accueil", "Intérieur")


@pytest.fixture
def manager(structure):
    return make_member("responsable@caf.test", structure, "manager", "Dominique", "Bernard")


@pytest.fixture
def agent(structure):
    return make_member("agent@caf.test", structure, "agent", "Camille", "Martin")


@pytest.fixture
def outsider(other_structure):
    return make_member("agent@prefecture.test", other_structure, "manager", "Sacha", "Durand")


def example_answers(name="caf-agence"):
    from autodiag.cli import read_sheet

    return read_sheet(str(ROOT / "examples" / f"{name}.yaml"))["answers"]


def fill(diagnostic, user, answers=None, skip=()):
    for question_id, value in (answers or example_answers()).items():
        identity = question_id.startswith("structure-")  # recorded from the referential
        if value is not None and question_id not in skip and not identity:
            diagnostic.save_answer(question_id, value, user)


@pytest.fixture
def draft(structure, version, agent):
    from autodiag.diagnostics.models import Diagnostic

    return Diagnostic.objects.start(structure, by=agent, questionnaire=version)


@pytest.fixture
def validated(draft, agent, manager):
    fill(draft, agent)
    draft.validate(by=manager)
    return draft


def validated_days_ago(draft, agent, manager, days: int):
    """The draft filled with the example and validated `days` ago (the
    database keeps a validation's date once written)."""
    import datetime

    from django.utils import timezone

    fill(draft, agent)
    draft.validate(by=manager, at=timezone.now() - datetime.timedelta(days=days))
    return draft


def validated_with_frozen_report(draft, agent, manager, edit):
    """The draft filled with the example and validated, its frozen report
    passed through `edit(report_json)` before it is written: a report the
    engine would not produce today (the database refuses changing a frozen
    report afterwards)."""
    from unittest import mock

    from autodiag.scoring.report import Report

    to_json = Report.to_json

    def edited(report):
        frozen = to_json(report)
        edit(frozen)
        return frozen

    fill(draft, agent)
    with mock.patch.object(Report, "to_json", edited):
        draft.validate(by=manager)
    return draft


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client
