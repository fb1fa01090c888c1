"""The pages of listening to users: the public form behind the short link
and the public testimonies (signed out), the team's inbox, a testimony's
moderation and answer, answer templates and set-up, the dashboard, exports,
the card PDF and QR code, and the heads' consolidated dashboard.

Access is decided by `autodiag.permissions` only."""

from __future__ import annotations

import datetime
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from autodiag import ratelimit
from autodiag.actions.models import ActionSheet
from autodiag.actions.pdf import render_pdf
from autodiag.consolidation.filters import read_filters
from autodiag.permissions import (
    can_answer_testimonies,
    can_leave_testimony,
    can_moderate_testimonies,
    can_read_public_testimonies,
    can_read_testimony_consolidation,
    can_set_up_listening,
    consolidation_head,
    listening_link,
    public_structure,
    require,
    role_in,
    scope_structure_filter,
    structure_member,
)
from autodiag.reports.charts import Datum, bar_chart
from autodiag.structures.models import Structure
from autodiag.testimonies import exports
from autodiag.testimonies.charts import column_chart
from autodiag.testimonies.enums import COMMITMENT_WORDS, Channel, Sentiment, Status
from autodiag.testimonies.forms import (
    INBOX_TABS,
    AnswerForm,
    AnswerTemplateForm,
    ListeningForm,
    ModerationForm,
    TestimonyForm,
    error_summary,
    read_inbox_filters,
)
from autodiag.testimonies.mail import notify_author_of_answer
from autodiag.testimonies.models import (
    AnswerTemplate,
    Listening,
    Testimony,
    TestimonyError,
)
from autodiag.testimonies.statistics import (
    dashboard,
    default_period_start,
    never_answering,
    words_of,
)

INBOX_PAGE_SIZE = 25
PUBLIC_PAGE_SIZE = 20
BROWSER_COOKIE = "autodiag_navigateur"
BROWSER_COOKIE_AGE = 2 * 365 * 24 * 3600
MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]  # fmt: skip
MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]  # fmt: skip


def _crumbs(structure, *tail):
    links = [
        {"link": reverse("structures:dashboard"), "title": "Mes structures"},
        {"link": reverse("structures:detail", args=[structure.code]), "title": structure.name},
    ]
    *middle, last = tail or [("", "Écoute des usagers")]
    if tail:
        links.append(
            {
                "link": reverse("testimonies:inbox", args=[structure.code]),
                "title": "Écoute des usagers",
            }
        )
    links += [{"link": link, "title": title} for link, title in middle]
    return {"links": links, "current": last[1]}


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}\u00a0%".replace(".", ",")


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        hours = round(value * 24)
        return f"{hours}\u00a0heure{'s' if hours > 1 else ''}"
    rounded = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{rounded}\u00a0jour{'s' if value >= 2 else ''}"


# -- signed out: the short link and the public testimonies ---------------------------


def _limited(request, structure) -> str | None:
    """A French message when this address or this structure sent too many."""
    window = settings.TESTIMONY_LIMIT_WINDOW
    address = ratelimit.client_address(request)
    if not ratelimit.allow(
        f"testimony-address:{address}", settings.TESTIMONY_LIMIT_PER_ADDRESS, window
    ):
        return (
            "Vous avez déjà envoyé plusieurs témoignages depuis cette connexion. Pour éviter les "
            "envois abusifs, réessayez dans une heure. Votre texte est conservé ci-dessous."
        )
    if not ratelimit.allow(
        f"testimony-structure:{structure.pk}", settings.TESTIMONY_LIMIT_PER_STRUCTURE, window
    ):
        return (
            "Ce service reçoit en ce moment un très grand nombre de témoignages. Réessayez dans "
            "une heure. Votre texte est conservé ci-dessous."
        )
    return None


