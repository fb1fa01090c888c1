"""The pages of a structure's action plan: the plan (filters, timeline),
a sheet (create, from a results page's proposal or blank; read; edit;
review; delete), the monthly review of every open action at once, the
display for users (poster, public page) and the exports; and, for heads,
the actions of their scope.

Every view asks `autodiag.permissions`: members write, heads in scope
read, managers alone delete and publish, outsiders get 404 and anonymous
visitors the sign-in page (the public page apart, once published).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from autodiag.accounts.models import User
from autodiag.actions import exports
from autodiag.actions.enums import OPEN_STATUSES, ActionStatus
from autodiag.actions.forms import (
    ActionSheetForm,
    PlanFilterForm,
    ReviewDateForm,
    ReviewForm,
    ReviewRowForm,
)
from autodiag.actions.models import ActionError, ActionPlan, ActionSheet
from autodiag.actions.pdf import render_pdf
from autodiag.actions.plan import (
    POSTER_ACTIONS,
    counts,
    display_context,
    plan_timeline,
    review_due,
    version_for_new_sheet,
)
from autodiag.actions.proposals import proposal_for
from autodiag.collation import by_name
from autodiag.diagnostics.models import Diagnostic
from autodiag.french import suffix
from autodiag.permissions import (
    actions_in_scope,
    can_delete_action,
    can_edit_action_plan,
    can_publish_action_plan,
    is_head,
    public_structure,
    require,
    role_in,
    structure_member,
    structures_in_scope,
)
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.reports.context import long_date

MEMBERS_ONLY = "Seuls les membres de la structure modifient son plan d’actions."
MANAGERS_DELETE = "Seul un responsable de la structure peut supprimer une fiche action."
MANAGERS_PUBLISH = "Seul un responsable de la structure décide de l’affichage public du plan."
PAPER_SIZES = {"A4": "A4", "A3": "A3"}


def _crumbs(structure, *steps):
    """The breadcrumb: the structure, the plan, then `steps` (url, title)
    pairs, the last one being the current page."""
    links = [
        {"url": reverse("structures:detail", args=[structure.code]), "title": structure.name},
        {"url": reverse("actions:plan", args=[structure.code]), "title": "Plan d’actions"},
    ]
    *middle, current = steps
    links += [{"url": url, "title": title} for url, title in middle]
    return {"links": links, "current": current[1]}


def _sheet(structure, number) -> ActionSheet:
    return get_object_or_404(
        ActionSheet.objects.for_structure(structure).for_display(), number=number
    )


def _filtered(request, structure):
    """(every sheet of the plan, the filters of the query string, the
    sheets they keep), as querysets."""
    everything = ActionSheet.objects.for_structure(structure).for_display()
    version = version_for_new_sheet(structure).questionnaire()
    # Whoever leads a sheet, members or not any more.
    responsible = User.objects.filter(pk__in=everything.values("responsible")).order_by(
        by_name("last_name"), by_name("first_name"), "email"
    )
    filters = PlanFilterForm(request.GET or None, version=version, people=responsible)
    return everything, filters, filters.apply(everything) if filters.is_bound else everything


# -- the plan ---------------------------------------------------------------------


@structure_member
def plan(request, structure):
    everything, filters, kept = _filtered(request, structure)
    all_sheets = list(everything)
    sheets = list(kept) if filters.is_bound else all_sheets
    today = timezone.localdate()
    open_sheets = [s for s in all_sheets if s.status in OPEN_STATUSES]
    plan_row = ActionPlan.objects.filter(structure=structure).first()
    return render(
        request,
        "actions/plan.html",
        {
            "title": f"Plan d’actions — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "sheets": sheets,
            "total": len(all_sheets),
            "counts": counts(all_sheets),
            "filters": filters,
            "timeline": plan_timeline(sheets, today),
            "today": today,
            "review_due": review_due(open_sheets, today),
            "open_count": len(open_sheets),
            "can_edit": can_edit_action_plan(request.user, structure),
            "is_public": bool(plan_row and plan_row.is_public),
            "export_query": request.GET.urlencode(),
            "breadcrumb_data": {
                "links": [
                    {
                        "url": reverse("structures:detail", args=[structure.code]),
                        "title": structure.name,
                    }
                ],
                "current": "Plan d’actions",
            },
        },
    )


# -- a sheet ----------------------------------------------------------------------


def _proposal_initial(request, structure):
    """The initial values of a sheet proposed from a results page
    (`?diagnostic=…&engagement=5:clarte-information`), with the diagnostic
    and its version; ({}, None, None) when there is no valid proposal."""
    diagnostic_id, key = request.GET.get("diagnostic", ""), request.GET.get("engagement", "")
    if not diagnostic_id.isdigit() or ":" not in key:
        return {}, None, None
    diagnostic = (
        Diagnostic.objects.filter(structure=structure, pk=int(diagnostic_id))
        .validated()
        .select_related("result", "questionnaire")
        .first()
    )
    number, _, section_id = key.partition(":")
    if diagnostic is None or not number.isdigit():
        return {}, None, None
    proposal = proposal_for(
        diagnostic.result.report,
        diagnostic.version,
        int(number),
        section_id,
        diagnostic.normalized_answers(),
    )
    if proposal is None:
        return {}, None, None
    validated_on = long_date(diagnostic.validated_at)
    initial = {
        "engagement": key,
        "title": proposal.title(),
        "problem": proposal.problem(validated_on),
        "indicators": proposal.indicators(validated_on),
        "start_date": timezone.localdate(),
    }
    return initial, diagnostic, proposal


@require_http_methods(["GET", "POST"])
@structure_member
def new_sheet(request, structure):
    require(can_edit_action_plan(request.user, structure), MEMBERS_ONLY)
    initial, diagnostic, proposal = _proposal_initial(request, structure)
    version_row = diagnostic.questionnaire if diagnostic else version_for_new_sheet(structure)
    if request.method == "POST":
        source_id = request.POST.get("source_diagnostic", "")
        diagnostic = (
            Diagnostic.objects.filter(structure=structure, pk=int(source_id))
            .validated()
            .select_related("questionnaire")
            .first()
            if source_id.isdigit()
            else None
        )
        version_row = diagnostic.questionnaire if diagnostic else version_for_new_sheet(structure)
    form = ActionSheetForm(
        request.POST if request.method == "POST" else None,
        initial=initial or {"start_date": timezone.localdate()},
        structure=structure,
        version=version_row.questionnaire(),
    )
    if request.method == "POST" and form.is_valid():
        sheet = ActionSheet.objects.create_for(
            structure,
            by=request.user,
            contributors=form.cleaned_data["contributors"],
            questionnaire=version_row,
            source_diagnostic=diagnostic,
            **form.sheet_fields(),
        )
        messages.success(request, f"La fiche action n° {sheet.number} est enregistrée.")
        return redirect("actions:detail", code=structure.code, number=sheet.number)
    return render(
        request,
        "actions/sheet_form.html",
        {
            "title": f"Nouvelle fiche action — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "form": form,
            "sheet": None,
            "proposal": proposal,
            "source_diagnostic": diagnostic,
            "version_title": version_row.title,
            "breadcrumb_data": _crumbs(structure, ("", "Nouvelle fiche action")),
        },
        status=400 if request.method == "POST" else 200,
    )


@structure_member
def sheet_detail(request, structure, number, review_form=None):
    sheet = _sheet(structure, number)
    can_edit = can_edit_action_plan(request.user, structure)
    return render(
        request,
        "actions/sheet.html",
        {
            "title": f"Fiche action n° {sheet.number} — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "sheet": sheet,
            "reviews": sheet.reviews.select_related("by"),
            "today": timezone.localdate(),
            "can_edit": can_edit,
            "can_delete": can_delete_action(request.user, structure),
            "review_form": review_form or (ReviewForm(sheet=sheet) if can_edit else None),
            "breadcrumb_data": _crumbs(structure, ("", f"Fiche n° {sheet.number}")),
        },
        status=400 if review_form is not None else 200,
    )


@require_http_methods(["GET", "POST"])
@structure_member
def edit_sheet(request, structure, number):
    require(can_edit_action_plan(request.user, structure), MEMBERS_ONLY)
    sheet = _sheet(structure, number)
    form = ActionSheetForm(
        request.POST if request.method == "POST" else None,
        instance=sheet,
        structure=structure,
        version=sheet.version,
    )
    if request.method == "POST" and form.is_valid():
        sheet = form.save(commit=False)
        sheet.updated_by = request.user
        sheet.save()
        form.save_m2m()
        messages.success(request, f"La fiche action n° {sheet.number} est modifiée.")
        return redirect("actions:detail", code=structure.code, number=sheet.number)
    return render(
        request,
        "actions/sheet_form.html",
        {
            "title": f"Modifier la fiche action n° {sheet.number} — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "form": form,
            "sheet": sheet,
            "version_title": sheet.questionnaire.title,
            "breadcrumb_data": _crumbs(
                structure,
                (reverse("actions:detail", args=[structure.code, number]), f"Fiche n° {number}"),
                ("", "Modifier"),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@structure_member
def review_sheet(request, structure, number):
    require(can_edit_action_plan(request.user, structure), MEMBERS_ONLY)
    sheet = _sheet(structure, number)
    form = ReviewForm(request.POST, sheet=sheet)
    if form.is_valid():
        try:
            sheet.record_review(
                by=request.user,
                on=form.cleaned_data["reviewed_on"],
                status=form.cleaned_data["status"],
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
            )
        except ActionError as error:  # changed by a teammate meanwhile
            for field, message in error.problems.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Le point d’avancement est enregistré.")
            return redirect("actions:detail", code=structure.code, number=number)
    return sheet_detail.__wrapped__(request, structure, number, review_form=form)


@require_http_methods(["GET", "POST"])
@structure_member
def delete_sheet(request, structure, number):
    require(can_delete_action(request.user, structure), MANAGERS_DELETE)
    sheet = _sheet(structure, number)
    if request.method == "POST":
        sheet.delete()
        messages.success(
            request,
            f"La fiche action n° {number} est supprimée ; son numéro ne sera pas réattribué.",
        )
        return redirect("actions:plan", code=structure.code)
    return render(
        request,
        "actions/sheet_delete.html",
        {
            "title": f"Supprimer la fiche action n° {number} — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "sheet": sheet,
            "breadcrumb_data": _crumbs(
                structure,
                (reverse("actions:detail", args=[structure.code, number]), f"Fiche n° {number}"),
                ("", "Supprimer"),
            ),
        },
    )


# -- the monthly review -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@structure_member
def monthly_review(request, structure):
    require(can_edit_action_plan(request.user, structure), MEMBERS_ONLY)
    posted = request.method == "POST"
    if posted:
        numbers = [int(n) for n in request.POST.getlist("fiches") if n.isdigit()]
        sheets = list(
            ActionSheet.objects.for_structure(structure).for_display().filter(number__in=numbers)
        )
    else:
        sheets = list(ActionSheet.objects.for_structure(structure).open().for_display())
    date_form = ReviewDateForm(request.POST if posted else None)
    on = date_form.cleaned_data["reviewed_on"] if posted and date_form.is_valid() else None
    rows = [
        (
            sheet,
            ReviewRowForm(
                request.POST if posted else None, sheet=sheet, on=on, prefix=f"fiche-{sheet.number}"
            ),
        )
        for sheet in sheets
    ]
    if posted and sheets and date_form.is_valid() and all(form.is_valid() for _, form in rows):
        try:
            with transaction.atomic():
                for sheet, form in rows:
                    sheet.record_review(
                        by=request.user,
                        on=on,
                        status=form.cleaned_data["status"],
                        progress=form.cleaned_data["progress"],
                        note=form.cleaned_data["note"],
                    )
        except ActionError as error:  # a teammate changed a sheet meanwhile: nothing saved
            messages.error(
                request,
                f"Rien n’a été enregistré : {error} Rechargez la page pour partir de l’état actuel.",
            )
        else:
            messages.success(
                request,
                f"Revue du {long_date(on)} enregistrée pour {len(rows)} action{suffix(len(rows))}.",
            )
            return redirect("actions:plan", code=structure.code)
    errors = _error_summary(date_form, rows) if posted else []
    return render(
        request,
        "actions/review.html",
        {
            "title": f"Revue mensuelle — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "date_form": date_form,
            "rows": rows,
            "errors": errors,
            "today": timezone.localdate(),
            "breadcrumb_data": _crumbs(structure, ("", "Revue mensuelle")),
        },
        status=400 if posted else 200,
    )


def _error_summary(date_form, rows) -> list[dict]:
    """Every error of the review page, each with the field to go to."""
    errors = [
        {"anchor": f"id_{field}", "text": f"Date de la revue : {message}"}
        for field, messages_ in date_form.errors.items()
        for message in messages_
    ]
    for sheet, form in rows:
        for field, messages_ in form.errors.items():
            anchor = f"revue-fiche-{sheet.number}" if field == "__all__" else form[field].auto_id
            for message in messages_:
                errors.append({"anchor": anchor, "text": f"Fiche n° {sheet.number} : {message}"})
    return errors


# -- the display for users --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@structure_member
def display(request, structure):
    """The poster downloads and the public page's opt-in."""
    if request.method == "POST":
        require(can_publish_action_plan(request.user, structure), MANAGERS_PUBLISH)
        plan_row = ActionPlan.objects.of(structure)
        if request.POST.get("public") == "1":
            plan_row.publish(request.user)
            messages.success(request, "La page publique est en ligne.")
        else:
            plan_row.unpublish(request.user)
            messages.success(request, "La page publique est retirée : elle n’est plus accessible.")
        return redirect("actions:display", code=structure.code)
    plan_row = ActionPlan.objects.filter(structure=structure).select_related("public_changed_by")
    plan_row = plan_row.first()
    context = display_context(structure)
    return render(
        request,
        "actions/display.html",
        {
            **context,
            "title": f"Affichage pour les usagers — {structure.name}",
            "nav": "dashboard",
            "plan_row": plan_row,
            "can_publish": can_publish_action_plan(request.user, structure),
            "role": role_in(request.user, structure),
            "poster_limit": POSTER_ACTIONS,
            "breadcrumb_data": _crumbs(structure, ("", "Affichage pour les usagers")),
        },
    )


