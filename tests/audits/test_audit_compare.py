"""Self-diagnostic and audit, point by point: the figures behind "points à
préparer", the gaps after the audit, and the consolidated view of a
head's scope."""

import datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from autodiag.audits import compare
from autodiag.audits.context import gap_text
from autodiag.audits.models import Audit
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.scoring.answers import parse_answer_sheet
from autodiag.scoring.engine import score
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Scope

from ..conftest import client_for, example_answers, fill, make_structure
from .conftest import make_user, score_everything, today


@pytest.fixture(scope="module")
def grid():
    return load_questionnaire("audit-label-2026")


@pytest.fixture(scope="module")
def example_report(sp2026):
    return score(sp2026, parse_answer_sheet(sp2026, example_answers())).to_json()


# -- pure: the figures ------------------------------------------------------------------


def test_a_points_figure_sums_the_questions_that_prepare_it(sp2026, example_report):
    rows = {row["id"]: row for row in example_report["questions"]}
    figures = compare.self_assessment_by_point(sp2026, example_report)
    figure = figures["2.3"]
    assert figure.questions == ("affluence-accueil", "affluence-telephone")
    scored = [rows[q] for q in figure.questions if rows[q]["status"] == "scored"]
    assert figure.points == sum(compare.exact(r["points"]) for r in scored)
    assert figure.maximum == sum(compare.exact(r["max_points"]) for r in scored)
    # Every point of the grid's commitments is prepared by some question.
    assert len(figures) == 84


def test_a_question_preparing_two_points_counts_fully_in_each(sp2026, example_report):
    figures = compare.self_assessment_by_point(sp2026, example_report)
    question = sp2026.question("politesse-canaux")
    assert question.audit_points == ("1.1", "1.2")
    assert "politesse-canaux" in figures["1.1"].questions
    assert "politesse-canaux" in figures["1.2"].questions


def test_points_most_at_risk_come_first(grid):
    def figure(point, points, maximum):
        return compare.PointFigure(point, ("q",), ("q",), Fraction(points), Fraction(maximum))

    figures = {
        "1.1": figure("1.1", 1, 4),  # 25 %, 4 points at stake
        "1.2": figure("1.2", 1, 1),  # in place
        "1.3": figure("1.3", 0, 1),  # 0 %
        "1.4": figure("1.4", "1/2", 2),  # 25 %, 2 points at stake
        "1.5": figure("1.5", 3, 5),  # 60 %
        "1.10": figure("1.10", 0, 1),  # does not apply (no control activities)
        "2.1": compare.PointFigure("2.1", ("q",), (), Fraction(0), Fraction(0)),  # unmeasured
    }
    points = compare.preparation(
        grid, figures, {"typologie": "etat", "controle-recouvrement": "non"}
    )
    ranked = compare.most_at_risk_first(points)
    assert [p.question.id for p in ranked] == ["1.3", "1.1", "1.4", "1.5"]
    assert [p.risk for p in ranked] == ["high", "high", "high", "consolidate"]
    by_id = {p.question.id: p for p in points}
    assert not by_id["1.10"].applies and by_id["1.2"].risk == "in-place"
    assert by_id["2.1"].risk == "unmeasured" and by_id["3.1"].figure is None


def test_gaps_largest_first_either_way():
    gaps = [
        compare.Gap("a", Fraction(1, 2), Fraction(1, 2)),
        compare.Gap("b", Fraction(1), Fraction(1, 4)),
        compare.Gap("c", None, Fraction(1)),
        compare.Gap("d", Fraction(0), Fraction(1)),
        compare.Gap("e", Fraction(3, 4), Fraction(1)),
    ]
    assert [g.key for g in compare.largest_first(gaps)] == ["d", "b", "e", "a", "c"]
    assert compare.largest_first(gaps)[0].gap == -1


@pytest.mark.parametrize(
    ("gap", "text"),
    [
        (Fraction(1, 4), "+25\u00a0pts"),
        (Fraction(-1, 8), "\u221212,5\u00a0pts"),
        (Fraction(3, 200), "+1,5\u00a0pt"),
        (Fraction(0), "0\u00a0pt"),
        (None, "—"),
    ],
)
def test_gaps_in_percentage_points(gap, text):
    assert gap_text(gap) == text


def _report(commitments, global_score, apart=None, questions=()):
    return {
        "global": {"score": global_score},
        "commitments": [{"number": n, "score": s} for n, s in commitments.items()],
        "questions": list(questions),
        **({"apart": [{"section": "criteres-or", "score": apart}]} if apart is not None else {}),
    }


def test_consolidation_of_audits_and_gaps(grid):
    audit_a = _report({n: 50 for n in range(1, 9)} | {1: 40}, 48.75, apart=50)
    audit_b = _report({n: 80 for n in range(1, 9)} | {1: 60}, 77.5, apart=100)
    self_a = _report({n: 70 for n in range(1, 9)} | {1: 90}, 73.75)
    pairs = [
        compare.AuditPair(audit_a, self_a, {}),
        compare.AuditPair(audit_b, None, None),  # no self-diagnostic before its audit
    ]
    result = compare.consolidate(pairs, grid)
    assert (result.count, result.compared) == (2, 1)
    first = result.commitments[0]
    assert first.audit.mean == Fraction(1, 2) and first.audit.median == Fraction(1, 2)
    assert (first.audit.minimum, first.audit.maximum) == (Fraction(2, 5), Fraction(3, 5))
    assert first.compared == 1 and first.mean_gap == Fraction(1, 2)
    assert result.global_audit.mean == Fraction(63125, 100000)  # (48,75 + 77,5) / 2
    assert result.global_mean_gap == Fraction(25, 100)
    assert result.apart[0][1].mean == Fraction(3, 4)


