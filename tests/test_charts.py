"""The bar charts: geometry (pure Python, no database), the SVG partial and
its table, and the same partial in WeasyPrint."""

import re
import subprocess
import sys

import pytest
from django.template.loader import render_to_string

from autodiag.reports.charts import (
    FONT_SIZE,
    MAX_LABEL_LINES,
    WIDTH,
    Datum,
    bar_chart,
    wrap_label,
)

from .factories import pdf_streams

NBSP = "\u00a0"
LONG = (
    "Dans le respect mutuel, vous êtes accueillis avec bienveillance et avez le droit "
    "à l’erreur (dans les conditions prévues par la loi)"
)


def chart(*data):
    return bar_chart(
        "graphique-test",
        "Taux d’atteinte par engagement",
        list(data),
        caption="Taux d’atteinte par engagement",
        label_header="Engagement",
        extra_headers=("Points",),
    )


def test_bars_are_proportional_to_the_figures():
    c = chart(
        Datum("Zéro", 0, f"0{NBSP}%"),
        Datum("Moitié", 50, f"50{NBSP}%"),
        Datum("Tout", 100, f"100{NBSP}%"),
        Datum("Au-delà", 130, "?"),  # never happens: clamped anyway
        Datum("Rien", None, "non évalué"),
    )
    widths = [row.bar_width for row in c.rows]
    assert widths[0] == 0
    assert widths[1] == pytest.approx(c.plot_width / 2, abs=0.1)
    assert widths[2] == pytest.approx(c.plot_width, abs=0.1)
    assert widths[3] == pytest.approx(c.plot_width, abs=0.1)
    assert widths[4] == 0 and not c.rows[4].evaluated and c.rows[1].evaluated


def test_marks_at_0_50_and_100_percent_with_their_labels():
    c = chart(Datum("A", 40, f"40{NBSP}%"))
    assert [(m.percent, m.label, m.anchor) for m in c.gridlines] == [
        (0, f"0{NBSP}%", "start"),
        (50, f"50{NBSP}%", "middle"),
        (100, f"100{NBSP}%", "end"),
    ]
    left, middle, right = (m.x for m in c.gridlines)
    assert left == c.plot_x
    assert middle == pytest.approx(c.plot_x + c.plot_width / 2, abs=0.1)
    assert right == pytest.approx(c.plot_x + c.plot_width, abs=0.1)
    row = c.rows[0]
    assert row.mark_top < row.bar_y < row.bar_y + c.bar_height < row.mark_bottom


def test_rows_labels_and_figures_never_overlap():
    c = chart(*(Datum(f"{n}. {LONG}", 10.0 * n, f"{10 * n}{NBSP}%") for n in range(1, 9)))
    previous_bottom = 0.0
    for row in c.rows:
        assert row.lines[0].y - FONT_SIZE >= previous_bottom - 0.1  # below the previous row
        assert row.lines[-1].y < row.mark_top  # the label above its bar
        assert row.bar_y < row.value_y < row.bar_y + c.bar_height + FONT_SIZE / 2
        previous_bottom = row.mark_bottom
    assert c.plot_x + c.plot_width < c.value_x < c.width - FONT_SIZE * 5  # room for "non évalué"
    assert c.axis_y > previous_bottom and c.height > c.axis_y


def test_long_labels_wrap_within_the_width():
    lines = wrap_label(LONG)
    assert 1 < len(lines) <= MAX_LABEL_LINES
    assert " ".join(lines) == LONG
    per_line = int(WIDTH / (FONT_SIZE * 0.56))
    assert all(len(line) <= per_line for line in lines)


def test_too_long_labels_end_with_an_ellipsis():
    lines = wrap_label(" ".join([LONG] * 3))
    assert len(lines) == MAX_LABEL_LINES and lines[-1].endswith("…")


def test_the_description_reads_every_figure():
    c = chart(Datum("Accueil physique", 75, f"75{NBSP}%"), Datum("Courrier", None, "non évalué"))
    assert f"Accueil physique{NBSP}: 75{NBSP}%" in c.description
    assert f"Courrier{NBSP}: non évalué" in c.description
    assert "tableau" in c.description


def test_the_geometry_module_does_not_import_django():
    code = (
        "import sys, autodiag.reports.charts\n"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# -- the partial ------------------------------------------------------------------------


@pytest.fixture
def rendered():
    c = chart(
        Datum("1. Accueil", 83.63636, f"83,6{NBSP}%", ("18,4 / 22",)),
        Datum("2. Contact", 12.5, f"12,5{NBSP}%", ("2,5 / 20",)),
        Datum("3. Rien", None, "non évalué", ("—",)),
    )
    return c, render_to_string("reports/_bar_chart.html", {"chart": c})


def test_the_svg_is_an_accessible_image_without_style_or_script(rendered):
    c, html = rendered
    svg = re.search(r"<svg.*?</svg>", html, re.S)[0]
    assert 'role="img"' in svg
    assert f'aria-labelledby="{c.title_id} {c.desc_id}"' in svg
    assert f'<title id="{c.title_id}">Taux d’atteinte par engagement</title>' in svg
    assert f'<desc id="{c.desc_id}">' in svg
    assert 'font-family="Marianne, arial, sans-serif"' in svg
    assert "<style" not in svg and "<script" not in svg and " style=" not in svg
    assert 'fill="#000091"' in svg  # blue France bars
    assert svg.count('fill="#000091"') == 2  # no bar for "non évalué"


def test_coordinates_are_written_with_a_dot_whatever_the_language(rendered, settings):
    settings.LANGUAGE_CODE = "fr-fr"
    c, html = rendered
    bar = c.rows[0].bar_width
    assert f'width="{bar}"' in html and "," not in str(bar)
    for number in re.findall(r' (?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', html):
        assert re.fullmatch(r"-?\d+(\.\d+)?%?", number), number


def test_the_table_holds_the_same_figures(rendered):
    c, html = rendered
    svg, table = html.split("</svg>")
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len(rows) == 1 + len(c.rows)
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', rows[0]) == [
        "Engagement",
        "Taux d’atteinte",
        "Points",
    ]
    for datum, row in zip((r.datum for r in c.rows), rows[1:], strict=True):
        cells = [cell.strip(" \n") for cell in re.findall(r">([^<]+)</t[hd]>", row)]
        assert cells == [datum.label, datum.display, *datum.cells]
        assert datum.display in svg
    assert f'<caption id="{c.id}-tableau">' in table


def test_the_partial_renders_in_weasyprint_as_a_tagged_figure(rendered):
    from weasyprint import HTML

    _, html = rendered
    page = f'<html lang="fr"><head><title>Graphique</title></head><body>{html}</body></html>'
    pdf = HTML(string=page).write_pdf(pdf_variant="pdf/ua-1")
    streams = pdf_streams(pdf)
    assert b"/S /Figure" in streams
    assert b"/Alt" in streams
