"""What the results page and the PDFs show, built once for both.

`results_context` reads the FROZEN report of a validated diagnostic
(`diagnostic.result.report`, docs/report-json.md) and never recomputes it;
a draft gets the live report of its current answers, marked provisional.
Both are the same JSON layout, so one code path reads them.

`questionnaire_context` lays out the filled questionnaire: every question
the structure's profile displays, in order, with its answer in words and
who last changed it.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from autodiag.diagnostics.models import Answer, Diagnostic
from autodiag.diagnostics.progress import overall, question_displayed, sections_progress
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.schema import (
    NO,
    NOT_APPLICABLE,
    SCALE_VALUES,
    UNAVAILABLE,
    YES,
    Question,
    QuestionType,
    conditions_hold,
)
from autodiag.reports.charts import Datum, bar_chart
from autodiag.scoring.answers import item_displayed, used_channels
from autodiag.scoring.formatting import (
    NBSP,
    format_number,
    format_percent,
    format_points,
    round_half_up,
)

# The channels' chart sits beside the commitments' one on a wide screen.
CHANNELS_CHART_WIDTH = 400
MINUS = "\u2212"  # the typographic minus sign, not the hyphen
STRENGTHS, SUPPORT_NEEDS = "points-forts", "besoins-appui"

# -- French dates -------------------------------------------------------------


def long_date(moment: datetime.datetime | datetime.date | None) -> str:
    """`1er mars 2026`, `12 mars 2026` (in the site's time zone)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    day = "1er" if moment.day == 1 else str(moment.day)
    # No-break spaces: a date is never split across lines.
    return f"{day}{NBSP}{date_format(moment, 'F')}{NBSP}{moment.year}"


def date_and_time(moment: datetime.datetime | None) -> str:
    """`12 mars 2026 à 14 h 05`: French typography writes hours so."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{long_date(local)} à {local.hour}\u00a0h\u00a0{local.minute:02d}"


def short_date(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


# -- figures ------------------------------------------------------------------


def exact(number) -> Fraction | None:
    """A JSON figure back to the exact value it was converted from: the
    report's numbers are the nearest floats of fractions with small
    denominators, which `limit_denominator` recovers."""
    if number is None:
        return None
    value = Fraction(number)
    nearest = value.limit_denominator(100_000)
    return nearest if abs(nearest - value) < Fraction(1, 10**9) else value


def points_text(points, max_points) -> str:
    """`18,4 / 22` (points obtained over the maximum)."""
    if not max_points:
        return "—"
    return f"{format_points(exact(points))}\u202f/\u202f{format_points(exact(max_points))}"


@dataclass(frozen=True, slots=True)
class Change:
    """The change of a figure since the previous validated diagnostic, in
    percentage points; computed on the exact figures, then rounded once."""

    text: str
    kind: str  # "up", "down", "same", "new" (no previous figure), "none" (no current figure)

    @classmethod
    def between(cls, current, previous) -> Change:
        if current is None:
            return cls("sans objet", "none")
        if previous is None:
            return cls("nouveau", "new")
        difference = exact(current) - exact(previous)
        size = round_half_up(abs(difference))
        if size == 0:
            return cls(f"0{NBSP}pt", "same")
        # French: singular below two ("1,5 point"), plural from two on.
        unit = "pt" if size < 2 else "pts"
        sign = "+" if difference > 0 else MINUS
        return cls(f"{sign}{format_number(size)}{NBSP}{unit}", "up" if difference > 0 else "down")

    def __str__(self) -> str:
        return self.text


# -- results ------------------------------------------------------------------


def previous_validated(diagnostic: Diagnostic) -> Diagnostic | None:
    """The structure's validated diagnostic just before this one (for a
    draft: its latest validated one)."""
    queryset = (
        Diagnostic.objects.filter(structure_id=diagnostic.structure_id)
        .validated()
        .exclude(pk=diagnostic.pk)
        .select_related("result")
    )
    if not diagnostic.is_draft:
        queryset = queryset.filter(validated_at__lt=diagnostic.validated_at)
    return queryset.order_by("-validated_at").first()


def report_of(diagnostic: Diagnostic, stored: dict | None = None) -> dict:
    """The report JSON the results show: frozen for a validated diagnostic,
    live for a draft."""
    if diagnostic.is_draft:
        return diagnostic.report(stored).to_json()
    return diagnostic.result.report


def results_context(diagnostic: Diagnostic) -> dict:
    """Everything the results page and the results PDF show."""
    version = diagnostic.version
    draft = diagnostic.is_draft
    stored = diagnostic.stored_answers() if draft else None
    report = report_of(diagnostic, stored)
    previous = previous_validated(diagnostic)
    previous_report = previous.result.report if previous is not None else None
    previous_scores = (
        {c["number"]: c["score"] for c in previous_report["commitments"]} if previous_report else {}
    )
    other_version = bool(
        previous_report and previous_report["questionnaire"]["id"] != report["questionnaire"]["id"]
    )
    if other_version:
        # Only the commitments an earlier version declares comparable are
        # compared (its `comparable_with`); never the global score.
        previous_scores = comparable_scores(
            previous, report["questionnaire"]["id"], previous_scores
        )
    since = f"depuis le {short_date(previous.validated_at)}" if previous else ""
    change_header = f"Évolution {since}" if previous else "Évolution"

    missing = report.get("missing", [])
    commitments_missing = {
        row["commitment"] for row in report.get("questions", []) if row["status"] == "missing"
    }

    commitments = []
    for c in report["commitments"]:
        evaluated = c["score"] is not None
        change = Change.between(c["score"], previous_scores.get(c["number"]))
        themes = subthemes(version, report, c)
        themes_chart = bar_chart(
            f"graphique-engagement-{c['number']}",
            f"Taux d’atteinte par thématique de l’engagement {c['number']}",
            [Datum(t["title"], t["score"], t["display"], (t["points_text"],)) for t in themes],
            caption=f"Engagement {c['number']}{NBSP}: taux d’atteinte et points par thématique",
            label_header="Thématique",
            extra_headers=("Points obtenus / maximum",),
        )
        if evaluated:
            reason = ""
        elif draft and c["number"] in commitments_missing:
            reason = "aucune réponse notée pour l’instant, des questions restent sans réponse"
        else:
            reason = "aucune question ne s’applique à la structure"
        commitments.append(
            {
                "number": c["number"],
                "title": c["title"],
                "display": c["display"],
                "score": c["score"],
                "evaluated": evaluated,
                "reason": reason,
                "points": points_text(c["points"], c["max_points"]),
                "change": change,
                "themes": themes,
                "themes_chart": themes_chart if themes else None,
                "anchor": f"engagement-{c['number']}",
            }
        )

    commitments_chart = bar_chart(
        "graphique-engagements",
        "Taux d’atteinte par engagement",
        [
            Datum(
                f"{c['number']}. {c['title']}",
                c["score"],
                c["display"],
                (c["points"], c["change"].text),
            )
            for c in commitments
        ],
        caption="Taux d’atteinte, points et évolution par engagement",
        label_header="Engagement",
        extra_headers=("Points obtenus / maximum", change_header),
    )

    measured = {ch["channel"] for ch in report["channels"]}
    channels_chart = (
        bar_chart(
            "graphique-canaux",
            "Taux d’atteinte par canal de contact",
            [
                Datum(
                    ch["label"],
                    ch["score"],
                    ch["display"],
                    (points_text(ch["points"], ch["max_points"]),),
                )
                for ch in report["channels"]
            ],
            caption="Taux d’atteinte et points par canal de contact",
            label_header="Canal de contact",
            extra_headers=("Points obtenus / maximum",),
            width=CHANNELS_CHART_WIDTH,
        )
        if report["channels"]
        else None
    )
    unmeasured_channels = [ch.label for ch in version.channels if ch.id not in measured]

    not_evaluated = [c for c in commitments if not c["evaluated"]]
    evaluated_count = len(commitments) - len(not_evaluated)
    previous_global = previous_report["global"]["score"] if previous_report else None
    global_change = Change.between(report["global"]["score"], previous_global)
    if other_version:
        global_change = Change("non comparable", "none")

    to_confirm = diagnostic.to_confirm(stored) if draft else []  # progress.to_confirm_ids
    title_prefix = "Résultats provisoires" if draft else "Résultats"
    return {
        "diagnostic": diagnostic,
        "structure": diagnostic.structure,
        "is_draft": draft,
        "report": report,
        "questionnaire_title": report["questionnaire"]["title"],
        "global_display": report["global"]["display"],
        "global_evaluated": report["global"]["score"] is not None,
        "global_change": global_change,
        "previous_global_display": previous_report["global"]["display"] if previous_report else "",
        "evaluated_count": evaluated_count,
        "commitments": commitments,
        "not_evaluated": not_evaluated,
        "commitments_chart": commitments_chart,
        "themes_from_grid": any(t.get("from_grid") for c in commitments for t in c["themes"]),
        "channels_chart": channels_chart,
        "unmeasured_channels": unmeasured_channels,
        "texts": texts_by_theme(version, report.get("texts", {})),
        "previous": previous,
        "previous_date": long_date(previous.validated_at) if previous else "",
        "previous_other_version": bool(
            previous and previous_report["questionnaire"]["id"] != report["questionnaire"]["id"]
        ),
        "previous_questionnaire_title": previous_report["questionnaire"]["title"]
        if previous_report
        else "",
        "change_header": change_header,
        "missing_count": len(missing),
        "to_confirm_count": len(to_confirm),
        "started_on": long_date(diagnostic.created_at),
        "validated_on": long_date(diagnostic.validated_at),
        "validated_by": diagnostic.validated_by,
        "generated_at": date_and_time(timezone.now()),
        "document_title": f"{title_prefix} du diagnostic — {diagnostic.structure.name}",
    }


@functools.cache
def grid_themes(grid_id: str) -> dict[str, tuple[int, str, str]]:
    """Audit point → (order, theme id, theme title) in the label's grid:
    the themes under which the programme groups each commitment's points
    (seed 004), the sub-themes of the results' « vision détaillée »."""
    try:
        grid = load_questionnaire(grid_id)
    except Exception:
        return {}
    themes = {}
    for order, section in enumerate(grid.sections):
        for question in section.questions:
            themes[question.id] = (order, section.id, section.title)
    return themes


