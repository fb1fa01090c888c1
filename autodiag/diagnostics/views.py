"""Filling in a diagnostic: one page per section (works without
JavaScript), an autosave endpoint the script calls for each answer,
confirmation of answers carried over from last year, and validation."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from autodiag.accounts.models import User
from autodiag.diagnostics.cells import WHOLE, revisions, value_of
from autodiag.diagnostics.forms import (
    LIST_TYPES,
    changed_cells,
    field_name,
    first_input_id,
    initial_json,
)
from autodiag.diagnostics.models import (
    LOCKED_MESSAGE,
    DiagnosticError,
    LockedError,
    Presence,
)
from autodiag.diagnostics.progress import overall, question_displayed, sections_progress
from autodiag.diagnostics.words import cell_words
from autodiag.french import suffix
from autodiag.permissions import (
    answering_member,
    can_edit_diagnostic,
    can_validate,
    diagnostic_member,
    require,
)
from autodiag.scoring.answers import AnswerValueError, item_displayed, used_channels
from autodiag.scoring.formatting import format_percent

NOT_EDITABLE = LOCKED_MESSAGE
# The live refresh re-reads this much before its cursor: a save computed
# its time just before committing, so one committed a moment after a
# refresh may carry a time before that refresh's cursor.
CURSOR_OVERLAP = datetime.timedelta(seconds=5)


def _state(diagnostic, with_cleared=False):
    """Everything the pages read about the current answers, in one pass."""
    everything = diagnostic.stored_answers(include_cleared=True)
    stored = {k: a for k, a in everything.items() if a.value is not None}
    report = diagnostic.report(stored)
    to_confirm = set(diagnostic.to_confirm(stored, report))
    progress = sections_progress(report, stored, to_confirm)
    if with_cleared:
        return everything, report, to_confirm, progress
    return stored, report, to_confirm, progress


@diagnostic_member
def overview(request, diagnostic):
    """Where "continue" leads: the first section not done yet."""
    if not diagnostic.is_draft:
        return redirect("reports:results", pk=diagnostic.pk)
    _, _, _, progress = _state(diagnostic)
    shown = [p for p in progress if p.displayed]
    target = next((p for p in shown if not p.done), None)
    if target is None:
        return redirect("diagnostics:validation", pk=diagnostic.pk)
    return redirect("diagnostics:section", pk=diagnostic.pk, section_id=target.section.id)


@require_http_methods(["GET", "POST"])
@diagnostic_member
def section(request, diagnostic, section_id):
    current = diagnostic.version.section(section_id)
    if current is None:
        raise Http404("Section introuvable")
    if request.method == "POST":
        require(can_edit_diagnostic(request.user, diagnostic), NOT_EDITABLE)
        return _save_section(request, diagnostic, current)
    return _render_section(request, diagnostic, current)


def _save_section(request, diagnostic, current):
    """The section form without JavaScript: each changed cell is saved
    with the revision the page showed; the ones a teammate changed
    meanwhile are not applied but shown back as conflicts."""
    errors, conflicts = {}, {}
    saved = 0
    profile_first = sorted(current.questions, key=lambda q: not q.is_profile)
    taken = request.POST.get("take_mine")
    for question in profile_first:
        if question.id == taken:
            found = _mine_from_post(question, request.POST)
        else:
            found = changed_cells(question, request.POST)
        if found is None:
            continue
        changes, base = found
        try:
            outcome = diagnostic.save_cells(question.id, changes, base, request.user)
        except AnswerValueError as exc:
            errors[question.id] = str(exc)
            continue
        except LockedError:
            messages.error(request, NOT_EDITABLE)
            return redirect("diagnostics:section", pk=diagnostic.pk, section_id=current.id)
        if len(outcome.conflicts) < len(changes):
            saved += 1
        if outcome.conflicts:
            conflicts[question.id] = _conflict_view(diagnostic, question, outcome, changes)
    if saved:
        messages.success(
            request,
            f"{saved} réponse{suffix(saved)} enregistrée{suffix(saved)}.",
        )
    if errors or conflicts:
        return _render_section(
            request,
            diagnostic,
            current,
            errors=errors,
            conflicts=conflicts,
            status=400 if errors else 409,
        )
    if request.POST.get("next"):
        _, _, _, progress = _state(diagnostic)
        following = _neighbours(progress, current)[1]
        if following is not None:
            return redirect(
                "diagnostics:section", pk=diagnostic.pk, section_id=following.section.id
            )
        return redirect("diagnostics:validation", pk=diagnostic.pk)
    return redirect("diagnostics:section", pk=diagnostic.pk, section_id=current.id)


def _mine_from_post(question, post):
    """« Prendre la mienne » without JavaScript: the person's own value,
    kept in the page that showed the conflict, over the revision seen."""
    try:
        changes = json.loads(post.get(field_name(question, "mine"), ""))
        base = json.loads(post.get(field_name(question, "minebase"), ""))
    except ValueError:
        return None
    if not isinstance(changes, dict) or not isinstance(base, dict):
        return None
    return changes, base


def _conflict_view(diagnostic, question, outcome, changes) -> dict:
    """What the page shows of a conflict: per cell, the teammate's value,
    who and when, and the person's own value."""
    version = diagnostic.version
    names = _names(outcome.cells[c].get("by") for c in outcome.conflicts if c in outcome.cells)
    cells = []
    for cell in outcome.conflicts:
        meta = outcome.cells.get(cell, {})
        theirs = value_of(outcome.value, cell)
        cells.append(
            {
                "cell": cell,
                "theirs": theirs,
                "theirs_words": cell_words(question, version, cell, theirs),
                "mine": changes[cell],
                "mine_words": cell_words(question, version, cell, changes[cell]),
                "by": names.get(meta.get("by"), "un membre de l’équipe"),
                "at": _moment_words(meta.get("at")),
                "revision": meta.get("r", 0),
            }
        )
    return {
        "cells": cells,
        "mine_json": json.dumps({c["cell"]: c["mine"] for c in cells}),
        "base_json": json.dumps(outcome.revisions()),
    }