@listening_link
@require_http_methods(["GET", "POST"])
def leave_testimony(request, structure, listening):
    form = TestimonyForm(request.POST or None)
    refused = None
    if request.method == "POST":
        refused = _limited(request, structure)
        if refused is None and form.is_valid():
            if not form.is_robot:  # robots are thanked and nothing is stored
                Testimony.objects.receive(structure, **form.testimony_fields())
            return redirect("testimonies:thanks", short_code=listening.short_code)
    response = render(
        request,
        "testimonies/leave.html",
        {
            "title": f"Témoigner — {structure.name}",
            "structure": structure,
            "listening": listening,
            "form": form,
            "refused": refused,
            "errors": [] if refused else error_summary(form) if form.is_bound else [],
            "public": can_read_public_testimonies(request.user, structure),
        },
        status=429 if refused else 200,
    )
    return response


@listening_link
def thanks(request, structure, listening):
    return render(
        request,
        "testimonies/thanks.html",
        {
            "title": f"Merci pour votre témoignage — {structure.name}",
            "structure": structure,
            "listening": listening,
            "public": can_read_public_testimonies(request.user, structure),
        },
    )


def _browser(request) -> tuple[str, bool]:
    """The browser's random identifier (a cookie), and whether it is new."""
    value = request.COOKIES.get(BROWSER_COOKIE, "")
    if len(value) == 43:
        return value, False
    return secrets.token_urlsafe(32), True