def subthemes(version, report: dict, commitment: dict) -> list[dict]:
    """A commitment's sub-themes with their figures, summed exactly from
    the frozen report's question rows: the label grid's theme of each
    question's audit point of that commitment, or, for a version without
    audit points, the questionnaire's section (the report's own themes)."""
    number = commitment["number"]
    grid = grid_themes(settings.CURRENT_AUDIT_GRID)
    rows = [r for r in report.get("questions", []) if r.get("commitment") == number]
    if not grid or not rows or not any(_grid_theme(version, r, number, grid) for r in rows):
        return [
            {**t, "points_text": points_text(t["points"], t["max_points"])}
            for t in commitment["themes"]
        ]
    totals: dict[str, dict] = {}
    for row in rows:
        if row["status"] in ("hidden",):
            continue
        order, theme_id, title = _grid_theme(version, row, number, grid) or (
            len(grid),
            row["section"],
            _section_title(version, row["section"]),
        )
        entry = totals.setdefault(
            theme_id,
            {"order": order, "section": theme_id, "title": title, "points": 0, "maximum": 0},
        )
        if row["status"] == "scored":
            entry["points"] += exact(row["points"])
            entry["maximum"] += exact(row["max_points"])
    themes = []
    for entry in sorted(totals.values(), key=lambda e: e["order"]):
        ratio = Fraction(entry["points"]) / entry["maximum"] if entry["maximum"] else None
        themes.append(
            {
                "section": entry["section"],
                "title": entry["title"],
                "score": float(ratio * 100) if ratio is not None else None,
                "display": format_percent(ratio),
                "points": float(entry["points"]),
                "max_points": float(entry["maximum"]),
                "points_text": points_text(entry["points"], entry["maximum"]),
                "from_grid": True,
            }
        )
    return themes


