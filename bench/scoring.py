"""Benchmark: scoring one full 2026 diagnostic, median µs per diagnostic on
one core, against a baseline measured in the same run.

The baseline is the least any scorer must do: one pure-Python pass over the
same answers summing a number per question. The engine's figure is given as
a ratio to it, so that the result reads the same on a faster or slower
machine. Figures and machine: docs/BENCHMARKS.md.

    make bench            # or: .venv/bin/python bench/scoring.py [--runs N]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from autodiag.cli import read_sheet
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.scoring.answers import parse_answer_sheet
from autodiag.scoring.engine import score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["caf-agence", "prefecture-accueil", "mairie"]


def median_us(function, runs: int, repeat: int = 7) -> float:
    """Median over `repeat` batches of the per-call time in µs."""
    batches = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        for _ in range(runs):
            function()
        batches.append((time.perf_counter_ns() - start) / runs / 1000)
    return statistics.median(batches)


def baseline(answers: dict):
    # One pass, one lookup and one addition per answer: the floor.
    total = 0.0
    for value in answers.values():
        total += len(value) if isinstance(value, dict | frozenset) else 1.0
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    questionnaire = load_questionnaire("sp-plus-2026")
    rows = []
    for name in EXAMPLES:
        sheet = read_sheet(str(ROOT / "examples" / f"{name}.yaml"))
        answers = parse_answer_sheet(questionnaire, sheet["answers"])
        score(questionnaire, answers)  # compile the plan once, as a server would
        base = median_us(lambda answers=answers: baseline(answers), args.runs)
        engine = median_us(lambda answers=answers: score(questionnaire, answers), args.runs)
        full = median_us(
            lambda sheet=sheet: score(
                questionnaire, parse_answer_sheet(questionnaire, sheet["answers"])
            ),
            args.runs // 4,
        )
        rows.append(
            {
                "sheet": name,
                "answers": len(answers),
                "baseline_us": round(base, 2),
                "score_us": round(engine, 1),
                "ratio": round(engine / base, 1),
                "parse_and_score_us": round(full, 1),
            }
        )
    print(
        f"Python {platform.python_version()} on {platform.machine()}, one core, {args.runs} runs x 7"
    )
    print(
        f"{'feuille':<20}{'réponses':>9}{'base µs':>10}{'score µs':>10}{'ratio':>8}{'lecture+score µs':>18}"
    )
    for row in rows:
        print(
            f"{row['sheet']:<20}{row['answers']:>9}{row['baseline_us']:>10}{row['score_us']:>10}"
            f"{row['ratio']:>8}{row['parse_and_score_us']:>18}"
        )
    worst = max(row["score_us"] for row in rows)
    target = 100
    print(f"\nmédiane la plus lente : {worst} µs par diagnostic (cible ≤ {target} µs)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scoring.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if worst <= target else 1


if __name__ == "__main__":
    sys.exit(main())
