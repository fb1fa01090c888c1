"""What the audit pages and the report PDF show, built once for both.

The grid is read by "pages": one per commitment (its audited themes), and
one for each group scored apart (the "OR" criteria). The report of a
validated audit is its frozen JSON; a draft's is live, marked provisional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from django.utils import timezone

from autodiag import french
from autodiag.audits import compare
from autodiag.audits.models import Audit
from autodiag.diagnostics.models import Diagnostic
from autodiag.french import count
from autodiag.questionnaires.schema import (
    NOT_APPLICABLE,
    SCALE_VALUES,
    Question,
    Questionnaire,
    Section,
    conditions_hold,
)
from autodiag.reports.charts import Datum, bar_chart
from autodiag.reports.context import answer_words, date_and_time, long_date, points_text
from autodiag.scoring.answers import normalize_answer, profile_of, used_channels
from autodiag.scoring.formatting import NBSP, format_number, format_percent, round_half_up
from autodiag.scoring.report import Status

MINUS = "\u2212"
SCALE_KEYS = ("0", "0.25", "0.75", "1")
OR_SLUG = "or"


# -- the grid by pages ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridPage:
    slug: str  # "1" … "8", or "or" for the group scored apart
    number: int | None  # the commitment, None for a group apart
    title: str
    short_title: str
    note: str
    sections: tuple[Section, ...]

    def points(self):
        for section in self.sections:
            yield from (q for q in section.questions if q.scored)


def grid_pages(version: Questionnaire) -> list[GridPage]:
    pages = []
    for commitment in version.commitments:
        sections = tuple(s for s in version.sections if s.commitment == commitment.number)
        pages.append(
            GridPage(
                slug=str(commitment.number),
                number=commitment.number,
                title=f"Engagement {commitment.number}{NBSP}: {commitment.title}",
                short_title=f"Engagement {commitment.number}",
                note=commitment.note,
                sections=sections,
            )
        )
    apart = tuple(s for s in version.sections if s.apart)
    if apart:
        pages.append(
            GridPage(
                slug=OR_SLUG,
                number=None,
                title=apart[0].title if len(apart) == 1 else "Critères à part",
                short_title="Critères « OR »",
                note="",
                sections=apart,
            )
        )
    return pages


def page_of(version: Questionnaire, slug: str) -> GridPage | None:
    return next((page for page in grid_pages(version) if page.slug == slug), None)


@dataclass(frozen=True, slots=True)
class PageProgress:
    page: GridPage
    scored: int  # points with a score (or "non applicable")
    total: int  # points that apply to the structure

    @property
    def done(self) -> bool:
        return self.scored == self.total


def progress(audit: Audit, report) -> list[PageProgress]:
    """Per page, the points scored among those that apply (live report)."""
    rows = []
    for page in grid_pages(audit.version):
        statuses = [report.questions[q.id].status for q in page.points()]
        applying = [s for s in statuses if s is not Status.HIDDEN]
        rows.append(
            PageProgress(page, sum(1 for s in applying if s is not Status.MISSING), len(applying))
        )
    return rows


# -- a score in words ------------------------------------------------------------------


def scale_words(question: Question | None, version: Questionnaire) -> list[dict]:
    """The four positions of a point (None: of the grid's scale), as the
    form and the reports show them: the value, the grid's name if it has
    one, what it means."""
    meanings = (question and question.scale_labels) or version.scale_labels
    names = (question and question.level_names) or ("",) * 4
    positions = []
    for key, value, name, meaning in zip(SCALE_KEYS, SCALE_VALUES, names, meanings, strict=True):
        points = f"{format_number(value, 2)}{NBSP}point"  # singular below 2, in French
        positions.append(
            {
                "key": key,
                "number": format_number(value, 2),
                "name": name,
                "label": f"{name} ({points})" if name else points,
                "meaning": meaning,
            }
        )
    return positions


def score_words(question: Question, value, version: Questionnaire) -> dict:
    """A stored score in words: `short` ("0,75", "Point sensible (0,25)",
    "Non applicable"), `meaning` (what the position means for this point)."""
    if value is None:
        return {"short": "Non noté", "meaning": "", "kind": "missing"}
    normalized = normalize_answer(question, value)
    if normalized == NOT_APPLICABLE:
        return {"short": "Non applicable", "meaning": "", "kind": "na"}
    position = next(p for p in scale_words(question, version) if Fraction(p["key"]) == normalized)
    # The grid's scale is given once in the report; a named level's meaning is the point's own.
    meaning = position["meaning"] if position["name"] else ""
    return {"short": position["label"], "meaning": meaning, "kind": "scored"}


def points_phrase(points, maximum) -> str:
    """`1,5 / 2 points`, `0,75 / 1 point` (French: singular below two)."""
    if not maximum:
        return ""
    unit = "point" if compare.exact(maximum) < 2 else "points"
    return f"{points_text(points, maximum)}{NBSP}{unit}"


def gap_text(gap: Fraction | None) -> str:
    """A gap in percentage points: `+25 pts`, `−12,5 pts`, `0 pt`, `—`."""
    if gap is None:
        return "—"
    size = round_half_up(abs(gap) * 100)
    if size == 0:
        return f"0{NBSP}pt"
    unit = "pt" if size < 2 else "pts"
    return f"{'+' if gap > 0 else MINUS}{format_number(size)}{NBSP}{unit}"


def gap_kind(gap: Fraction | None) -> str:
    if gap is None:
        return "none"
    if gap > 0:
        return "over"  # the self-diagnostic was more favourable
    return "under" if gap < 0 else "same"


# -- the report --------------------------------------------------------------------------


def report_context(audit: Audit) -> dict:
    version = audit.version
    stored = audit.stored_answers()
    report = audit.report_json(stored)
    rows = {row["id"]: row for row in report["questions"]}
    themes_by_section = {
        theme["section"]: theme for c in report["commitments"] for theme in c["themes"]
    }
    themes_by_section |= {theme["section"]: theme for theme in report.get("apart", [])}

    def section_view(section: Section) -> dict:
        theme = themes_by_section.get(section.id, {})
        return {
            "section": section,
            "anchor": f"theme-{section.id}",
            "display": theme.get("display", "non évalué"),
            "points_text": points_text(theme.get("points"), theme.get("max_points")),
            "points": [
                _point_row(question, rows.get(question.id), stored.get(question.id), version)
                for question in section.questions
                if question.scored
            ],
        }

    pages = grid_pages(version)
    commitments = []
    for c in report["commitments"]:
        page = next(p for p in pages if p.number == c["number"])
        commitments.append(
            {
                "number": c["number"],
                "title": c["title"],
                "display": c["display"],
                "score": c["score"],
                "points": points_text(c["points"], c["max_points"]),
                "anchor": f"engagement-{c['number']}",
                "themes_chart": bar_chart(
                    f"graphique-engagement-{c['number']}",
                    f"Taux d’atteinte par thématique auditée de l’engagement {c['number']}",
                    [
                        Datum(
                            t["title"],
                            t["score"],
                            t["display"],
                            (points_text(t["points"], t["max_points"]),),
                        )
                        for t in c["themes"]
                    ],
                    caption=f"Engagement {c['number']}{NBSP}: taux d’atteinte et points par thématique auditée",
                    label_header="Thématique auditée",
                    extra_headers=("Points obtenus / maximum",),
                )
                if c["themes"]
                else None,
                "sections": [section_view(s) for s in page.sections],
            }
        )
    commitments_chart = bar_chart(
        "graphique-engagements",
        "Taux d’atteinte par engagement",
        [
            Datum(f"{c['number']}. {c['title']}", c["score"], c["display"], (c["points"],))
            for c in commitments
        ],
        caption="Taux d’atteinte et points par engagement",
        label_header="Engagement",
        extra_headers=("Points obtenus / maximum",),
    )
    apart = [section_view(s) for page in pages if page.number is None for s in page.sections]
    not_evaluated = [c for c in commitments if c["score"] is None]
    draft = audit.is_draft
    profile = {
        q.id: (stored[q.id].value if q.id in stored else None)
        for q in version.questions()
        if q.is_profile
    }
    title_prefix = "Rapport provisoire" if draft else "Rapport"
    return {
        "audit": audit,
        "structure": audit.structure,
        "is_draft": draft,
        "report": report,
        "grid_title": version.title,
        "scale": scale_words(None, version),
        "global_display": report["global"]["display"],
        "global_evaluated": report["global"]["score"] is not None,
        "evaluated_count": len(commitments) - len(not_evaluated),
        "not_evaluated": not_evaluated,
        "commitments": commitments,
        "commitments_chart": commitments_chart,
        "apart": apart,
        "profile": _profile_words(version, profile),
        "missing_count": sum(1 for row in report["questions"] if row["status"] == "missing"),
        "period": period_text(audit),
        "validated_on": long_date(audit.validated_at),
        "generated_at": date_and_time(timezone.now()),
        "document_title": f"{title_prefix} d’audit du label — {audit.structure.name}",
    }


def _point_row(question: Question, row: dict | None, answer, version) -> dict:
    status = row["status"] if row else "missing"
    if status == "hidden":
        words = {"short": "Ne s’applique pas", "meaning": "", "kind": "hidden"}
    else:
        words = score_words(question, answer.value if answer else None, version)
    return {
        "question": question,
        "anchor": f"point-{anchor_of(question.id)}",
        "words": words,
        "evidence": answer.evidence if answer else "",
        "comment": answer.comment if answer else "",
        "changed_by": answer.updated_by.display_name if answer and answer.updated_by else "",
        "changed_at": date_and_time(answer.updated_at) if answer else "",
    }


def _profile_words(version: Questionnaire, profile: dict) -> list[dict]:
    words = []
    for question in version.questions():
        if not question.is_profile:
            continue
        value = profile.get(question.id)
        if value is None:
            text = "Non renseigné"
        elif question.options:
            option = question.option(value)
            text = option.label if option else str(value)
        else:
            text = {"oui": "oui", "non": "non"}.get(value, str(value))
        # "Catégorie de la structure : …", "La structure exerce-t-elle … ? Oui."
        sentence = (
            f"{question.text} {text[:1].upper()}{text[1:]}."
            if question.text.endswith("?")
            else f"{question.text}{NBSP}: {text}"
        )
        words.append({"question": question, "text": text, "sentence": sentence})
    return words


def anchor_of(point: str) -> str:
    """`OR.3` -> `or-3`: an id fragment for a point."""
    return re.sub(r"[^a-z0-9]+", "-", point.lower())


def period_text(audit: Audit) -> str:
    return f"du {long_date(audit.starts_on)} au {long_date(audit.ends_on)}"


AUDIT_STAGES = ("Audit programmé", "Notation en cours", "Audit validé")


def audit_stage(audit: Audit, today=None) -> dict:
    """Where an audit stands, for the structure (which sees no score before
    validation): programmed (no point scored yet), being scored (how many
    points), validated; with the auditor's access dates."""
    if not audit.is_draft:
        number = 3
        detail = f"Validé le {long_date(audit.validated_at)}."
    else:
        points = [q.id for q in audit.grid.questionnaire().questions() if q.scored]
        scored = audit.answers.filter(question_id__in=points, value__isnull=False).count()
        total = len(points)
        if scored == 0:
            number = 1
            today = today or timezone.localdate()
            if today < audit.starts_on:
                detail = f"La visite de l’auditeur commence le {long_date(audit.starts_on)}."
            else:
                detail = "L’auditeur n’a encore noté aucun point de contrôle."
        else:
            number = 2
            noted = count(scored, "point de contrôle noté", "points de contrôle notés")
            detail = f"{noted} sur {total} ; les notes restent à l’auditeur jusqu’à la validation."
    return {
        "number": number,
        "count": len(AUDIT_STAGES),
        "title": AUDIT_STAGES[number - 1],
        "next": AUDIT_STAGES[number] if number < len(AUDIT_STAGES) else "",
        "detail": detail,
        "period": period_text(audit),
    }


# -- self-diagnostic against audit -------------------------------------------------------


def compared_diagnostic(audit: Audit) -> Diagnostic | None:
    """The structure's latest self-diagnostic validated before the audit was."""
    queryset = Diagnostic.objects.filter(structure_id=audit.structure_id).validated()
    if audit.validated_at:
        queryset = queryset.filter(validated_at__lte=audit.validated_at)
    return queryset.select_related("result", "questionnaire").order_by("-validated_at").first()


def comparison_context(audit: Audit) -> dict:
    version = audit.version
    audit_report = audit.report_json()
    diagnostic = compared_diagnostic(audit)
    context = {
        "audit": audit,
        "structure": audit.structure,
        "diagnostic": diagnostic,
        "validated_on": long_date(audit.validated_at),
        "document_title": f"Autodiagnostic et audit — {audit.structure.name}",
    }
    if diagnostic is None:
        return context
    diagnostic_report = diagnostic.result.report
    figures = compare.self_assessment_by_point(diagnostic.version, diagnostic_report)
    commitments = {c.number: c for c in version.commitments}
    commitment_rows = [
        _gap_row(gap, title=f"{gap.key}. {commitments[int(gap.key)].title}")
        for gap in compare.largest_first(compare.commitment_gaps(diagnostic_report, audit_report))
    ]
    answers = audit.stored_answers()
    point_rows = []
    for gap in compare.largest_first(compare.point_gaps(figures, audit_report, version)):
        question = version.question(gap.key)
        answer = answers.get(gap.key)
        row = _gap_row(gap, title=question.title)
        row["question"] = question
        row["audit_words"] = score_words(question, answer.value if answer else None, version)
        row["figure"] = figures.get(gap.key)
        row["reason"] = _no_comparison_reason(gap, figures.get(gap.key), row["audit_words"])
        point_rows.append(row)
    compared = [row for row in point_rows if row["gap"] is not None]
    self_global = compare.percent(diagnostic_report["global"]["score"])
    audit_global = compare.percent(audit_report["global"]["score"])
    global_gap = None if None in (self_global, audit_global) else self_global - audit_global
    context.update(
        {
            "diagnostic_on": long_date(diagnostic.validated_at),
            "self_global": diagnostic_report["global"]["display"],
            "audit_global": audit_report["global"]["display"],
            "global_gap": gap_text(global_gap),
            "global_gap_kind": gap_kind(global_gap),
            "commitment_rows": commitment_rows,
            "point_rows": compared,
            "not_compared": [row for row in point_rows if row["gap"] is None],
            "over_count": sum(1 for row in compared if row["kind"] == "over"),
            "under_count": sum(1 for row in compared if row["kind"] == "under"),
            "same_count": sum(1 for row in compared if row["kind"] == "same"),
            "other_version": diagnostic.questionnaire_id,
        }
    )
    return context


def _gap_row(gap: compare.Gap, title: str) -> dict:
    return {
        "key": gap.key,
        "title": title,
        "anchor": anchor_of(gap.key),
        "self_display": format_percent(gap.self_ratio),
        "audit_display": format_percent(gap.audit_ratio),
        "gap": gap.gap,
        "gap_display": gap_text(gap.gap),
        "kind": gap_kind(gap.gap),
    }


def _no_comparison_reason(gap, figure, audit_words) -> str:
    if gap.audit_ratio is None:
        return (
            "non applicable à l’audit"
            if audit_words["kind"] == "na"
            else "ne s’applique pas à la structure"
        )
    if figure is None:
        return "aucune question de l’autodiagnostic ne prépare ce point"
    return "les questions qui le préparent étaient sans objet pour la structure"


# -- preparing the audit --------------------------------------------------------------------


def latest_diagnostic(structure) -> Diagnostic | None:
    """The latest validated self-diagnostic, else the one in progress."""
    diagnostics = Diagnostic.objects.filter(structure=structure).select_related(
        "result", "questionnaire", "validated_by"
    )
    validated = diagnostics.validated().order_by("-validated_at").first()
    return validated or diagnostics.drafts().first()


def preparation_context(structure, grid: Questionnaire) -> dict:
    diagnostic = latest_diagnostic(structure)
    context = {
        "structure": structure,
        "grid": grid,
        "diagnostic": diagnostic,
        "document_title": f"Préparer l’audit du label — {structure.name}",
    }
    if diagnostic is None:
        return context
    version = diagnostic.version
    stored = diagnostic.stored_answers()
    values = diagnostic.normalized_answers(stored)
    if diagnostic.is_draft:
        report = diagnostic.report(stored).to_json()
    else:
        report = diagnostic.result.report
    rows = {row["id"]: row for row in report["questions"]}
    profile = profile_of(version, values)
    channels = used_channels(version, profile)
    figures = compare.self_assessment_by_point(version, report)
    grid_profile = {"typologie": structure.typology}
    if profile.get("controle-recouvrement"):
        grid_profile["controle-recouvrement"] = profile["controle-recouvrement"]
    points = compare.preparation(grid, figures, grid_profile)

    def question_view(question_id: str) -> dict:
        question = version.question(question_id)
        row = rows.get(question_id, {})
        shown = conditions_hold(question.conditions, profile)
        return {
            "question": question,
            "shown": shown,
            "words": answer_words(question, values.get(question_id), version, profile, channels)
            if shown
            else None,
            "points": points_phrase(row.get("points"), row.get("max_points"))
            if row.get("status") == "scored"
            else "",
            "status": row.get("status", ""),
        }

    def point_view(point: compare.PointToPrepare, rank: int | None = None) -> dict:
        figure = point.figure
        return {
            "point": point,
            "question": point.question,
            "anchor": f"point-{anchor_of(point.question.id)}",
            "rank": rank,
            "display": format_percent(point.ratio),
            "points_text": points_phrase(float(figure.points), float(figure.maximum))
            if figure and figure.maximum
            else "",
            "risk": point.risk,
            "risk_label": compare.RISK_LABELS[point.risk],
            "questions": [question_view(qid) for qid in figure.questions] if figure else [],
        }

    ranked = [
        point_view(point, rank)
        for rank, point in enumerate(compare.most_at_risk_first(points), start=1)
    ]
    by_id = {view["question"].id: view for view in ranked}
    pages = []
    for page in grid_pages(grid):
        sections = []
        for section in page.sections:
            section_points = [
                by_id.get(p.question.id) or point_view(p)
                for p in points
                if p.question.section_id == section.id
            ]
            sections.append({"section": section, "points": section_points})
        pages.append({"page": page, "sections": sections, "anchor": f"page-{page.slug}"})
    applying = [p for p in points if p.applies]
    counts = {
        name: sum(1 for p in applying if p.risk == risk)
        for name, risk in (
            ("high", compare.HIGH),
            ("consolidate", compare.CONSOLIDATE),
            ("in_place", compare.IN_PLACE),
            ("unmeasured", compare.UNMEASURED),
        )
    }
    context.update(
        {
            "is_draft": diagnostic.is_draft,
            "diagnostic_on": long_date(diagnostic.validated_at or diagnostic.created_at),
            "questionnaire_title": version.title,
            "ranked": ranked,
            "unmeasured": [
                point_view(p)
                for p in applying
                if p.ratio is None and p.question.commitment is not None
            ],
            "unmeasured_apart": [point_view(p) for p in applying if p.question.commitment is None],
            "not_applying": [point_view(p) for p in points if not p.applies],
            "counts": counts,
            "applying_count": len(applying),
            "applying_apart": sum(1 for p in applying if p.question.commitment is None),
            "pages": pages,
            "control_activities": grid_profile.get("controle-recouvrement"),
        }
    )
    return context


def risk_badge(risk: str) -> str:
    """The DSFR badge class of a risk level."""
    return {
        compare.HIGH: "fr-badge--error",
        compare.CONSOLIDATE: "fr-badge--warning",
        compare.IN_PLACE: "fr-badge--success",
        compare.UNMEASURED: "fr-badge--info",
    }[risk]


# -- audits in a head's scope ----------------------------------------------------------------


def summary_words(summary) -> dict:
    return {
        "count": summary.count,
        "mean": format_percent(summary.mean),
        "minimum": format_percent(summary.minimum),
        "maximum": format_percent(summary.maximum),
        "median": format_percent(summary.median),
    }


def consolidation_context(audits, grid: Questionnaire) -> dict:
    """`audits`: the validated audits to consolidate (one per structure),
    all scored on `grid`."""
    pairs, rows = [], []
    for audit in audits:
        diagnostic = compared_diagnostic(audit)
        diagnostic_report = diagnostic.result.report if diagnostic else None
        figures = (
            compare.self_assessment_by_point(diagnostic.version, diagnostic_report)
            if diagnostic
            else None
        )
        pairs.append(compare.AuditPair(audit.report, diagnostic_report, figures))
        self_global = compare.percent(diagnostic_report["global"]["score"]) if diagnostic else None
        audit_global = compare.percent(audit.report["global"]["score"])
        gap = None if None in (self_global, audit_global) else self_global - audit_global
        rows.append(
            {
                "audit": audit,
                "structure": audit.structure,
                "validated_on": long_date(audit.validated_at),
                "audit_global": audit.report["global"]["display"],
                "self_global": format_percent(self_global) if diagnostic else "—",
                "gap": gap_text(gap),
                "kind": gap_kind(gap),
                "sort": (french.sort_key(audit.structure.name), audit.structure.code),
            }
        )
    rows.sort(key=lambda row: row["sort"])
    consolidation = compare.consolidate(pairs, grid)
    return {
        "rows": rows,
        "count": consolidation.count,
        "compared": consolidation.compared,
        "global": summary_words(consolidation.global_audit),
        "global_gap": gap_text(consolidation.global_mean_gap),
        "global_gap_kind": gap_kind(consolidation.global_mean_gap),
        "commitments": [
            {
                "number": line.number,
                "title": line.title,
                "audit": summary_words(line.audit),
                "compared": line.compared,
                "mean_gap": gap_text(line.mean_gap),
                "mean_gap_kind": gap_kind(line.mean_gap),
                "mean_absolute_gap": gap_text(line.mean_absolute_gap).lstrip("+"),
            }
            for line in consolidation.commitments
        ],
        "apart": [(title, summary_words(summary)) for title, summary in consolidation.apart],
        "points": [
            {
                "point": line.point,
                "title": line.title,
                "audit_mean": format_percent(line.audit_mean),
                "compared": line.compared,
                "mean_gap": gap_text(line.mean_gap),
                "kind": gap_kind(line.mean_gap),
            }
            for line in consolidation.points
            if line.mean_gap is not None
        ],
    }
