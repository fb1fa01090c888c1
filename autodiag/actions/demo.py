"""The demonstration action plan (called by `autodiag demo`): the CAF's
team drew three sheets from last year's results and has reviewed them
monthly since; one is done, one under way, one late."""

from __future__ import annotations

import datetime

from django.utils import timezone

from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionSheet
from autodiag.diagnostics.models import Diagnostic


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


SHEETS = [
    {
        "commitment": 4,
        "theme": "delais",
        "title": "Rappeler les délais de traitement dans les courriers de demande de pièces",
        "problem": "Les délais de traitement ne sont pas rappelés dans les courriers de demande "
        "de pièces : les allocataires appellent pour savoir où en est leur dossier.",
        "objective": "Que chaque allocataire sache, dès la demande de pièces, quand son dossier "
        "sera traité.",
        "description": "Ajouter un paragraphe « Quand aurez-vous une réponse ? » aux six "
        "courriers types de demande de pièces ; former les rédacteurs à l’utiliser.",
        "indicators": "Part des courriers de demande de pièces indiquant le délai ; nombre "
        "d’appels « où en est mon dossier ? » par mois.",
        "expected_results": "100 % des courriers concernés ; 15 % d’appels de relance en moins.",
        "users_asked": True,
        "start": -320,
        "end": -120,
        "reviews": [
            (
                -290,
                ActionStatus.IN_PROGRESS,
                20,
                "Paragraphe rédigé avec deux allocataires du comité local.",
            ),
            (-200, ActionStatus.IN_PROGRESS, 70, "Quatre courriers types sur six modifiés."),
            (
                -100,
                ActionStatus.DONE,
                100,
                "Les six courriers sont en service depuis le 1er du mois.",
            ),
        ],
    },
    {
        "commitment": 5,
        "theme": "formations",
        "title": "Former les rédacteurs de courriers au langage clair",
        "problem": "Les agents ne sont pas encore formés aux principes du langage clair "
        "(formations de l’engagement 5 : 25 %).",
        "objective": "Des courriers que les allocataires comprennent du premier coup.",
        "description": "Deux sessions d’une demi-journée avec la caisse nationale, puis relecture "
        "croisée des nouveaux courriers types.",
        "indicators": "Nombre d’agents formés ; taux d’atteinte de la thématique « Formations » "
        "de l’engagement 5 au prochain autodiagnostic.",
        "expected_results": "Les 12 rédacteurs formés avant l’été.",
        "users_asked": False,
        "start": -150,
        "end": 75,
        "reviews": [
            (
                -120,
                ActionStatus.IN_PROGRESS,
                10,
                "Dates des sessions arrêtées avec la caisse nationale.",
            ),
            (-30, ActionStatus.IN_PROGRESS, 40, "Première session faite : 6 rédacteurs formés."),
        ],
    },
    {
        "commitment": 7,
        "theme": "amelioration-continue",
        "title": "Réunir une conférence des parties prenantes avec les élus et les partenaires",
        "problem": "Aucune conférence des parties prenantes n’a encore été organisée avec les "
        "élus et les partenaires.",
        "objective": "Présenter nos résultats et décider avec les élus et les partenaires des "
        "priorités de l’année.",
        "description": "Une réunion en mairie du 3e arrondissement, préparée avec le comité local "
        "des allocataires.",
        "indicators": "Conférence tenue ; nombre de propositions retenues.",
        "expected_results": "Une conférence par an.",
        "users_asked": True,
        "start": -90,
        "end": -12,
        "reviews": [
            (-60, ActionStatus.IN_PROGRESS, 30, "Invitations envoyées ; deux élus ont répondu."),
            (
                -25,
                ActionStatus.IN_PROGRESS,
                60,
                "Date à repousser : la salle n’est pas disponible.",
            ),
        ],
    },
]


def load_demo_actions(structure, agent, manager) -> None:
    """Idempotent: nothing happens if the structure already has sheets."""
    if ActionSheet.objects.for_structure(structure).exists():
        return
    source = (
        Diagnostic.objects.filter(structure=structure)
        .validated()
        .select_related("questionnaire")
        .order_by("-validated_at")
        .first()
    )
    if source is None:
        return
    for index, data in enumerate(SHEETS):
        sheet = ActionSheet.objects.create_for(
            structure,
            by=agent,
            contributors=[agent],
            questionnaire=source.questionnaire,
            source_diagnostic=source,
            commitment=data["commitment"],
            theme=data["theme"],
            title=data["title"],
            responsible=manager if index % 2 == 0 else agent,
            other_contributors="Deux allocataires du comité local" if data["users_asked"] else "",
            start_date=_days(data["start"]),
            planned_end_date=_days(data["end"]),
            problem=data["problem"],
            objective=data["objective"],
            description=data["description"],
            indicators=data["indicators"],
            expected_results=data["expected_results"],
            users_asked=data["users_asked"],
        )
        # Written when the team met, just before the action started.
        written = timezone.now() + datetime.timedelta(days=data["start"] - 5)
        ActionSheet.objects.filter(pk=sheet.pk).update(created_at=written)
        sheet.refresh_from_db()
        for days, status, progress, note in data["reviews"]:
            sheet.record_review(
                by=manager, on=_days(days), status=status, progress=progress, note=note
            )
