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
