"""Helpers to build diagnostics at chosen dates and to read PDFs back
without adding a dependency (zlib from the standard library; poppler's
`pdftotext` when the machine has it)."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import zlib

from django.utils import timezone

from autodiag.diagnostics.models import Diagnostic

from .conftest import example_answers, fill


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def backdate(diagnostic: Diagnostic, days: int) -> Diagnostic:
    """Move a draft's start `days` into the past; returns it refreshed (a
    validated diagnostic's date cannot move: validate it with `at=`)."""
    Diagnostic.objects.filter(pk=diagnostic.pk).update(created_at=_days_ago(days))
    diagnostic.refresh_from_db()
    return diagnostic


def validated_diagnostic(structure, version, agent, manager, answers=None, days_ago=0):
    """A diagnostic filled with `answers` (the CAF example by default),
    validated by `manager`, `days_ago` days ago."""
    diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill(diagnostic, agent, answers or example_answers())
    if not days_ago:
        diagnostic.validate(by=manager)
        return diagnostic
    diagnostic.validate(by=manager, at=_days_ago(days_ago))
    return backdate(diagnostic, days_ago)


def pdf_streams(pdf: bytes) -> bytes:
    """Every stream of a PDF, inflated and joined: WeasyPrint compresses the
    catalog (object streams) and the XMP metadata, where the PDF/UA marks
    (`/StructTreeRoot`, `pdfuaid:part`) and the title live."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            inflated.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def pdf_pages_text(pdf: bytes) -> list[str] | None:
    """The text of each page (margin boxes included), or None when
    poppler's `pdftotext` is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