@public_structure
def public_testimonies(request, structure):
    published = (
        Testimony.objects.for_structure(structure)
        .published()
        .select_related("action")
        .newest_first()
    )
    page = Paginator(published, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    listening = Listening.objects.filter(structure=structure).first()
    marked = set()
    browser = request.COOKIES.get(BROWSER_COOKIE)
    if browser:
        import hashlib

        digest = hashlib.sha256(browser.encode("utf-8")).hexdigest()
        marked = set(
            structure.testimonies.filter(
                useful_marks__browser=digest, pk__in=[t.pk for t in page]
            ).values_list("pk", flat=True)
        )
    return render(
        request,
        "testimonies/public.html",
        {
            "title": f"Témoignages des usagers — {structure.name}",
            "structure": structure,
            "page": page,
            "marked": marked,
            "listening": listening,
            "open": can_leave_testimony(structure) and listening is not None,
            "query": "",
        },
    )


@public_structure
@require_POST
def mark_useful(request, structure, pk):
    testimony = get_object_or_404(
        Testimony.objects.for_structure(structure).published().answered(), pk=pk
    )
    browser, new = _browser(request)
    if testimony.mark_useful(browser):
        messages.success(request, "Merci : votre avis sur cette réponse est compté.")
    else:
        messages.info(request, "Vous avez déjà indiqué que cette réponse vous a été utile.")
    response = redirect(
        reverse("testimonies:public", args=[structure.code]) + f"#temoignage-{testimony.pk}"
    )
    if new:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=BROWSER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# -- the team: inbox, a testimony ------------------------------------------------------------


def _filtered(structure, query):
    filters, values, errors = read_inbox_filters(query)
    testimonies = Testimony.objects.for_structure(structure)
    by_tab = {
        "a-moderer": testimonies.to_moderate(),
        "a-repondre": testimonies.to_answer(),
        "repondus": testimonies.answered(),
        "rejetes": testimonies.rejected(),
        "tous": testimonies,
    }
    chosen = by_tab[filters.tab]
    if filters.channel:
        chosen = chosen.through(filters.channel)
    if filters.sentiment:
        chosen = chosen.with_sentiment(filters.sentiment)
    if filters.commitment:
        chosen = chosen.about(filters.commitment)
    chosen = chosen.received_between(filters.start, filters.end)
    return filters, values, errors, chosen


def _query_without(values: dict, *names) -> str:
    return urlencode({k: v for k, v in values.items() if v and k not in names})


@structure_member
def inbox(request, structure):
    filters, values, errors, chosen = _filtered(structure, request.GET)
    page = Paginator(chosen.newest_first(), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    base = Testimony.objects.for_structure(structure)
    tab_counts = {
        "a-moderer": base.to_moderate().count(),
        "a-repondre": base.to_answer().count(),
    }
    return render(
        request,
        "testimonies/inbox.html",
        {
            "title": f"Écoute des usagers — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "page": page,
            "filters": filters,
            "values": values,
            "errors": errors,
            "tabs": [
                (key, label, tab_counts.get(key), _query_without(values, "onglet", "page"))
                for key, label in INBOX_TABS.items()
            ],
            "query": _query_without(values, "page"),
            "channels": Channel.choices,
            "sentiments": Sentiment.choices,
            "commitments": list(COMMITMENT_WORDS.items()),
            "listening": Listening.objects.of(structure),
            "is_member": role_in(request.user, structure) is not None,
            "can_set_up": can_set_up_listening(request.user, structure),
            "breadcrumb_data": _crumbs(structure),
        },
    )


def _testimony(structure, pk) -> Testimony:
    return get_object_or_404(
        Testimony.objects.for_structure(structure).select_related(
            "moderated_by", "answered_by", "action"
        ),
        pk=pk,
    )


def _detail(request, structure, testimony, *, moderation=None, answer=None, status=200):
    listening = Listening.objects.of(structure)
    templates = AnswerTemplate.objects.filter(structure=structure)
    if answer is None:
        answer = AnswerForm(
            initial={
                "text": testimony.answer_text,
                "signature": testimony.answer_signature or listening.signature,
            }
        )
    if moderation is None:
        moderation = ModerationForm(
            initial={
                "decision": {
                    "published": "publish",
                    "private": "private",
                    "rejected": "reject",
                }.get(testimony.status),
                "public_title": testimony.public_title,
                "public_text": testimony.public_text,
                "reject_reason": testimony.reject_reason,
                "reject_note": testimony.reject_note,
            }
        )
    return render(
        request,
        "testimonies/detail.html",
        {
            "title": f"Témoignage de {testimony.pseudonym} — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "testimony": testimony,
            "moderation": moderation,
            "answer": answer,
            "templates": templates,
            "actions": ActionSheet.objects.for_structure(structure).order_by("number"),
            "errors": error_summary(moderation, answer)
            if moderation.is_bound or answer.is_bound
            else [],
            "can_moderate": can_moderate_testimonies(request.user, structure),
            "can_answer": can_answer_testimonies(request.user, structure)
            and testimony.status in (Status.PUBLISHED, Status.PRIVATE),
            "is_member": role_in(request.user, structure) is not None,
            "breadcrumb_data": _crumbs(structure, ("", f"Témoignage de {testimony.pseudonym}")),
        },
        status=status,
    )


@structure_member
def testimony_detail(request, structure, pk):
    return _detail(request, structure, _testimony(structure, pk))


@structure_member
@require_POST
def moderate(request, structure, pk):
    require(
        can_moderate_testimonies(request.user, structure),
        "Seuls les membres de la structure modèrent ses témoignages.",
    )
    testimony = _testimony(structure, pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _detail(request, structure, testimony, moderation=form, status=400)
    data = form.cleaned_data
    try:
        if data["decision"] == "publish":
            testimony.publish(
                request.user, public_title=data["public_title"], public_text=data["public_text"]
            )
            messages.success(request, "Le témoignage est publié sur la page publique du service.")
        elif data["decision"] == "private":
            testimony.keep_private(request.user)
            messages.success(request, "Le témoignage est gardé privé : il ne sera jamais publié.")
        else:
            testimony.reject(request.user, reason=data["reject_reason"], note=data["reject_note"])
            messages.success(request, "Le témoignage est rejeté.")
    except TestimonyError as error:
        for name, message in error.problems.items():
            form.add_error(name if name in form.fields else None, message)
        return _detail(request, structure, testimony, moderation=form, status=400)
    return redirect("testimonies:detail", code=structure.code, pk=testimony.pk)


@structure_member
@require_POST
def answer(request, structure, pk):
    require(
        can_answer_testimonies(request.user, structure),
        "Seuls les membres de la structure répondent à ses témoignages.",
    )
    testimony = _testimony(structure, pk)
    if request.POST.get("inserer_modele"):
        return _with_template(request, structure, testimony)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, structure, testimony, answer=form, status=400)
    try:
        with transaction.atomic():
            first = testimony.answer(
                request.user,
                text=form.cleaned_data["text"],
                signature=form.cleaned_data["signature"],
            )
    except TestimonyError as error:
        for message in error.problems.values():
            form.add_error("text", message)
        return _detail(request, structure, testimony, answer=form, status=400)
    if first:
        public_url = (
            settings.SITE_URL.rstrip("/")
            + reverse("testimonies:public", args=[structure.code])
            + f"#temoignage-{testimony.pk}"
        )
        notified = notify_author_of_answer(testimony, public_url)
        messages.success(
            request,
            "La réponse est enregistrée"
            + (" ; l’auteur en est prévenu par courriel." if notified else "."),
        )
    else:
        messages.success(request, "La réponse est corrigée.")
    return redirect("testimonies:detail", code=structure.code, pk=testimony.pk)


def _with_template(request, structure, testimony):
    """The answer form again, the chosen template added after what was
    already typed (nothing typed is lost); nothing is saved."""
    chosen = AnswerTemplate.objects.filter(
        structure=structure,
        pk=request.POST.get("modele", "") if request.POST.get("modele", "").isdigit() else -1,
    ).first()
    typed = request.POST.get("text", "").rstrip()
    text = typed
    if chosen is not None:
        text = (typed + "\n\n" if typed else "") + chosen.for_testimony(testimony)
    form = AnswerForm(initial={"text": text, "signature": request.POST.get("signature", "")})
    return _detail(request, structure, testimony, answer=form)


@structure_member
@require_POST
def link_action(request, structure, pk):
    require(
        can_answer_testimonies(request.user, structure),
        "Seuls les membres de la structure relient un témoignage à une fiche action.",
    )
    testimony = _testimony(structure, pk)
    number = request.POST.get("action", "").strip()
    action = None
    if number:
        action = (
            ActionSheet.objects.for_structure(structure)
            .filter(number=number if number.isdigit() else -1)
            .first()
        )
        if action is None:
            messages.error(request, f"Fiche action inconnue : « {number} ».")
            return redirect("testimonies:detail", code=structure.code, pk=testimony.pk)
    testimony.link_action(action)
    messages.success(
        request,
        f"Le témoignage est relié à la fiche action n° {action.number}."
        if action
        else "Le lien à la fiche action est retiré.",
    )
    return redirect("testimonies:detail", code=structure.code, pk=testimony.pk)


# -- set-up and answer templates -----------------------------------------------------------


@structure_member
@require_http_methods(["GET", "POST"])
def set_up(request, structure):
    listening = Listening.objects.of(structure)
    can_change = can_set_up_listening(request.user, structure)
    form = ListeningForm(request.POST or None, instance=listening)
    if request.method == "POST":
        require(can_change, "Seuls les responsables de la structure changent ces réglages.")
        if form.is_valid():
            form.save()
            messages.success(request, "Les réglages sont enregistrés.")
            return redirect("testimonies:set_up", code=structure.code)
    return render(
        request,
        "testimonies/set_up.html",
        {
            "title": f"Faire témoigner les usagers — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "listening": listening,
            "form": form,
            "errors": error_summary(form) if form.is_bound else [],
            "can_change": can_change,
            "is_member": role_in(request.user, structure) is not None,
            "templates": AnswerTemplate.objects.filter(structure=structure),
            "qr": qr_svg(listening),
            "breadcrumb_data": _crumbs(structure, ("", "Faire témoigner les usagers")),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@structure_member
@require_http_methods(["GET", "POST"])
def edit_template(request, structure, pk=None):
    require(
        can_answer_testimonies(request.user, structure),
        "Seuls les membres de la structure écrivent ses modèles de réponse.",
    )
    template = None
    if pk is not None:
        template = get_object_or_404(AnswerTemplate, structure=structure, pk=pk)
    form = AnswerTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.structure = structure
        saved.updated_by = request.user
        saved.save()
        messages.success(request, f"Le modèle « {saved.title} » est enregistré.")
        return redirect("testimonies:set_up", code=structure.code)
    return render(
        request,
        "testimonies/template_form.html",
        {
            "title": f"Modèle de réponse — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "form": form,
            "template": template,
            "errors": error_summary(form) if form.is_bound else [],
            "breadcrumb_data": _crumbs(
                structure,
                (
                    reverse("testimonies:set_up", args=[structure.code]),
                    "Faire témoigner les usagers",
                ),
                ("", "Modèle de réponse"),
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@structure_member
@require_POST
def delete_template(request, structure, pk):
    require(
        can_answer_testimonies(request.user, structure),
        "Seuls les membres de la structure suppriment ses modèles de réponse.",
    )
    template = get_object_or_404(AnswerTemplate, structure=structure, pk=pk)
    template.delete()
    messages.success(request, f"Le modèle « {template.title} » est supprimé.")
    return redirect("testimonies:set_up", code=structure.code)


# -- card, QR code -------------------------------------------------------------------------------


def qr_svg(listening, scale: int = 4) -> str:
    """The short link's QR code as SVG markup (title and description for
    screen readers; presentation attributes only, CSP-safe)."""
    code = segno.make(listening.short_url, error="m")
    return code.svg_inline(
        scale=scale,
        title=f"Code QR du lien {listening.short_url}",
        desc="Scannez-le pour témoigner de votre expérience avec ce service.",
        svgclass="autodiag-qr",
        lineclass=None,
        omitsize=False,
    )


@structure_member
def qr_code(request, structure):
    listening = Listening.objects.of(structure)
    response = HttpResponse(qr_svg(listening, scale=10), content_type="image/svg+xml")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=request.GET.get("telecharger") == "1",
        filename=f"autodiag-{structure.code}-qr-temoignage.svg",
    )
    return response


CARD_SIZES = {"a6": ("A6", "105mm 148mm"), "visite": ("carte de visite", "85mm 55mm")}


@structure_member
def card_pdf(request, structure):
    size = CARD_SIZES.get(request.GET.get("format", "a6").lower())
    if size is None:
        raise Http404("Format inconnu : a6 ou visite.")
    listening = Listening.objects.of(structure)
    code = segno.make(listening.short_url, error="m")
    context = {
        "structure": structure,
        "listening": listening,
        "qr_uri": code.svg_data_uri(scale=6, title="Code QR", omitsize=False),
        "page_size": size[1],
        "small": request.GET.get("format") == "visite",
    }
    pdf = render_pdf("testimonies/pdf/card.html", "testimonies/pdf/card.css", context)
    return _file(pdf, "application/pdf", exports_name(structure, "carte-temoignage", "pdf"))


# -- dashboards ----------------------------------------------------------------------------------


def exports_name(structure, kind: str, extension: str) -> str:
    from autodiag.actions.exports import filename

    return filename(structure, kind, extension)


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    add_never_cache_headers(response)
    return response


def charts_of(figures, prefix: str) -> dict:
    """The dashboard's charts: volume per month, satisfied per channel and
    per commitment (with their data tables)."""

    def shares(rows, id, title, caption, header):
        return bar_chart(
            f"{prefix}-{id}",
            title,
            [
                Datum(
                    row.label,
                    row.satisfied_share,
                    _percent(row.satisfied_share) if row.total else "aucun",
                    (str(row.total), _percent(row.neutral_share), _percent(row.dissatisfied_share)),
                )
                for row in rows
            ],
            caption=caption,
            label_header=header,
            value_header="Satisfaits",
            extra_headers=("Témoignages", "Neutres", "Insatisfaits"),
            summary="Part des témoignages satisfaits.",
        )

    return {
        "months": column_chart(
            f"{prefix}-mois",
            "Témoignages reçus par mois",
            [
                (
                    MONTHS[month.month - 1],
                    str(month.year) if index == 0 or month.month == 1 else "",
                    count,
                )
                for index, (month, count) in enumerate(figures.months)
            ],
            caption="Témoignages reçus par mois (hors rejetés)",
        ),
        "month_rows": [
            (f"{MONTH_NAMES[m.month - 1]} {m.year}", count) for m, count in figures.months
        ],
        "channels": shares(
            figures.channels,
            "canaux",
            "Part de satisfaits par canal",
            "Ressenti des usagers par canal de contact",
            "Canal",
        ),
        "commitments": shares(
            figures.commitments,
            "engagements",
            "Part de satisfaits par engagement",
            "Ressenti des usagers par engagement concerné",
            "Engagement",
        ),
    }


def _period(query):
    """(start, end, values, errors) of `du`/`au` (default: the current
    month and the eleven before)."""
    from autodiag.testimonies.forms import _day

    start, end = default_period_start(), timezone.localdate()
    values, errors = {}, {}
    for name, label in (("du", "début"), ("au", "fin")):
        raw = str(query.get(name, "")).strip()
        if raw:
            try:
                day = _day(raw)
            except ValueError:
                errors[name] = f"Date de {label} invalide : « {raw} » (format attendu JJ/MM/AAAA)."
                continue
            start, end = (day, end) if name == "du" else (start, day)
    if start > end:
        errors["au"] = "La date de fin doit suivre la date de début."
        start, end = default_period_start(), timezone.localdate()
    values = {"du": start.isoformat(), "au": end.isoformat()}
    return start, end, values, errors


@structure_member
def structure_dashboard(request, structure):
    start, end, values, errors = _period(request.GET)
    figures = dashboard(Structure.objects.filter(pk=structure.pk).values("pk"), start, end)
    figures.words = words_of(Testimony.objects.for_structure(structure), start, end)
    return render(
        request,
        "testimonies/dashboard.html",
        {
            "title": f"Tableau de bord des témoignages — {structure.name}",
            "nav": "dashboard",
            "structure": structure,
            "figures": figures,
            "charts": charts_of(figures, "temoignages"),
            "values": values,
            "errors": errors,
            "start": start,
            "end": end,
            "median": _days(figures.median_answer_days),
            "answered_share": _percent(figures.answered_share),
            "satisfied_share": _percent(figures.overall.satisfied_share),
            "dissatisfied_share": _percent(figures.overall.dissatisfied_share),
            "breadcrumb_data": _crumbs(structure, ("", "Tableau de bord")),
        },
    )


def _export_of(request, structure):
    query = request.GET.copy()
    query.setdefault("onglet", "tous")  # an export holds every tab unless one is chosen
    _, _, _, chosen = _filtered(structure, query)
    return chosen.exclude(status=Status.REJECTED).newest_first()


@structure_member
def export_csv(request, structure):
    content = exports.csv_bytes(_export_of(request, structure))
    return _file(content, "text/csv; charset=utf-8", exports_name(structure, "temoignages", "csv"))


@structure_member
def export_xlsx(request, structure):
    content = exports.xlsx_bytes(_export_of(request, structure))
    return _file(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports_name(structure, "temoignages", "xlsx"),
    )


PDF_LIMIT = 300


@structure_member
def export_pdf(request, structure):
    testimonies = list(_export_of(request, structure)[: PDF_LIMIT + 1])
    context = {
        "structure": structure,
        "testimonies": testimonies[:PDF_LIMIT],
        "truncated": len(testimonies) > PDF_LIMIT,
        "limit": PDF_LIMIT,
        "generated_on": timezone.localdate(),
    }
    pdf = render_pdf("testimonies/pdf/verbatims.html", "testimonies/pdf/verbatims.css", context)
    return _file(pdf, "application/pdf", exports_name(structure, "temoignages", "pdf"))


# -- heads: consolidated ---------------------------------------------------------------------------


def scope_testimonies(user, filters):
    """The testimonies of the structures of the user's scope that the
    filters keep (no join for the national scope unfiltered)."""
    structures = scope_structures(user, filters)
    testimonies = Testimony.objects.all()
    return testimonies if structures is None else testimonies.filter(structure__in=structures)


def scope_structures(user, filters):
    """The structures of the user's scope that the filters keep, as a
    queryset of ids; None for every structure (the national scope
    unfiltered: no join)."""
    scope = scope_structure_filter(user)
    if scope is None and not filters.places_or_kinds:
        return None
    q = filters.structure_q()
    if scope is not None:
        q &= scope
    return Structure.objects.filter(q).values("pk")


def read_scope_filters(user, query, *, with_choices: bool = True):
    """The consolidated pages' filters (period, region, department,
    network, type; consolidation.filters, the same choices and messages),
    without the questionnaire version, which testimonies do not have."""
    from dataclasses import replace

    from autodiag.consolidation.statistics import Filters

    query = query.copy()
    query.pop("version", None)
    if not str(query.get("du", "")).strip():  # whole months by default: read from the tallies
        query["du"] = default_period_start().isoformat()
    form = read_filters(user, query, with_choices=with_choices)
    form.errors.pop("version", None)
    if form.filters is None and not form.errors:
        values = form.values
        start, end = (datetime.date.fromisoformat(values[name]) for name in ("du", "au"))
        form = replace(
            form,
            filters=Filters(
                version=None,
                start=start,
                end=end,
                region=values["region"],
                department=values["departement"],
                network_id=int(values["reseau"]) if values["reseau"] else None,
                structure_type=values["type"],
            ),
        )
    return form


@consolidation_head
def consolidated(request):
    require(can_read_testimony_consolidation(request.user), "Réservé aux têtes de réseau.")
    form = read_scope_filters(request.user, request.GET)
    figures = charts = None
    never, never_total = [], 0
    if form.is_valid:
        filters = form.filters
        structures = scope_structures(request.user, filters)
        figures = dashboard(structures, filters.start, filters.end)
        rows, never_total = never_answering(structures, filters.start, filters.end)
        names = Structure.objects.in_bulk([pk for pk, _ in rows])
        never = [(names[pk], kept) for pk, kept in rows if pk in names]
        charts = charts_of(figures, "perimetre-temoignages")
    return render(
        request,
        "testimonies/consolidated.html",
        {
            "title": "Témoignages des usagers de mon périmètre",
            "nav": "consolidation",
            "form": form,
            "figures": figures,
            "charts": charts,
            "never": never,
            "never_total": never_total,
            "median": _days(figures.median_answer_days) if figures else "—",
            "answered_share": _percent(figures.answered_share) if figures else "—",
            "satisfied_share": _percent(figures.overall.satisfied_share) if figures else "—",
            "dissatisfied_share": _percent(figures.overall.dissatisfied_share) if figures else "—",
            "query": urlencode({k: v for k, v in form.values.items() if v and k != "version"}),
            "breadcrumb_data": {
                "links": [
                    {"link": reverse("consolidation:report"), "title": "Résultats consolidés"}
                ],
                "current": "Témoignages des usagers",
            },
        },
        status=200 if form.is_valid else 400,
    )


def _scope_export(request):
    form = read_scope_filters(request.user, request.GET, with_choices=False)
    if not form.is_valid:
        raise Http404(" ".join(form.errors.values()))
    filters = form.filters
    return (
        scope_testimonies(request.user, filters)
        .received_between(filters.start, filters.end)
        .exclude(status=Status.REJECTED)
        .newest_first()
    )


@consolidation_head
def consolidated_csv(request):
    content = exports.csv_bytes(_scope_export(request))
    day = timezone.localdate().isoformat()
    return _file(content, "text/csv; charset=utf-8", f"autodiag-temoignages-perimetre-{day}.csv")


@consolidation_head
def consolidated_xlsx(request):
    content = exports.xlsx_bytes(_scope_export(request))
    day = timezone.localdate().isoformat()
    return _file(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"autodiag-temoignages-perimetre-{day}.xlsx",
    )