def _grid_theme(version, row: dict, number: int, grid: dict):
    question = version.question(row["id"])
    if question is None:
        return None
    points = [p for p in question.audit_points if p.split(".")[0] == str(number)]
    for point in points or question.audit_points:
        if point in grid:
            return grid[point]
    return None


def _section_title(version, section_id: str) -> str:
    section = version.section(section_id)
    return section.title if section else section_id


def comparable_scores(previous: Diagnostic, version_id: str, scores: dict) -> dict:
    """An earlier version's commitment scores renumbered as the commitments
    of `version_id` they are declared comparable with; the others dropped."""
    declared = previous.version.document.get("comparable_with") or {}
    if declared.get("version") != version_id:
        return {}
    pairs = {int(own): int(other) for own, other in (declared.get("commitments") or {}).items()}
    return {other: scores.get(own) for own, other in pairs.items() if scores.get(own) is not None}


def texts_by_theme(version, texts: dict) -> list[dict]:
    """The "Points forts" and "Besoins d’appui" texts, by section, in the
    questionnaire's order; sections without either are left out."""
    themes = []
    for section in version.sections:
        entry = {"title": section.title, "id": section.id, "strengths": "", "needs": ""}
        for question in section.questions:
            text = texts.get(question.id, "")
            if question.purpose == STRENGTHS and text:
                entry["strengths"] = text
            elif question.purpose == SUPPORT_NEEDS and text:
                entry["needs"] = text
        if entry["strengths"] or entry["needs"]:
            themes.append(entry)
    return themes


