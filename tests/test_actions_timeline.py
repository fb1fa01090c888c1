"""The timeline's geometry (pure Python, no database), the proposals drawn
from a report, and the themes of a version."""

import datetime
import subprocess
import sys
from fractions import Fraction

import pytest

from autodiag.actions import timeline
from autodiag.actions.proposals import points_words, proposal_for, weakest_themes
from autodiag.actions.themes import commitments_with_themes, parse_theme_key, theme_key
from autodiag.scoring.answers import parse_answer_sheet
from autodiag.scoring.engine import score
from autodiag.scoring.formatting import format_percent

from .conftest import example_answers

D = datetime.date


def item(label="n° 1 · Action", start=None, end=None, **kw):
    start, end = start or D(2026, 1, 10), end or D(2026, 3, 20)
    values = {
        "kind": "in_progress",
        "state": "En cours · 40 %",
        "late": False,
        "progress": 40,
        "description": f"{label} : du … au …",
    }
    values.update(kw)
    return timeline.Item(label=label, start=start, end=end, **values)


def chart(items, today=None):
    return timeline.timeline(
        "frise",
        "Frise",
        items,
        today or D(2026, 2, 15),
        caption="c",
        label_header="Action",
        headers=("État",),
    )


def test_the_timeline_module_does_not_import_django():
    code = (
        "import sys, autodiag.actions.timeline, autodiag.actions.themes\n"
        "print(','.join(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_months_cover_the_range_whole():
    assert timeline.months_between(D(2025, 11, 20), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_bars_sit_on_the_calendar():
    result = chart([item(start=D(2026, 1, 1), end=D(2026, 1, 31))], today=D(2026, 2, 15))
    # January and February: 59 days over the plot's width.
    row = result.rows[0]
    assert row.bar_x == pytest.approx(result.plot_x, abs=0.1)
    assert row.bar_width == pytest.approx(result.plot_width * 31 / 59, abs=0.2)
    assert row.progress_width == pytest.approx(row.bar_width * 0.4, abs=0.2)
    assert [t.label for t in result.ticks] == ["janv.\u00a02026", "févr."]
    assert result.today_x == pytest.approx(
        result.plot_x + result.plot_width * (31 + 14.5) / 59, abs=0.2
    )


def test_today_extends_the_range():
    result = chart([item(start=D(2026, 1, 1), end=D(2026, 1, 31))], today=D(2026, 6, 3))
    assert [t.label.split("\u00a0")[0] for t in result.ticks] == [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
    ]
    assert result.today_x > result.rows[0].bar_x + result.rows[0].bar_width


def test_long_ranges_name_every_other_month_or_less():
    result = chart([item(start=D(2025, 1, 1), end=D(2026, 12, 31))], today=D(2025, 6, 1))
    named = [t for t in result.ticks if t.label]
    assert len(result.ticks) == 24 and len(named) == 12
    assert named[0].label == "janv.\u00a02025" and "2026" in named[6].label


def test_late_and_done_styles_and_no_colour_alone():
    late = item(late=True, state="En retard · 40 %")
    done = item(kind="done", state="Réalisée", progress=100)
    result = chart([late, done])
    late_row, done_row = result.rows
    assert late_row.stroke == timeline.RED and late_row.state_colour == timeline.RED
    assert late_row.state_weight == "700"
    assert done_row.fill == timeline.GREEN and done_row.progress_width == 0
    # The state is written in words at the end of each row, whatever the colour.
    assert [r.item.state for r in result.rows] == ["En retard · 40 %", "Réalisée"]


def test_labels_wrap_on_two_lines_at_most():
    long = item(label="n° 1 · " + "mot " * 120)
    row = chart([long]).rows[0]
    assert len(row.lines) == 2 and row.lines[-1].text.endswith("…")


def test_rows_stack_without_overlap():
    result = chart([item(), item(label="n° 2 · Une autre action"), item(label="n° 3 · Encore")])
    for upper, lower in zip(result.rows, result.rows[1:], strict=False):
        assert lower.lines[0].y > upper.bar_y + result.bar_height
    assert result.height > result.rows[-1].bar_y + result.bar_height


def test_a_one_day_action_stays_visible():
    row = chart([item(start=D(2026, 2, 1), end=D(2026, 2, 1))]).rows[0]
    assert row.bar_width >= 3


def test_the_description_names_every_action():
    result = chart([item(description="n° 1 en cours"), item(description="n° 2 réalisée")])
    assert "n° 1 en cours ; n° 2 réalisée" in result.description
    assert "tableau qui suit" in result.description


# -- themes and proposals ------------------------------------------------------------


def test_themes_of_each_commitment(sp2026):
    themes = {c.number: c for c in commitments_with_themes(sp2026)}
    assert len(themes) == 8
    assert [t.section_id for t in themes[5].themes] == ["courrier-courriel", "clarte", "formations"]
    assert themes[5].theme("clarte").title == "Clarté de l’information"
    assert theme_key(5, "clarte") == "5:clarte" and parse_theme_key("5:clarte") == (5, "clarte")
    assert parse_theme_key("8:") == (8, "") and parse_theme_key("x:y") is None


@pytest.fixture(scope="module")
def caf(sp2026):
    answers = parse_answer_sheet(sp2026, example_answers())
    return score(sp2026, answers).to_json(), answers


def test_the_themes_where_most_is_at_stake_come_first(sp2026, caf):
    report, answers = caf
    proposals = weakest_themes(report, sp2026, answers)
    # Not the tiny « Formations » themes at 25 % (0,25 of 1 point): the
    # themes whose lost points weigh most in the global rate.
    assert [(p.commitment, p.section_id, p.display) for p in proposals] == [
        (5, "clarte", "61,1\u00a0%"),
        (8, "eco-responsabilite", "69,2\u00a0%"),
        (7, "amelioration-continue", "74,5\u00a0%"),
    ]
    # 3,5 points lost of commitment 5's 11, one of 8 commitments: 3,98 points.
    assert proposals[0].global_gain == Fraction(100) * Fraction(7, 2) / 11 / 8
    assert proposals[0].reason == (
        "Proposée pour ce qui est en jeu : 3,5\u00a0points à gagner sur les 11\u00a0points "
        "de l’engagement 5 (à 59,1\u00a0%), soit jusqu’à 4\u00a0points de taux d’atteinte "
        "global, chaque engagement comptant pour le même poids."
    )
    assert proposals[0].reason in proposals[0].problem("12 mars 2026")
    gains = [p.global_gain for p in weakest_themes(report, sp2026, answers, count=100)]
    assert gains == sorted(gains, reverse=True)


def with_theme(report, number, section, points, maximum):
    """The report with one theme's figures replaced, its commitment's
    totals following."""
    commitments = []
    for c in report["commitments"]:
        if c["number"] == number:
            themes = [
                {**t, "points": points, "max_points": maximum, "score": 100 * points / maximum}
                if t["section"] == section
                else t
                for t in c["themes"]
            ]
            total = sum(t["points"] for t in themes)
            top = sum(t["max_points"] for t in themes)
            c = {**c, "themes": themes, "points": total, "max_points": top}
            c["score"] = 100 * total / top
            c["display"] = format_percent(Fraction(total).limit_denominator(1000) / top)
        commitments.append(c)
    return {**report, "commitments": commitments}


def test_a_weak_commitment_s_theme_comes_before_a_one_point_theme(sp2026, caf):
    # As in the demo: commitment 7 at about 40 % on 14 points, and themes of
    # 1 point at 25 % (« Formations », « Accueil téléphonique »).
    report, answers = caf
    report = with_theme(report, 7, "amelioration-continue", 5, 13)
    report = with_theme(report, 7, "formations", 0.25, 1)
    report = with_theme(report, 3, "accueil-telephonique", 0.25, 1)
    seventh = next(c for c in report["commitments"] if c["number"] == 7)
    assert round(seventh["score"], 1) == 37.5 and seventh["max_points"] == 14
    proposals = weakest_themes(report, sp2026, answers, count=100)
    order = [(p.commitment, p.section_id) for p in proposals]
    first = order.index((7, "amelioration-continue"))
    assert first == 0
    one_point = [
        i for i, p in enumerate(proposals) if p.max_points == 1 and p.display == "25\u00a0%"
    ]
    assert one_point and all(first < i for i in one_point)
    assert "de l’engagement 7 (à 37,5\u00a0%)" in proposals[0].reason


def test_a_proposal_quotes_the_questions_that_lost_most(sp2026, caf):
    report, answers = caf
    clarity = proposal_for(report, sp2026, 5, "clarte", answers)
    assert clarity.points == Fraction(11, 2) and clarity.max_points == 9
    assert len(clarity.questions) == 3
    assert all(q.lost == Fraction(3, 4) for q in clarity.questions)
    problem = clarity.problem("12 mars 2026")
    assert problem.startswith(
        "Au diagnostic validé le 12 mars 2026, la thématique « Clarté de l’information » de "
        "l’engagement 5 atteint 61,1\u00a0% (5,5 sur 9\u00a0points)."
    )
    assert "0,75\u00a0point perdu sur 1" in problem
    assert "réponse « C’est engagé, mais pas encore finalisé ni garanti »" in problem
    assert "réponse « Non » pour : un dispositif permet aux usagers de signaler" in problem
    assert (
        "Besoins d’appui exprimés par l’équipe (« Clarté de l’information ») : Associer" in problem
    )
    assert "61,1\u00a0% au diagnostic validé le 12 mars 2026" in clarity.indicators("12 mars 2026")


def test_no_proposal_for_a_theme_at_full_marks(sp2026, caf):
    report, answers = caf
    assert proposal_for(report, sp2026, 1, "accueil-physique", answers) is None
    full = {
        **report,
        "commitments": [
            {**c, "themes": [{**t, "points": t["max_points"], "score": 100} for t in c["themes"]]}
            for c in report["commitments"]
        ],
    }
    assert weakest_themes(full, sp2026) == []


def test_points_in_words():
    assert points_words(Fraction(3, 4)) == "0,75\u00a0point"
    assert points_words(Fraction(2)) == "2\u00a0points"