# -- the pages ---------------------------------------------------------------------------


@pytest.fixture
def audited(structure, validated, auditor, grid_version, national, db):
    """The CAF agency: last year's example self-diagnostic, then an audit
    scoring every point 0.75, point 1.8 at 0 and 2.3 at 1."""
    audit = Audit.objects.grant(
        structure, auditor, today(), today() + datetime.timedelta(days=5), grid=grid_version
    )
    score_everything(audit, auditor)
    audit.save_point("1.8", "0", "Locaux encombrés.", "", auditor)
    audit.save_point("2.3", "1", "", "", auditor)
    audit.validate(by=auditor)
    return audit


@pytest.mark.django_db
def test_the_comparison_page_puts_the_largest_gaps_first(audited, validated, manager, sp2026):
    page = client_for(manager).get(reverse("audits:comparison", args=[audited.pk])).content.decode()
    figures = compare.self_assessment_by_point(sp2026, validated.result.report)
    assert figures["1.8"].ratio == 1  # the example says the premises are fine…
    rows = page.split('id="tableau-points"')[1]
    assert rows.index(">1.8<") < rows.index(">1.1<")  # …the auditor did not: +100 pts first
    assert "+100\u00a0pts" in rows
    assert "Autodiagnostic et audit du label" in page


@pytest.mark.django_db
def test_the_comparison_without_a_self_diagnostic(structure, auditor, grid_version, manager):
    audit = Audit.objects.grant(structure, auditor, today(), today(), grid=grid_version)
    score_everything(audit, auditor)
    audit.validate(by=auditor)
    page = client_for(manager).get(reverse("audits:comparison", args=[audit.pk])).content.decode()
    assert "Aucun autodiagnostic à comparer" in page


@pytest.mark.django_db
def test_the_preparation_page_ranks_the_weakest_points_first(
    structure, validated, manager, grid_version, sp2026
):
    page = client_for(manager).get(reverse("audits:preparation", args=[structure.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "Points à préparer" in html
    figures = compare.self_assessment_by_point(sp2026, validated.result.report)
    weakest = min(
        (f for f in figures.values() if f.ratio is not None), key=lambda f: (f.ratio, -f.maximum)
    )
    table = html.split('id="tableau-a-preparer"')[1].split("</table>")[0]
    first_row = table.split("<tbody>")[1].split("</tr>")[0]
    assert f">{weakest.point}<" in first_row
    # The answers to the questions preparing a point are shown with it.
    assert "Dans l’autodiagnostic" in html and "Réponse" in html


@pytest.mark.django_db
def test_the_preparation_page_before_any_self_diagnostic(structure, manager, grid_version):
    html = client_for(manager).get(reverse("audits:preparation", args=[structure.code]))
    assert "Aucun autodiagnostic pour l’instant" in html.content.decode()


@pytest.mark.django_db
def test_the_preparation_page_reads_a_draft_when_nothing_is_validated(
    structure, draft, agent, manager, grid_version
):
    fill(draft, agent)
    html = client_for(manager).get(reverse("audits:preparation", args=[structure.code]))
    assert "en cours" in html.content.decode() and "Points à préparer" in html.content.decode()


@pytest.mark.django_db
def test_the_consolidated_view_covers_the_heads_scope_only(
    audited, structure, auditor, grid_version
):
    other = make_structure("PREF16AUD", "Préfecture de la Charente — audit", "Intérieur")
    other.department_code = "16"
    other.save()
    other_audit = Audit.objects.grant(other, auditor, today(), today(), grid=grid_version)
    score_everything(other_audit, auditor, value="1")
    other_audit.validate(by=auditor)
    network_head = make_user("tete@cnaf.test")
    Scope.objects.create(user=network_head, kind=ScopeKind.NETWORK, network=structure.network)
    national = make_user("dg@ditp.test")
    Scope.objects.create(user=national, kind=ScopeKind.NATIONAL)
    url = reverse("audits:consolidation")
    page = client_for(network_head).get(url).content.decode()
    assert structure.name in page and other.name not in page
    assert "1 audit pris en compte" in page
    national_page = client_for(national).get(url).content.decode()
    assert structure.name in national_page and other.name in national_page
    assert "2 audits pris en compte" in national_page
    # A date range: nothing validated before today.
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    filtered = client_for(national).get(url, {"au": yesterday}).content.decode()
    assert "Aucun audit validé entre ces dates" in filtered
    wrong = client_for(national).get(url, {"du": "demain"}).content.decode()
    assert "Date invalide" in wrong


def test_the_comparison_module_is_pure_python():
    """docs/ARCHITECTURE.md: `audits.compare` reads report JSONs and the
    questionnaire objects, never Django."""
    import subprocess
    import sys

    code = (
        "import sys, autodiag.audits.compare\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
