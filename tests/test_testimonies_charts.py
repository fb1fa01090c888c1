"""The columns of volume over time: pure geometry, no Django."""

import subprocess
import sys

from autodiag.testimonies.charts import column_chart


def test_columns_scale_to_the_largest_month():
    chart = column_chart(
        "c", "Titre", [("nov.", "2025", 2), ("déc.", "", 4), ("janv.", "2026", 0)], caption="x"
    )
    first, second, third = chart.columns
    assert second.height == 2 * first.height and third.height == 0
    assert first.y + first.height == chart.baseline
    assert first.x < second.x < third.x and third.x + third.width <= chart.width
    assert "nov. 2025\u00a0: 2" in chart.description and "déc.\u00a0: 4" in chart.description


def test_no_testimony_at_all_draws_flat_columns():
    chart = column_chart("c", "Titre", [("janv.", "2026", 0)], caption="x")
    assert chart.columns[0].height == 0


def test_the_chart_module_imports_no_django():
    code = "import sys, autodiag.testimonies.charts; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