def _names(user_ids) -> dict:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}


def _moment_words(iso: str | None) -> str:
    if not iso:
        return ""
    moment = timezone.localtime(datetime.datetime.fromisoformat(iso))
    return f"le {date_format(moment, 'j F')} à {moment.strftime('%H:%M')}"


def _short(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _neighbours(progress, current):
    shown = [p for p in progress if p.displayed or p.section.id == current.id]
    index = next(i for i, p in enumerate(shown) if p.section.id == current.id)
    previous = shown[index - 1] if index > 0 else None
    following = shown[index + 1] if index + 1 < len(shown) else None
    return previous, following


def _render_section(request, diagnostic, current, errors=None, conflicts=None, status=200):
    everything, report, to_confirm, progress = _state(diagnostic, with_cleared=True)
    stored = everything
    editable = can_edit_diagnostic(request.user, diagnostic)
    channels = used_channels(diagnostic.version, report.profile)
    questions = [
        _question_view(
            diagnostic,
            question,
            stored,
            report,
            channels,
            to_confirm,
            (errors or {}).get(question.id),
            (conflicts or {}).get(question.id),
        )
        for question in current.questions
    ]
    previous, following = _neighbours(progress, current)
    this = next(p for p in progress if p.section.id == current.id)
    teammates = Presence.beat(diagnostic, request.user, current.id) if editable else []
    context = {
        "errors_summary": _errors_summary(questions),
        "content_target": "questions",
        "teammates": teammates,
        "cursor": timezone.now().isoformat(),
        "counts": overall(progress),
        "title": f"{current.title} — diagnostic de {diagnostic.structure.name}",
        "diagnostic": diagnostic,
        "structure": diagnostic.structure,
        "current": current,
        "current_progress": this,
        "progress": progress,
        "questions": questions,
        "previous": previous,
        "following": following,
        "editable": editable,
        "can_validate": can_validate(request.user, diagnostic),
        "channel_labels": {c.id: c.label for c in diagnostic.version.channels},
        "commitments": {c.number: c.title for c in diagnostic.version.commitments},
        "scale_values": ["0", "0.25", "0.75", "1"],
        "breadcrumb_data": {
            "links": [
                {
                    "url": reverse("structures:detail", args=[diagnostic.structure.code]),
                    "title": diagnostic.structure.name,
                },
            ],
            "current": current.title,
        },
        "conditions_json": _conditions_json(diagnostic.version),
        "profile_answers": {
            q.id: stored[q.id].value
            for q in diagnostic.version.questions()
            if q.is_profile and q.id in stored and stored[q.id].value is not None
        },
    }
    return render(request, "diagnostics/section.html", context, status=status)


def _errors_summary(questions) -> list[dict]:
    summary = []
    for qv in questions:
        label = _short(qv["question"].text)
        if qv["error"]:
            summary.append({"label": label, "message": qv["error"], "field": qv["first_input"]})
        if qv["conflict"]:
            summary.append(
                {
                    "label": label,
                    "message": "modifiée par un membre de l’équipe pendant votre saisie, "
                    "choisissez la réponse à garder",
                    "field": f"conflict-{qv['question'].id}",
                }
            )
    return summary


def _question_view(diagnostic, question, stored, report, channels, to_confirm, error, conflict):
    answer = stored.get(question.id)
    value = answer.value if answer else None
    rows = value if isinstance(value, dict) else {}
    items = [
        {
            "item": item,
            "name": field_name(question, item.id),
            "value": rows.get(item.id),
            "shown": item_displayed(item, report.profile, channels),
            "when": _conditions(item.conditions),
        }
        for item in question.items
    ]
    scale_labels = question.scale_labels or diagnostic.version.scale_labels
    return {
        "question": question,
        "name": field_name(question),
        "value": value,
        "initial": initial_json(value),
        "answer": answer,
        "provenance": answer.provenance() if answer else "",
        "revisions": json.dumps(revisions(answer.cells) if answer else {}),
        "first_input": first_input_id(question, diagnostic.version),
        "conflict": conflict,
        "shown": question_displayed(question, report),
        "to_confirm": question.id in to_confirm,
        "items": items,
        "scale": list(zip(["0", "0.25", "0.75", "1"], scale_labels, strict=True)),
        "error": error,
        "when": _conditions(question.conditions),
    }


def _conditions(conditions) -> str:
    """Display conditions as the page script reads them (live filtering)."""
    return json.dumps(
        [{"q": c.question_id, "v": sorted(c.values), "not": c.negate} for c in conditions]
    )


def _conditions_json(version) -> dict:
    """Sections' display conditions, for the side menu's live filtering."""
    return {section.id: json.loads(_conditions(section.conditions)) for section in version.sections}


@diagnostic_member
def section_answers(request, diagnostic, section_id):
    """The live refresh of an open section page: every answer of the section
    changed since the cursor `since` (all of them without it), first
    answers and cleared ones included, with each cell's revision, and who
    else has the section open (the call is their presence beat)."""
    current = diagnostic.version.section(section_id)
    if current is None:
        raise Http404("Section introuvable")
    cursor = timezone.now()
    ids = [q.id for q in current.questions if not q.structure_field]
    answers = diagnostic.answers.filter(question_id__in=ids).select_related(
        "updated_by", "confirmed_by", "carried_from"
    )
    since = _since(request.GET.get("since"))
    if since is not None:
        answers = answers.filter(changed_at__gte=since - CURSOR_OVERLAP)
    answers = list(answers)
    names = _names(meta.get("by") for answer in answers for meta in (answer.cells or {}).values())
    teammates = (
        Presence.beat(diagnostic, request.user, current.id)
        if can_edit_diagnostic(request.user, diagnostic)
        else []
    )
    return JsonResponse(
        {
            "cursor": cursor.isoformat(),
            "answers": {answer.question_id: _answer_json(answer, names) for answer in answers},
            "teammates": teammates,
            "locked": not diagnostic.is_draft,
        }
    )


def _since(text: str | None):
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace(" ", "+"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _answer_json(answer, names: dict) -> dict:
    return {
        "value": answer.value,
        "revisions": revisions(answer.cells),
        "by": {cell: names.get(meta.get("by"), "") for cell, meta in (answer.cells or {}).items()},
        "to_confirm": answer.to_confirm,
        "status": answer.provenance(),
    }


@require_POST
@answering_member
def save_answer(request, diagnostic, question_id):
    """The autosave endpoint: the changed cells of one answer, as JSON
    `{"changes": {cell: value}, "base": {cell: revision}, "typed_by": id}`
    (`{"value": …}` stands for the whole answer, or the rows it gives).
    Conflicting cells are not applied and come back in `conflicts`."""
    if not diagnostic.is_draft:
        return _locked_json()
    if not can_edit_diagnostic(request.user, diagnostic):
        return JsonResponse(
            {"error": "forbidden", "message": "Modification non autorisée."}, status=403
        )
    try:
        payload = json.loads(request.body or b"{}")
        changes, base = _payload_cells(diagnostic, question_id, payload)
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse(
            {
                "error": "bad_request",
                "message": 'Corps JSON {"changes": {…}, "base": {…}} ou {"value": …} attendu.',
            },
            status=400,
        )
    typed_by = payload.get("typed_by")
    if typed_by is not None and typed_by != request.user.pk:
        # Kept in this browser by someone else (an expired session, then
        # another person signed in): never recorded under this name.
        return JsonResponse(
            {
                "error": "other_user",
                "message": "Ces réponses ont été saisies par une autre personne\u00a0: "
                "elles ne sont pas enregistrées sous votre nom.",
            },
            status=409,
        )
    try:
        outcome = diagnostic.save_cells(question_id, changes, base, request.user)
    except AnswerValueError as exc:
        return JsonResponse({"error": "invalid", "message": str(exc)}, status=400)
    except LockedError:
        return _locked_json()
    question = diagnostic.version.question(question_id)
    moment = timezone.localtime(outcome.updated_at)
    conflict = _conflict_view(diagnostic, question, outcome, changes) if outcome.conflicts else None
    return JsonResponse(
        {
            "ok": True,
            "question": question_id,
            "value": outcome.value,
            "revisions": outcome.revisions(),
            "conflicts": conflict["cells"] if conflict else [],
            "saved_at": moment.isoformat(),
            "saved_at_display": moment.strftime("%H:%M"),
            "by": request.user.display_name,
            "status": _answer_status(request.user.display_name, moment)
            if len(outcome.conflicts) < len(changes)
            else "",
        }
    )


def _answer_status(name: str, moment) -> str:
    return f"Modifiée par {name} le {date_format(moment, 'j F')} à {moment.strftime('%H:%M')}"


def _locked_json():
    return JsonResponse({"error": "locked", "message": NOT_EDITABLE}, status=409)


def _payload_cells(diagnostic, question_id, payload) -> tuple[dict, dict]:
    base = payload.get("base") or {}
    if not isinstance(base, dict):
        raise ValueError("base")
    if "changes" in payload:
        changes = payload["changes"]
        if not isinstance(changes, dict):
            raise ValueError("changes")
        return changes, base
    value = payload["value"]
    question = diagnostic.version.question(question_id)
    if question is not None and question.type in LIST_TYPES and isinstance(value, dict):
        return {WHOLE: None, **value}, base
    return {WHOLE: value}, base


@require_POST
@diagnostic_member
def confirm_answer(request, diagnostic, question_id):
    """Confirm an answer carried over from the previous diagnostic."""
    if not can_edit_diagnostic(request.user, diagnostic):
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": "locked", "message": NOT_EDITABLE}, status=409)
        require(False, NOT_EDITABLE)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        diagnostic.confirm_answer(question_id, request.user)
    except LockedError:
        if wants_json:
            return _locked_json()
        require(False, NOT_EDITABLE)
    if wants_json:
        answer = diagnostic.answers.select_related("carried_from", "confirmed_by").filter(
            question_id=question_id
        )
        first = answer.first()
        return JsonResponse({"ok": True, "status": first.provenance() if first else ""})
    question = diagnostic.version.question(question_id)
    if question is None:
        raise Http404("Question introuvable")
    url = reverse("diagnostics:section", args=[diagnostic.pk, question.section_id])
    return redirect(f"{url}#question-{question_id}")


@require_POST
@diagnostic_member
def confirm_section(request, diagnostic, section_id):
    """Confirm in one action every carried-over answer of a section."""
    current = diagnostic.version.section(section_id)
    if current is None:
        raise Http404("Section introuvable")
    require(can_edit_diagnostic(request.user, diagnostic), NOT_EDITABLE)
    try:
        count = diagnostic.confirm_section(section_id, request.user)
    except LockedError:
        messages.error(request, NOT_EDITABLE)
    else:
        plural = "s" if count > 1 else ""
        messages.success(request, f"{count} réponse{plural} reprise{plural} confirmée{plural}.")
    return redirect("diagnostics:section", pk=diagnostic.pk, section_id=current.id)


@require_http_methods(["GET", "POST"])
@diagnostic_member
def validation(request, diagnostic):
    if not diagnostic.is_draft:
        return redirect("reports:results", pk=diagnostic.pk)
    if request.method == "POST":
        require(
            can_validate(request.user, diagnostic),
            "Seul un responsable de la structure peut valider le diagnostic.",
        )
        if not request.POST.get("confirm"):
            messages.error(request, "Cochez la case de confirmation pour valider le diagnostic.")
        else:
            try:
                diagnostic.validate(by=request.user)
            except DiagnosticError as exc:  # LockedError too: validated meanwhile
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    "Diagnostic validé : ses réponses sont verrouillées et ses résultats sont disponibles.",
                )
                return redirect("reports:results", pk=diagnostic.pk)
    _, report, to_confirm, progress = _state(diagnostic)
    version = diagnostic.version
    missing = _by_section(version, report.missing)
    confirm = _by_section(version, sorted(to_confirm, key=_order(version)))
    return render(
        request,
        "diagnostics/validation.html",
        {
            "title": f"Validation — diagnostic de {diagnostic.structure.name}",
            "diagnostic": diagnostic,
            "structure": diagnostic.structure,
            "progress": progress,
            "missing": missing,
            "to_confirm": confirm,
            "missing_count": len(report.missing),
            "confirm_count": len(to_confirm),
            "counts": overall(progress),
            "can_validate": can_validate(request.user, diagnostic),
            "global_display": _global_display(report),
            "conditions_json": _conditions_json(version),
            "breadcrumb_data": {
                "links": [
                    {
                        "url": reverse("structures:detail", args=[diagnostic.structure.code]),
                        "title": diagnostic.structure.name,
                    },
                ],
                "current": "Validation",
            },
        },
        status=200 if request.method == "GET" else 400,
    )


def _by_section(version, question_ids) -> list[tuple]:
    """[(section, [questions])] in questionnaire order, for the lists of the
    validation page."""
    groups: dict[str, list] = {}
    for question_id in question_ids:
        question = version.question(question_id)
        groups.setdefault(question.section_id, []).append(question)
    return [(section, groups[section.id]) for section in version.sections if section.id in groups]


def _order(version):
    positions = {q.id: i for i, q in enumerate(version.questions())}
    return lambda question_id: positions.get(question_id, 0)


def _global_display(report):
    return format_percent(report.global_ratio)
