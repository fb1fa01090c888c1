"""The audit pages: the auditor's list, an audit's overview, scoring one
commitment at a time (server-rendered forms, no JavaScript needed),
validation, the report and its PDF; the comparison with the
self-diagnostic; preparing the audit; the consolidated view of a head's
scope. Who may do what is decided in autodiag.permissions."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from autodiag.audits.context import (
    anchor_of,
    comparison_context,
    consolidation_context,
    grid_pages,
    page_of,
    period_text,
    preparation_context,
    progress,
    report_context,
    scale_words,
)
from autodiag.audits.models import Audit, AuditError, LockedError
from autodiag.french import suffix
from autodiag.permissions import (
    audit_page,
    audits_given_to,
    audits_in_scope,
    can_compare_audit,
    can_prepare_audit,
    can_read_audit_consolidation,
    can_score_audit,
    can_validate_audit,
    can_view_audit_report,
    is_auditor_now,
    is_head,
    require,
    structure_member,
)
from autodiag.reports.context import date_and_time, long_date
from autodiag.reports.pdf import render_pdf
from autodiag.scoring.answers import AnswerValueError
from autodiag.scoring.report import Status as OutcomeStatus

NOT_EDITABLE = "Cet audit est validé : ses notes ne peuvent plus être modifiées."
AUDITOR_ONLY = "Seul l’auditeur désigné note la grille, pendant sa période d’accès."
NOT_YET = "L’audit est en cours : son rapport sera consultable dès sa validation par l’auditeur."


def _crumbs(audit, current: str, *, auditor: bool) -> dict:
    links = []
    if auditor:
        links.append({"url": reverse("audits:mine"), "title": "Audits du label"})
        links.append(
            {"url": reverse("audits:overview", args=[audit.pk]), "title": audit.structure.name}
        )
    else:
        links.append(
            {
                "url": reverse("structures:detail", args=[audit.structure.code]),
                "title": audit.structure.name,
            }
        )
    return {"links": links, "current": current}


# -- the auditor's list and the audit's overview ---------------------------------------


@login_required
def mine(request):
    """Audits given to me (running or to come), and for heads the way to
    the audits of their scope."""
    today = timezone.localdate()
    audits = list(audits_given_to(request.user).select_related("structure", "grid"))
    current, coming = [], []
    for audit in audits:
        if audit.period_open(today):
            report = audit.live_report()
            pages = progress(audit, report)
            audit.progress_total = sum(p.total for p in pages)
            audit.progress_scored = sum(p.scored for p in pages)
            current.append(audit)
        else:
            coming.append(audit)
        audit.period = period_text(audit)
    head = is_head(request.user)
    if head and not audits:
        return redirect("audits:consolidation")  # nothing of their own to audit
    return render(
        request,
        "audits/mine.html",
        {
            "title": "Audits du label",
            "nav": "audits",
            "current": current,
            "coming": coming,
            "is_head": head,
        },
    )


@require_http_methods(["GET", "POST"])
@audit_page
def overview(request, audit):
    if not is_auditor_now(request.user, audit):
        require(not audit.is_draft, NOT_YET)
        require(request.method == "GET", AUDITOR_ONLY)
        return redirect("audits:report", pk=audit.pk)
    if request.method == "POST":
        require(can_score_audit(request.user, audit), NOT_EDITABLE)
        value = request.POST.get("controle-recouvrement", "")
        try:
            audit.save_profile("controle-recouvrement", value, request.user)
        except AnswerValueError as exc:
            messages.error(request, f"Activités de contrôle et de recouvrement : {exc}")
        else:
            messages.success(request, "Caractéristiques de la structure enregistrées.")
        return redirect("audits:overview", pk=audit.pk)
    stored = audit.stored_answers()
    report = audit.live_report(stored)
    pages = progress(audit, report)
    control = stored.get("controle-recouvrement")
    return render(
        request,
        "audits/overview.html",
        {
            "title": f"Audit de {audit.structure.name}",
            "nav": "audits",
            "audit": audit,
            "structure": audit.structure,
            "period": period_text(audit),
            "pages": pages,
            "progress": pages,
            "scored": sum(p.scored for p in pages),
            "total": sum(p.total for p in pages),
            "editable": can_score_audit(request.user, audit),
            "control_activities": control.value if control else None,
            "typology": audit.structure.get_typology_display(),
            "global_display": report.to_json()["global"]["display"],
            "breadcrumb_data": {
                "links": [{"url": reverse("audits:mine"), "title": "Audits du label"}],
                "current": audit.structure.name,
            },
        },
    )


# -- scoring, one commitment per page -----------------------------------------------------


def _posted(request, question_id: str) -> tuple[str | None, str, str]:
    value = request.POST.get(f"note-{question_id}") or None
    evidence = request.POST.get(f"preuves-{question_id}", "")
    comment = request.POST.get(f"commentaire-{question_id}", "")
    return value, evidence.strip(), comment.strip()


def _stored(answer) -> tuple[str | None, str, str]:
    if answer is None:
        return None, "", ""
    return answer.value, answer.evidence, answer.comment


@require_http_methods(["GET", "POST"])
@audit_page
def score_page(request, audit, slug):
    require(is_auditor_now(request.user, audit), AUDITOR_ONLY)
    page = page_of(audit.version, slug)
    if page is None:
        raise Http404("Page introuvable")
    if request.method == "POST":
        require(can_score_audit(request.user, audit), NOT_EDITABLE)
        return _save_page(request, audit, page)
    return _render_page(request, audit, page)


def _save_page(request, audit, page):
    stored = audit.stored_answers()
    report = audit.live_report(stored)
    errors, saved = {}, 0
    for question in page.points():
        if report.questions[question.id].status is OutcomeStatus.HIDDEN:
            continue  # not shown, not posted
        posted = _posted(request, question.id)
        if posted == _stored(stored.get(question.id)):
            continue
        try:
            audit.save_point(question.id, *posted, by=request.user)
            saved += 1
        except AnswerValueError as exc:
            errors[question.id] = (str(exc), posted)
        except LockedError:
            require(False, NOT_EDITABLE)
    if errors:
        for question_id, (message, _) in errors.items():
            messages.error(request, f"Point {question_id} : {message}")
        return _render_page(request, audit, page, errors=errors, status=400)
    if saved:
        messages.success(
            request,
            f"{saved} point{suffix(saved)} de contrôle enregistré{suffix(saved)}.",
        )
    if request.POST.get("suivant"):
        pages = grid_pages(audit.version)
        index = next(i for i, p in enumerate(pages) if p.slug == page.slug)
        if index + 1 < len(pages):
            return redirect("audits:page", pk=audit.pk, slug=pages[index + 1].slug)
        return redirect("audits:validation", pk=audit.pk)
    return redirect("audits:page", pk=audit.pk, slug=page.slug)


def _render_page(request, audit, page, errors=None, status=200):
    version = audit.version
    stored = audit.stored_answers()
    report = audit.live_report(stored)
    pages = progress(audit, report)
    errors = errors or {}
    sections = []
    for section in page.sections:
        points = []
        for question in (q for q in section.questions if q.scored):
            answer = stored.get(question.id)
            value, evidence, comment = _stored(answer)
            if question.id in errors:  # show what was typed, with the message
                value, evidence, comment = errors[question.id][1]
            points.append(
                {
                    "question": question,
                    "slug": anchor_of(question.id),
                    "applies": report.questions[question.id].status is not OutcomeStatus.HIDDEN,
                    "positions": scale_words(question, version),
                    "value": value,
                    "evidence": evidence,
                    "comment": comment,
                    "error": errors.get(question.id, (None,))[0],
                    "answer": answer,
                    "changed_at": date_and_time(answer.updated_at) if answer else "",
                }
            )
        sections.append({"section": section, "points": points})
    slugs = [p.page.slug for p in pages]
    index = slugs.index(page.slug)
    this = pages[index]
    return render(
        request,
        "audits/page.html",
        {
            "title": f"{page.short_title} — audit de {audit.structure.name}",
            "nav": "audits",
            "audit": audit,
            "structure": audit.structure,
            "page": page,
            "progress": pages,
            "this": this,
            "sections": sections,
            "editable": can_score_audit(request.user, audit),
            "previous": pages[index - 1].page if index > 0 else None,
            "following": pages[index + 1].page if index + 1 < len(pages) else None,
            "breadcrumb_data": _crumbs(audit, page.short_title, auditor=True),
        },
        status=status,
    )


# -- validation -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@audit_page
def validation(request, audit):
    require(is_auditor_now(request.user, audit), AUDITOR_ONLY)
    if not audit.is_draft:
        return redirect("audits:report", pk=audit.pk)
    if request.method == "POST":
        require(can_validate_audit(request.user, audit), NOT_EDITABLE)
        if not request.POST.get("confirmation"):
            messages.error(request, "Cochez la case de confirmation pour valider l’audit.")
        else:
            try:
                audit.validate(by=request.user)
            except AuditError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    "Audit validé : ses notes sont verrouillées et son rapport est consultable "
                    "par la structure et ses têtes de réseau.",
                )
                return redirect("audits:report", pk=audit.pk)
    stored = audit.stored_answers()
    report = audit.live_report(stored)
    missing_points, missing_profile = audit.missing(stored)
    missing_by_page = []
    for page in grid_pages(audit.version):
        points = [q for q in page.points() if q.id in missing_points]
        if points:
            missing_by_page.append({"page": page, "points": points})
    return render(
        request,
        "audits/validation.html",
        {
            "title": f"Validation — audit de {audit.structure.name}",
            "nav": "audits",
            "audit": audit,
            "structure": audit.structure,
            "progress": progress(audit, report),
            "missing_by_page": missing_by_page,
            "missing_count": len(missing_points),
            "missing_profile": bool(missing_profile),
            "global_display": report.to_json()["global"]["display"],
            "breadcrumb_data": _crumbs(audit, "Validation", auditor=True),
        },
        status=200 if request.method == "GET" else 400,
    )


# -- the report -------------------------------------------------------------------------------


@audit_page
def report(request, audit):
    require(can_view_audit_report(request.user, audit), NOT_YET)
    auditor = is_auditor_now(request.user, audit)
    context = report_context(audit)
    context |= {
        "title": context["document_title"],
        "nav": "audits" if auditor else "dashboard",
        "auditor_view": auditor,
        "can_compare": can_compare_audit(request.user, audit),
        "breadcrumb_data": _crumbs(
            audit, "Rapport provisoire" if audit.is_draft else "Rapport d’audit", auditor=auditor
        ),
    }
    response = render(request, "audits/report.html", context)
    if audit.is_draft:
        add_never_cache_headers(response)
    return response


def pdf_filename(audit) -> str:
    code = "".join(c if c.isalnum() or c == "-" else "-" for c in audit.structure.code)
    if audit.is_draft:
        stamp = "brouillon-" + timezone.localdate().isoformat()
    else:
        stamp = timezone.localtime(audit.validated_at).date().isoformat()
    return f"autodiag-{code.strip('-') or audit.structure_id}-audit-{stamp}.pdf"


@audit_page
def report_pdf(request, audit):
    require(can_view_audit_report(request.user, audit), NOT_YET)
    pdf = render_pdf("audits/pdf/report.html", report_context(audit))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(audit)
    )
    add_never_cache_headers(response)
    return response


# -- after the audit: self-diagnostic against audit ------------------------------------------------


@audit_page
def comparison(request, audit):
    require(
        can_compare_audit(request.user, audit),
        NOT_YET
        if audit.is_draft
        else "La comparaison avec l’autodiagnostic est réservée à la structure et à ses têtes "
        "de réseau.",
    )
    context = comparison_context(audit)
    context |= {
        "title": context["document_title"],
        "nav": "dashboard",
        "breadcrumb_data": _crumbs(audit, "Autodiagnostic et audit", auditor=False),
    }
    return render(request, "audits/comparison.html", context)


# -- before the audit: the points to prepare -----------------------------------------------------


@structure_member
def preparation(request, structure):
    require(can_prepare_audit(request.user, structure), "Accès réservé à la structure.")
    context = preparation_context(structure, Audit.objects.current_grid_content())
    context |= {
        "title": context["document_title"],
        "nav": "dashboard",
        "breadcrumb_data": {
            "links": [
                {
                    "url": reverse("structures:detail", args=[structure.code]),
                    "title": structure.name,
                }
            ],
            "current": "Préparer l’audit du label",
        },
    }
    return render(request, "audits/preparation.html", context)


# -- in a head's scope ------------------------------------------------------------------------------


def _date(value: str):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return "invalid"


@login_required
def consolidation(request):
    if not can_read_audit_consolidation(request.user):
        raise Http404("Aucun périmètre")
    grid = Audit.objects.current_grid_content()
    start, end = _date(request.GET.get("du", "")), _date(request.GET.get("au", ""))
    error = None
    if "invalid" in (start, end):
        error, start, end = "Date invalide : utilisez le format JJ/MM/AAAA.", None, None
    elif start and end and start > end:
        error, start, end = "La date de début doit précéder la date de fin.", None, None
    audits = audits_in_scope(request.user).filter(grid_id=grid.id)
    if start:
        audits = audits.filter(validated_at__date__gte=start)
    if end:
        audits = audits.filter(validated_at__date__lte=end)
    # Each structure once: its latest validated audit in the range.
    latest = {}
    for audit in audits.select_related("structure", "auditor").order_by("validated_at", "pk"):
        latest[audit.structure_id] = audit
    context = consolidation_context(list(latest.values()), grid)
    context |= {
        "title": "Audits du label dans mon périmètre",
        "nav": "audits",
        "grid_title": grid.title,
        "filter": {
            "du": request.GET.get("du", ""),
            "au": request.GET.get("au", ""),
            "error": error,
            "active": bool(start or end),
            "start": long_date(start) if start else "",
            "end": long_date(end) if end else "",
        },
        "breadcrumb_data": {
            "links": [{"url": reverse("audits:mine"), "title": "Audits du label"}]
            if audits_given_to(request.user).exists()
            else [],
            "current": "Audits du label dans mon périmètre",
        },
    }
    return render(request, "audits/consolidation.html", context)
