"""PDFs with WeasyPrint: tagged PDF/UA-1 documents in French, set in
Marianne (from django-dsfr's static files, never a copy of ours), falling
back to Arial.

WeasyPrint ignores `@font-face` unless the same `FontConfiguration` is
given to `CSS()` and `write_pdf()` (STACK-NOTES), hence one pair per render.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

PDF_VARIANT = "pdf/ua-1"
# (file in dsfr/dist/fonts/, weight, style)
MARIANNE = (
    ("Marianne-Regular", 400, "normal"),
    ("Marianne-Regular_Italic", 400, "italic"),
    ("Marianne-Medium", 500, "normal"),
    ("Marianne-Bold", 700, "normal"),
    ("Marianne-Bold_Italic", 700, "italic"),
)


def font_faces() -> str:
    """`@font-face` rules for the Marianne files django-dsfr installs; none
    if they are missing (the text then falls back to Arial)."""
    rules = []
    for name, weight, style in MARIANNE:
        path = finders.find(f"dsfr/dist/fonts/{name}.woff2")
        if path:
            rules.append(
                f'@font-face {{ font-family: "Marianne"; src: url("{Path(path).as_uri()}") '
                f'format("woff2"); font-weight: {weight}; font-style: {style}; }}'
            )
    return "\n".join(rules)


def render_document(template: str, context: dict):
    """The laid-out WeasyPrint document of an HTML template (which links no
    stylesheet: the print stylesheet `reports/pdf/print.css` is rendered
    with the same context)."""
    html = render_to_string(template, context)
    stylesheet = font_faces() + "\n" + render_to_string("reports/pdf/print.css", context)
    font_config = FontConfiguration()
    return HTML(string=html).render(
        stylesheets=[CSS(string=stylesheet, font_config=font_config)],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
    )


def render_pdf(template: str, context: dict) -> bytes:
    """The PDF bytes of `render_document` (WeasyPrint wants the variant
    again when writing: the tags are made then)."""
    return render_document(template, context).write_pdf(pdf_variant=PDF_VARIANT)
