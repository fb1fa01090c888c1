"""Filling in a diagnostic: one page per section (works without
JavaScript), an autosave endpoint the script calls for each answer,
confirmation of answers carried over from last year, and validation."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from autodiag.diagnostics.forms import changed_answers, field_name, initial_json
from autodiag.diagnostics.models import DiagnosticError, LockedError
from autodiag.diagnostics.progress import question_displayed, sections_progress
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

NOT_EDITABLE = "Ce diagnostic est validé : ses réponses ne peuvent plus être modifiées."


def _state(diagnostic):
    """Everything the pages read about the current answers, in one pass."""
    stored = diagnostic.stored_answers()
    report = diagnostic.report(stored)
    to_confirm = set(diagnostic.to_confirm(stored, report.profile))
    return stored, report, to_confirm, sections_progress(report, to_confirm)


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
    errors = {}
    saved = 0
    profile_first = sorted(current.questions, key=lambda q: not q.is_profile)
    for question_id, value in changed_answers(profile_first, request.POST).items():
        try:
            diagnostic.save_answer(question_id, value, request.user)
            saved += 1
        except AnswerValueError as exc:
            errors[question_id] = str(exc)
    if errors:
        for question_id, message in errors.items():
            question = diagnostic.version.question(question_id)
            messages.error(request, f"« {_short(question.text)} » : {message}")
        return _render_section(request, diagnostic, current, errors=errors, status=400)
    if saved:
        messages.success(
            request,
            f"{saved} réponse{suffix(saved)} enregistrée{suffix(saved)}.",
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


def _short(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _neighbours(progress, current):
    shown = [p for p in progress if p.displayed or p.section.id == current.id]
    index = next(i for i, p in enumerate(shown) if p.section.id == current.id)
    previous = shown[index - 1] if index > 0 else None
    following = shown[index + 1] if index + 1 < len(shown) else None
    return previous, following


def _render_section(request, diagnostic, current, errors=None, status=200):
    stored, report, to_confirm, progress = _state(diagnostic)
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
        )
        for question in current.questions
    ]
    previous, following = _neighbours(progress, current)
    this = next(p for p in progress if p.section.id == current.id)
    context = {
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
            if q.is_profile and q.id in stored
        },
    }
    return render(request, "diagnostics/section.html", context, status=status)


def _question_view(diagnostic, question, stored, report, channels, to_confirm, error):
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
    """The section's current answers, so that an open page shows what
    teammates enter elsewhere (the script asks every few seconds)."""
    current = diagnostic.version.section(section_id)
    if current is None:
        raise Http404("Section introuvable")
    ids = [q.id for q in current.questions if not q.structure_field]
    answers = diagnostic.answers.filter(question_id__in=ids).select_related("updated_by")
    return JsonResponse(
        {
            "answers": {
                answer.question_id: {
                    "value": answer.value,
                    "to_confirm": answer.to_confirm,
                    "status": _answer_status(
                        answer.updated_by.display_name if answer.updated_by else "un membre",
                        timezone.localtime(answer.updated_at),
                    ),
                }
                for answer in answers
            },
            "locked": not diagnostic.is_draft,
        }
    )


@require_POST
@answering_member
def save_answer(request, diagnostic, question_id):
    """The autosave endpoint: one answer as JSON `{"value": …}`."""
    if not diagnostic.is_draft:
        return JsonResponse({"error": "locked", "message": NOT_EDITABLE}, status=409)
    if not can_edit_diagnostic(request.user, diagnostic):
        return JsonResponse(
            {"error": "forbidden", "message": "Modification non autorisée."}, status=403
        )
    try:
        payload = json.loads(request.body or b"{}")
        value = payload["value"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"error": "bad_request", "message": 'Corps JSON {"value": …} attendu.'}, status=400
        )
    try:
        answer = diagnostic.save_answer(question_id, value, request.user)
    except AnswerValueError as exc:
        return JsonResponse({"error": "invalid", "message": str(exc)}, status=400)
    except LockedError:
        return JsonResponse({"error": "locked", "message": NOT_EDITABLE}, status=409)
    moment = timezone.localtime(answer.updated_at if answer else timezone.now())
    return JsonResponse(
        {
            "ok": True,
            "question": question_id,
            "value": answer.value if answer else None,
            "saved_at": moment.isoformat(),
            "saved_at_display": moment.strftime("%H:%M"),
            "by": request.user.display_name,
            "status": _answer_status(request.user.display_name, moment),
        }
    )


def _answer_status(name: str, moment) -> str:
    return f"Modifiée par {name} le {date_format(moment, 'j F')} à {moment.strftime('%H:%M')}"


@require_POST
@diagnostic_member
def confirm_answer(request, diagnostic, question_id):
    """Confirm an answer carried over from the previous diagnostic."""
    if not can_edit_diagnostic(request.user, diagnostic):
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": "locked", "message": NOT_EDITABLE}, status=409)
        require(False, NOT_EDITABLE)
    diagnostic.confirm_answer(question_id, request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        moment = timezone.localtime()
        return JsonResponse(
            {"ok": True, "status": _answer_status(request.user.display_name, moment)}
        )
    question = diagnostic.version.question(question_id)
    if question is None:
        raise Http404("Question introuvable")
    url = reverse("diagnostics:section", args=[diagnostic.pk, question.section_id])
    return redirect(f"{url}#question-{question_id}")


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
            except DiagnosticError as exc:
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