def _pdf(pdf: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=attachment, filename=filename
    )
    add_never_cache_headers(response)
    return response


@structure_member
def poster_pdf(request, structure):
    size = PAPER_SIZES.get(request.GET.get("format", "A4").upper())
    if size is None:
        raise Http404("Format inconnu : A4 ou A3.")
    context = display_context(structure, limit=POSTER_ACTIONS)
    context.update(paper=size, font_size=poster_font_size(context, size))
    pdf = render_pdf("actions/pdf/poster.html", "actions/pdf/poster.css", context)
    return _pdf(pdf, exports.filename(structure, f"affiche-{size.lower()}", "pdf"))


def poster_font_size(context, paper: str) -> str:
    """The poster's root size: 10 pt on A4 (A3: times √2), larger when one
    row of actions leaves room, so that the page is filled rather than
    left empty in small print; a little smaller with three rows, so that
    six long actions and the testimonies' banner hold on one page."""
    shown = len(context["under_way"]) + len(context["done"])
    scale = 1.15 if shown <= 2 else 1.0 if shown <= 4 else 0.88
    base = 14.14 if paper == "A3" else 10.0
    return f"{base * scale:.2f}pt"


@public_structure
def public_page(request, structure):
    context = display_context(structure)
    return render(
        request,
        "actions/public.html",
        {
            **context,
            "title": f"Nos engagements et nos actions — {structure.name}",
            "preview": not context["is_public"],
        },
    )


