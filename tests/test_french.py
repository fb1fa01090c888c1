"""French wording: one pluralisation helper (0 and 1 singular), digits
grouped with a narrow no-break space, and the admin in French."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from autodiag import french
from autodiag.structures.enums import ScopeKind

from .conftest import client_for
from .consolidation_helpers import head

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 structure"), (1, "1 structure"), (2, "2 structures"), (10_000, "10 000 structures")],
)
def test_counts_agree_in_french(number, expected):
    assert french.count(number, "structure").replace(NBSP, " ").replace(NNBSP, " ") == expected


def test_digits_are_grouped_by_narrow_no_break_spaces():
    assert french.group_digits(10_000) == f"10{NNBSP}000"
    assert french.group_digits(1_234_567) == f"1{NNBSP}234{NNBSP}567"
    assert french.group_digits(2026) == "2026"  # a year is never split
    assert french.count(10_000, "caractère") == f"10{NNBSP}000{NBSP}caractères"


def test_two_forms_and_irregular_plurals():
    assert french.count_words(1, "structure relancée|structures relancées").endswith(
        "structure relancée"
    )
    assert french.count(3, "réseau", "réseaux").endswith("réseaux")
    assert french.suffix(0) == "" and french.suffix(1) == "" and french.suffix(2) == "s"
    assert french.suffix(1, "a,ont") == "a" and french.suffix(5, "a,ont") == "ont"
    assert french.suffix(1.5) == ""  # « 1,5 point »


def test_template_filters_use_the_french_rule():
    rendered = Template(
        "{{ zero }} structure{{ zero|pluriel }} · {{ one|nombre:'question renseignée|questions "
        "renseignées' }} · {{ many|nombre:'structure' }} · {{ many|chiffres }}"
    ).render(Context({"zero": 0, "one": 1, "many": 10_000}))
    assert rendered.replace(NBSP, " ").replace(NNBSP, " ") == (
        "0 structure · 1 question renseignée · 10 000 structures · 10 000"
    )


def test_templates_no_longer_use_the_english_pluralize():
    from pathlib import Path

    templates = Path(__file__).parent.parent / "autodiag" / "templates"
    offenders = [p.name for p in templates.rglob("*.html") if "|pluralize" in p.read_text()]
    assert offenders == []


def test_the_admin_speaks_french(db):
    client = client_for(head("admin@ditp.test", ScopeKind.NATIONAL))
    add_page = client.get("/admin/audits/audit/add/").content.decode()
    assert "Ajout de audit" not in add_page and "Ajout : audit du label" in add_page
    index = client.get("/admin/").content.decode()
    assert "Task Results" not in index and "Résultats de tâches" in index
    assert "Tasks Database Backend" not in index and "Tâches en arrière-plan" in index
    assert "relances de campagne" in index.lower()


def test_constraint_errors_are_french_sentences(db, version):
    from autodiag.audits.models import Audit

    audit = Audit(
        starts_on=datetime.date(2026, 3, 10),
        ends_on=datetime.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        audit.validate_constraints()
    text = " ".join(error.value.messages)
    assert "audit_period_in_order" not in text
    assert "La fin de la période d’accès précède son début." in text
