"""Testimonies in the JSON API (docs/api.md): the same tokens and scopes as
the rest of the API (`autodiag.api`, which mounts this router under
/api/testimonies). A request reads what the token's creator reads as a
head, limited to the token's network: published and private testimonies
(rejected ones on request), their answers, and the dashboard's figures.
The text given is the one with personal data masked; authors' e-mail
addresses never leave the platform."""

from __future__ import annotations

import datetime

from django.http import QueryDict
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from autodiag.testimonies.enums import Channel, Sentiment, Status
from autodiag.testimonies.models import Testimony
from autodiag.testimonies.statistics import dashboard, never_answering

router = Router(tags=["témoignages"])
MAX_PAGE_SIZE = 500


class Error(Schema):
    detail: str


class TestimonyOut(Schema):
    id: int
    structure: str = Field(description="code Services Publics+ de la structure")
    received_at: datetime.datetime
    happened_on: datetime.date | None
    status: str = Field(description="new, published, private ou rejected")
    channel: str
    sentiment: str = Field(description="satisfied, neutral ou dissatisfied")
    commitments: list[int]
    pseudonym: str
    title: str = Field(description="titre publié (données personnelles masquées)")
    text: str = Field(description="texte publié (données personnelles masquées)")
    answer: str
    answer_signature: str
    answered_at: datetime.datetime | None
    answer_seconds: int | None = Field(description="délai de la première réponse, en secondes")
    useful: int = Field(description="lecteurs qui ont trouvé la réponse utile")


class TestimonyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TestimonyOut]


class Slice(Schema):
    key: str
    label: str
    count: int
    satisfied: int
    neutral: int
    dissatisfied: int


class Month(Schema):
    month: datetime.date
    count: int


class TestimonyStatistics(Schema):
    start: datetime.date
    end: datetime.date
    count: int = Field(description="témoignages reçus, hors rejetés")
    to_moderate: int
    published: int
    private: int
    rejected: int
    answered: int = Field(description="publiés ou privés ayant reçu une réponse")
    answered_share: float | None = Field(description="pourcentage")
    median_answer_seconds: float | None
    overall: Slice
    channels: list[Slice]
    commitments: list[Slice]
    months: list[Month]
    structures_never_answering: int = Field(
        description="structures ayant des témoignages publiés ou privés et aucune réponse"
    )


class TestimonyFilters(Schema):
    du: datetime.date | None = Field(
        None, description="reçus à partir de cette date (défaut : il y a un an)"
    )
    au: datetime.date | None = Field(
        None, description="reçus jusqu’à cette date incluse (défaut : aujourd’hui)"
    )
    region: str | None = Field(None, description="code INSEE de la région")
    departement: str | None = Field(None, description="code INSEE du département")
    type: str | None = Field(None, description="type de structure")


class TestimonyQuery(Schema):
    structure: str | None = Field(None, description="code Services Publics+ d’une structure")
    etat: Status | None = Field(None, description="état (par défaut : publiés et privés)")
    canal: Channel | None = None
    ressenti: Sentiment | None = None
    engagement: int | None = Field(None, ge=1, le=8)
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


def _scope(request, filters: TestimonyFilters):
    from autodiag.testimonies.views import read_scope_filters, scope_structures

    query = QueryDict(mutable=True)
    for name, value in filters.dict().items():
        if value is not None:
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    query["reseau"] = str(request.api_network.pk)
    form = read_scope_filters(request.api_user, query, with_choices=False)
    if not form.is_valid:
        raise HttpError(400, " ".join(form.errors.values()))
    chosen = form.filters
    structures = scope_structures(request.api_user, chosen)  # reseau given: never None
    return chosen, structures


def _out(t) -> dict:
    return {
        "id": t.pk,
        "structure": t.structure.code,
        "received_at": t.received_at,
        "happened_on": t.happened_on,
        "status": t.status,
        "channel": t.channel,
        "sentiment": t.sentiment,
        "commitments": t.commitment_numbers,
        "pseudonym": t.pseudonym,
        "title": t.public_title,
        "text": t.public_text,
        "answer": t.answer_text,
        "answer_signature": t.answer_signature,
        "answered_at": t.answered_at,
        "answer_seconds": t.answer_seconds,
        "useful": t.useful_count,
    }


def _slice(row) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "count": row.total,
        "satisfied": row.satisfied,
        "neutral": row.neutral,
        "dissatisfied": row.dissatisfied,
    }


@router.get("", response={200: TestimonyPage, 400: Error}, summary="Témoignages des usagers")
def list_testimonies(request, filters: Query[TestimonyFilters], query: Query[TestimonyQuery]):
    """The testimonies received in the period by the structures of the
    token's network within its creator's scope, newest first."""
    chosen, structures = _scope(request, filters)
    testimonies = Testimony.objects.filter(structure__in=structures).received_between(
        chosen.start, chosen.end
    )
    if query.structure:
        testimonies = testimonies.filter(structure__code=query.structure)
    testimonies = testimonies.filter(status=query.etat) if query.etat else testimonies.kept()
    if query.canal:
        testimonies = testimonies.through(query.canal)
    if query.ressenti:
        testimonies = testimonies.with_sentiment(query.ressenti)
    if query.engagement:
        testimonies = testimonies.about(query.engagement)
    testimonies = testimonies.select_related("structure").newest_first()
    start = (query.page - 1) * query.page_size
    return {
        "count": testimonies.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": [_out(t) for t in testimonies[start : start + query.page_size]],
    }


@router.get(
    "/statistics",
    response={200: TestimonyStatistics, 400: Error},
    summary="Statistiques des témoignages",
)
def testimony_statistics(request, filters: Query[TestimonyFilters]):
    """The consolidated dashboard of the network's structures in scope:
    counts, sentiments by channel and commitment, months, answers."""
    chosen, structures = _scope(request, filters)
    figures = dashboard(structures, chosen.start, chosen.end)
    _, never_total = never_answering(structures, chosen.start, chosen.end)
    return {
        "start": chosen.start,
        "end": chosen.end,
        "count": figures.total,
        "to_moderate": figures.to_moderate,
        "published": figures.published,
        "private": figures.private,
        "rejected": figures.rejected,
        "answered": figures.answered,
        "answered_share": round(figures.answered_share, 4)
        if figures.answered_share is not None
        else None,
        "median_answer_seconds": figures.median_answer_seconds,
        "overall": _slice(figures.overall),
        "channels": [_slice(row) for row in figures.channels],
        "commitments": [_slice(row) for row in figures.commitments],
        "months": [{"month": month, "count": count} for month, count in figures.months],
        "structures_never_answering": never_total,
    }