# -- the filled questionnaire -------------------------------------------------

ROW_WORDS = {YES: "Oui", NO: "Non", UNAVAILABLE: "Canal non disponible"}
UNANSWERED = "Sans réponse"
NOT_FILLED = "Non renseigné"  # an optional free text left empty


def answer_words(question: Question, value, version, profile, channels) -> dict:
    """The answer in words: `text` for a one-line answer, `rows` for a
    Yes/No list (each displayed proposition with its answer)."""
    kind = question.type
    if kind in (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS):
        items = [item for item in question.items if item_displayed(item, profile, channels)]
        if value == NOT_APPLICABLE:
            return {"text": "Non applicable", "answered": True}
        if not items:
            return {
                "text": f"Sans objet{NBSP}: aucune proposition ne concerne la structure.",
                "answered": True,
            }
        rows = value if isinstance(value, dict) else {}
        return {
            "rows": [
                {
                    "text": item.text,
                    "answer": ROW_WORDS.get(rows.get(item.id), UNANSWERED),
                    "answered": item.id in rows,
                }
                for item in items
            ],
            "answered": all(item.id in rows for item in items),
        }
    if value is None:
        if kind is QuestionType.TEXT:
            return {"text": NOT_FILLED, "answered": False, "optional": True}
        return {"text": UNANSWERED, "answered": False}
    if value == NOT_APPLICABLE and kind in (QuestionType.SCALE, QuestionType.CHOICE):
        return {"text": "Non applicable", "answered": True}
    if kind is QuestionType.SCALE:
        labels = question.scale_labels or version.scale_labels
        return {"text": labels[SCALE_VALUES.index(value)], "answered": True}
    if kind in (QuestionType.CHOICE, QuestionType.PROFILE_CHOICE):
        option = question.option(value)
        return {"text": option.label if option else str(value), "answered": True}
    if kind is QuestionType.BOOLEAN:
        return {"text": ROW_WORDS.get(value, str(value)), "answered": True}
    if kind is QuestionType.CHANNELS:
        labels = [c.label for c in version.channels if c.id in value]
        return {"text": ", ".join(labels) if labels else "Aucun canal", "answered": True}
    return {"text": value, "answered": True, "long": True}


