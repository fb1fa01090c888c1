"""PDFs of the action plan (the plan, the poster) with WeasyPrint, tagged
PDF/UA-1, set in Marianne like the reports' PDFs (`reports.pdf`), each with
a stylesheet of its own rendered with the document's context."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from autodiag.reports.pdf import PDF_VARIANT, font_faces


def render_pdf(template: str, stylesheet: str, context: dict) -> bytes:
    """The PDF bytes of an HTML template and its stylesheet template (one
    FontConfiguration for both, else WeasyPrint ignores @font-face)."""
    html = render_to_string(template, context)
    css = font_faces() + "\n" + render_to_string(stylesheet, context)
    font_config = FontConfiguration()
    document = HTML(string=html).render(
        stylesheets=[CSS(string=css, font_config=font_config)],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT)