# -- exports ------------------------------------------------------------------------


def _exported(request, structure):
    _, filters, sheets = _filtered(request, structure)
    return list(sheets.prefetch_related("reviews__by")), filters


@structure_member
def export_xlsx(request, structure):
    sheets, _ = _exported(request, structure)
    response = HttpResponse(
        exports.plan_xlsx(structure, sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.filename(structure, "plan-actions", "xlsx")
    )
    add_never_cache_headers(response)
    return response


@structure_member
def export_pdf(request, structure):
    sheets, filters = _exported(request, structure)
    pdf = render_pdf(
        "actions/pdf/plan.html",
        "actions/pdf/plan.css",
        exports.plan_pdf_context(structure, sheets, filters),
    )
    return _pdf(pdf, exports.filename(structure, "plan-actions", "pdf"))


# -- heads: the actions of their scope -------------------------------------------


@login_required
def scope_actions(request):
    if not is_head(request.user):
        raise Http404("Aucun périmètre")
    department = request.GET.get("departement", "").strip().upper()
    sheets = actions_in_scope(request.user).filter(structure__is_active=True)
    structures = structures_in_scope(request.user).filter(is_active=True)
    if department:
        sheets = sheets.filter(structure__department_code=department)
        structures = structures.filter(department_code=department)
    today = timezone.localdate()
    rows = (
        sheets.values("questionnaire", "commitment")
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=Q(status__in=OPEN_STATUSES, planned_end_date__lt=today)),
            **{status.value: Count("pk", filter=Q(status=status.value)) for status in ActionStatus},
        )
        .order_by("questionnaire", "commitment")
    )
    table = exports.scope_table(list(rows), QuestionnaireVersion.objects.defer("document"))
    with_plan = sheets.values("structure").distinct().count()
    return render(
        request,
        "actions/scope.html",
        {
            "title": "Actions du périmètre",
            "nav": "scope",
            "table": table,
            "statuses": list(ActionStatus),
            "structures_count": structures.count(),
            "with_plan": with_plan,
            "department": department,
            "breadcrumb_data": {
                "links": [{"url": reverse("structures:scope"), "title": "Mon périmètre"}],
                "current": "Actions du périmètre",
            },
        },
    )
