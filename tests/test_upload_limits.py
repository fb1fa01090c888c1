"""Uploads cost the server a bounded amount (issue 12, finding 5): size,
rows, columns, unzipped size of an XLSX, reading time; unconfirmed uploads
are deleted after a delay. Each bound gets a French fault, never a 500."""

import datetime
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from autodiag.structures.imports import purge_unconfirmed_uploads
from autodiag.structures.referential import ReadingLimits, read_referential

from .conftest import client_for
from .test_import_pages import GOOD, HEADER, local_storage, network_head, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(tmp_path):
    with local_storage(tmp_path):
        yield


def xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER.strip().split(";"))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_bytes(client, data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(reverse("structures:import"), {"file": file})


@override_settings(IMPORT_MAX_ROWS=50)
def test_rows_past_the_limit_stop_the_reading(network_head):  # noqa: F811
    rows = [[f"C{n}", "Nom", "CNAF", "operateur", "69", "69000", ""] for n in range(5000)]
    response = upload_bytes(client_for(network_head), xlsx(rows), "gros.xlsx")
    assert response.status_code == 400
    assert "le fichier dépasse 50 lignes" in response.content.decode()


@override_settings(IMPORT_MAX_XLSX_EXPANDED_MB=1)
def test_an_xlsx_that_unzips_huge_is_refused_before_reading(network_head):  # noqa: F811
    data = xlsx([["X1", "A" * 30_000, "CNAF", "operateur", "69", "69000", ""]] * 100)
    assert len(data) < 100_000  # small on the wire
    response = upload_bytes(client_for(network_head), data, "bombe.xlsx")
    assert response.status_code == 400
    assert "trop volumineux une fois décompressé" in response.content.decode()


def test_a_csv_cell_past_the_csv_limit_is_a_fault(network_head):  # noqa: F811
    text = HEADER + "X1;" + "N" * 200_000 + ";CNAF;operateur;69;69000;\n"
    response = upload(client_for(network_head), text)
    assert response.status_code == 400
    assert "ligne illisible" in response.content.decode()


@override_settings(IMPORT_MAX_MB=1)
def test_a_file_past_the_size_limit_is_refused(network_head):  # noqa: F811
    response = upload(client_for(network_head), GOOD + "#" * 1_100_000)
    assert response.status_code == 400
    assert "Le fichier dépasse 1 Mo" in response.content.decode()


def test_the_reading_time_is_bounded():
    lines = "".join(f"C{n};Nom;CNAF;operateur;69;69000;\n" for n in range(3000))
    limits = ReadingLimits(max_rows=100_000, max_seconds=0)
    preview = read_referential((HEADER + lines).encode(), "r.csv", limits=limits)
    assert any("lecture arrêtée après 0 secondes" in fault.message for fault in preview.faults)


def test_a_wide_xlsx_reads_only_its_first_columns():
    wide = ["C1", "Nom", "CNAF", "operateur", "69", "69000", "", *(["x"] * 5000)]
    limits = ReadingLimits(max_rows=10, max_seconds=10, max_columns=20)
    preview = read_referential(xlsx([wide]), "large.xlsx", limits=limits)
    assert preview.is_valid and preview.lines == 1


def test_unconfirmed_uploads_are_purged_after_a_delay(network_head, tmp_path):  # noqa: F811
    upload(client_for(network_head), GOOD)
    _, names = default_storage.listdir("imports")
    assert len(names) == 1
    assert purge_unconfirmed_uploads() == 0  # still fresh
    old = (timezone.now() - datetime.timedelta(hours=25)).timestamp()
    os.utime(default_storage.path(f"imports/{names[0]}"), (old, old))
    assert purge_unconfirmed_uploads() == 1
    assert default_storage.listdir("imports")[1] == []
