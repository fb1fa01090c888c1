"""The layering of docs/ARCHITECTURE.md: the scoring engine and the
questionnaire format are pure Python and never import Django."""

import subprocess
import sys

PURE_MODULES = [
    "autodiag.scoring.engine",
    "autodiag.scoring.aggregate",
    "autodiag.scoring.answers",
    "autodiag.scoring.report",
    "autodiag.questionnaires.loader",
    "autodiag.questionnaires.outline",
]


def test_pure_modules_do_not_import_django():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in PURE_MODULES)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
