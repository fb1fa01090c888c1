"""Exports: opened and checked (CSV and XLSX), scope respected, large ones
built in the background with their progress."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from autodiag.consolidation import exports
from autodiag.consolidation.models import Export
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network

from .conftest import client_for
from .consolidation_helpers import (
    clear_choices_cache,
    days_ago,
    diagnostic_with_figures,
    figure_names,
    head,
    structure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_choices_cache()


@pytest.fixture
def data(version):
    names = figure_names(version)
    figures = dict.fromkeys(names, Decimal("62.5"))
    figures["commitment:1"] = Decimal("80.1234")
    inside = diagnostic_with_figures(structure("CAF1"), version, days_ago(5), figures)
    outside = diagnostic_with_figures(
        structure("PREF16", network="Intérieur", department="16", region="75"),
        version,
        days_ago(5),
        dict.fromkeys(names, Decimal(10)),
    )
    cnaf = Network.objects.get(name="CNAF")
    return {"head": head("t@t.fr", ScopeKind.NETWORK, cnaf), "inside": inside, "outside": outside}


def post(client, **fields):
    return client.post(reverse("consolidation:exports"), fields)


def test_structures_csv_one_row_per_diagnostic_within_scope(data):
    response = post(
        client_for(data["head"]), contenu="structures", format="csv", variante="technique"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["code", "structure", "reseau"]
    assert {
        "note_globale",
        "engagement_1",
        "canal_telephone",
        "thematique_1_accueil-physique",
    } <= set(header)
    assert len(body) == 1 and body[0][0] == "CAF1"  # never the other network's structure
    row = dict(zip(header, body[0], strict=True))
    assert row["engagement_1"] == "80,1234" and row["note_globale"] == "62,5000"


def test_xlsx_opens_with_numbers(data):
    response = post(
        client_for(data["head"]), contenu="structures", format="xlsx", variante="technique"
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert len(rows) == 2 and rows[1][0] == "CAF1"
    assert rows[1][header.index("engagement_1")] == pytest.approx(80.1234)


def test_consolidated_table_export(data):
    response = post(
        client_for(data["head"]), contenu="consolidated", format="xlsx", variante="technique"
    )
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(
            values_only=True
        )
    )
    header = list(rows[0])
    assert header == exports.CONSOLIDATED_COLUMNS
    # Read-only openpyxl drops empty cells at the end of a row.
    padded = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    by_key = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in padded}
    commitment = by_key[("engagement", "1")]
    assert commitment["diagnostics"] == 1 and commitment["moyenne"] == pytest.approx(80.1234)
    # The national mean includes the other network.
    assert commitment["moyenne_nationale"] == pytest.approx((80.1234 + 10) / 2)
    assert ("taux consolidé", None) in by_key


def test_large_exports_are_built_in_the_background(data, settings, monkeypatch, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    monkeypatch.setattr(exports, "SYNC_LIMIT", 0)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    client = client_for(data["head"])
    response = post(client, contenu="structures", format="csv", diagnostics="tous")
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == Export.DONE and export.total == 1 and export.percent == 100
    page = client.get(reverse("consolidation:exports")).content.decode()
    assert "Prêt" in page and reverse("consolidation:export_download", args=[export.pk]) in page
    assert (tmp_path / export.path).exists()  # in the shared storage, not a server's folder
    download = client.get(reverse("consolidation:export_download", args=[export.pk]))
    assert b"CAF1" in b"".join(download.streaming_content)
    # Nobody else downloads it.
    other = head("autre@t.fr", ScopeKind.NATIONAL)
    assert (
        client_for(other)
        .get(reverse("consolidation:export_download", args=[export.pk]))
        .status_code
        == 404
    )


def test_export_choices_are_checked(data):
    client = client_for(data["head"])
    response = post(client, contenu="tout", format="pdf")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Choisissez le contenu de l’export." in page


# -- formula injection (issue 12, finding 3) ------------------------------------

HOSTILE_NAMES = ['=HYPERLINK("http://x.test","clic")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_structure_names_never_become_formulas(data, name):
    data["inside"].structure.__class__.objects.filter(pk=data["inside"].structure_id).update(
        name=name
    )
    client = client_for(data["head"])
    text = post(client, contenu="structures", format="csv").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][1] == "'" + name  # shown as text by spreadsheets
    workbook = load_workbook(io.BytesIO(post(client, contenu="structures", format="xlsx").content))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert workbook.active["B2"].value == name  # the name itself, as a string


def test_spreadsheet_cells():
    from autodiag.spreadsheet import csv_text

    assert csv_text("\tcalc") == "'\tcalc" and csv_text("\r=1") == "'\r=1"
    assert csv_text("CAF du Rhône") == "CAF du Rhône" and csv_text("") == ""


# -- the readable variant (the default) ----------------------------------------------


def test_readable_xlsx_french_headers_one_decimal_frozen_filtered_described(data):
    response = post(client_for(data["head"]), contenu="structures", format="xlsx")
    assert "technique" not in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Résultats par structure", "Colonnes"]
    sheet = workbook["Résultats par structure"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Code Services Publics+", "Structure", "Réseau ou opérateur", "Typologie"]
    assert "Note globale (%)" in header and "Engagement 1 (%)" in header
    assert "Canal : Téléphone et visioconférence (%)" in header
    assert "Engagement 1 — Accueil physique (%)" in header
    assert not any("_" in name for name in header)  # no technical name left
    row = [cell for cell in sheet[2]]
    commitment = row[header.index("Engagement 1 (%)")]
    assert commitment.value == pytest.approx(80.1)  # 80,1234 % to one decimal
    assert commitment.number_format == "0.0"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}2"
    described = {r[0]: r for r in workbook["Colonnes"].iter_rows(min_row=2, values_only=True)}
    assert set(described) == set(header)
    assert described["Engagement 1 (%)"][2] == "engagement_1"
    assert "Taux d’atteinte de l’engagement 1" in described["Engagement 1 (%)"][1]


def test_readable_consolidated_xlsx_rounds_half_up(data):
    response = post(client_for(data["head"]), contenu="consolidated", format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Vision consolidée"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in exports.CONSOLIDATED]
    by_key = {(r[0], r[1]): r for r in rows[1:]}
    commitment = by_key[("engagement", "1")]
    assert commitment[5] == pytest.approx(80.1)
    assert commitment[10] == pytest.approx(45.1)  # (80,1234 + 10) / 2 = 45,0617


def test_readable_csv_reads_back_in_a_french_spreadsheet(data):
    response = post(client_for(data["head"]), contenu="structures", format="csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # the BOM: read as UTF-8
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Code Services Publics+" and "Validé le" in header
    row = dict(zip(header, body[0], strict=True))
    assert row["Engagement 1 (%)"] == "80,1" and row["Note globale (%)"] == "62,5"
    day, month, year = row["Validé le"].split("/")
    assert len(day) == 2 and len(month) == 2 and len(year) == 4


def test_the_exports_page_explains_columns_itself(data):
    page = client_for(data["head"]).get(reverse("consolidation:exports")).content.decode()
    assert "docs/exports.md" not in page
    assert "Les colonnes des fichiers" in page
    assert "Moyenne de la période précédente (%)" in page and "moyenne_periode_precedente" in page
    assert "Engagement 1 (%)" in page
    assert 'name="variante" value="technique"' in page