def questionnaire_context(diagnostic: Diagnostic) -> dict:
    """Every displayed question of the diagnostic with its answer in words,
    by section, in the questionnaire's order."""
    version = diagnostic.version
    stored: dict[str, Answer] = diagnostic.stored_answers()
    values = diagnostic.normalized_answers(stored)
    report = diagnostic.report(stored)
    profile = report.profile
    channels = used_channels(version, profile)
    commitments = {c.number: c for c in version.commitments}
    pending = set(diagnostic.to_confirm(stored, report)) if diagnostic.is_draft else set()
    # The filling pages' count (diagnostics.progress), the same on every page.
    progress = overall(sections_progress(report, stored, pending))
    sections = []
    number = 0
    counts = {
        "displayed": progress.total,
        "unanswered": progress.missing,
        "to_confirm": progress.to_confirm,
        "progress": progress,
    }
    for section in version.sections:
        questions = []
        for question in section.questions:
            if not question_displayed(question, report):
                continue
            number += 1
            answer = stored.get(question.id)
            words = answer_words(question, values.get(question.id), version, profile, channels)
            to_confirm = question.id in pending
            questions.append(
                {
                    "number": number,
                    "question": question,
                    "commitment": commitments.get(question.commitment),
                    "weight": format_points(question.weight) if question.scored else "",
                    "words": words,
                    "to_confirm": to_confirm,
                    "changed_by": (
                        answer.updated_by.display_name if answer and answer.updated_by else ""
                    ),
                    # A carried-over answer was not changed by anyone here.
                    "carried": answer.provenance() if answer and answer.carried_from_id else "",
                    "changed_at": date_and_time(answer.updated_at)
                    if answer and not answer.carried_from_id
                    else "",
                }
            )
        if questions:
            sections.append({"section": section, "questions": questions})
    draft = diagnostic.is_draft
    title = f"Questionnaire rempli — {diagnostic.structure.name}"
    return {
        "diagnostic": diagnostic,
        "structure": diagnostic.structure,
        "is_draft": draft,
        "questionnaire_title": version.title,
        "sections": sections,
        "counts": counts,
        "started_on": long_date(diagnostic.created_at),
        "validated_on": long_date(diagnostic.validated_at),
        "validated_by": diagnostic.validated_by,
        "created_by": diagnostic.created_by,
        "prefilled_from": diagnostic.prefilled_from,
        "prefilled_on": long_date(diagnostic.prefilled_from.validated_at)
        if diagnostic.prefilled_from
        else "",
        "generated_at": date_and_time(timezone.now()),
        "document_title": title,
    }


def pdf_filename(diagnostic: Diagnostic, kind: str) -> str:
    """`autodiag-<code>-<kind>-<date>.pdf`: the validation date, or for a
    draft `brouillon-` and today's date."""
    code = re.sub(r"[^A-Za-z0-9-]+", "-", diagnostic.structure.code).strip("-")
    code = code or str(diagnostic.structure_id)
    if diagnostic.is_draft:
        stamp = "brouillon-" + timezone.localdate().isoformat()
    else:
        stamp = timezone.localtime(diagnostic.validated_at).date().isoformat()
    return f"autodiag-{code}-{kind}-{stamp}.pdf"


# -- the blank questionnaire --------------------------------------------------


def answer_choices(question: Question, version) -> dict:
    """What a blank questionnaire offers for a question: the positions of
    the scale, the options, the propositions to answer Oui / Non, or the
    room to write."""
    kind = question.type
    na = ["Non applicable"] if question.not_applicable else []
    if kind is QuestionType.SCALE:
        return {"choices": [*(question.scale_labels or version.scale_labels), *na]}
    if kind in (QuestionType.CHOICE, QuestionType.PROFILE_CHOICE):
        return {"choices": [o.label for o in question.options] + na}
    if kind is QuestionType.BOOLEAN:
        return {"choices": ["Oui", "Non"]}
    if kind is QuestionType.CHANNELS:
        return {"choices": [c.label for c in version.channels], "several": True}
    if kind in (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS):
        row_answers = ["Oui", "Non"]
        if kind is QuestionType.CHANNEL_ROWS:
            row_answers.append("Canal non disponible")
        return {
            "rows": [item.text for item in question.items],
            "row_answers": row_answers,
            "na": na,
        }
    return {"write": True}


def blank_context(version, profile: dict | None = None, structure=None) -> dict:
    """The whole questionnaire to read beforehand (seed 000: « prendre
    connaissance de l’ensemble du questionnaire en amont »): with a
    structure's profile, only the questions it will be asked; without,
    every question, those asked only to some structures marked so."""
    commitments = {c.number: c for c in version.commitments}
    sections = []
    number = 0
    for section in version.sections:
        questions = []
        for question in section.questions:
            if profile is not None and not conditions_hold(question.conditions, profile):
                continue
            number += 1
            questions.append(
                {
                    "number": number,
                    "question": question,
                    "commitment": commitments.get(question.commitment),
                    "weight": format_points(question.weight) if question.scored else "",
                    "conditional": profile is None and bool(question.conditions),
                    **answer_choices(question, version),
                }
            )
        if questions:
            sections.append({"section": section, "questions": questions})
    what = f"adapté à {structure.name}" if structure and profile is not None else "complet"
    return {
        "version": version,
        "structure": structure,
        "adapted": profile is not None,
        "questionnaire_title": version.title,
        "sections": sections,
        "count": number,
        "generated_at": date_and_time(timezone.now()),
        "document_title": f"Questionnaire {what} — {version.title}",
    }
