"""Demonstration testimonies (called by `autodiag demo`): the CAF's public
page published, testimonies of every kind on the demo structures (waiting
for moderation, published with or without an answer, kept private,
rejected), answer templates, one testimony behind a done action (« Vous
nous l’avez dit, nous l’avons fait »), and a few CAF agencies that never
answer, for the network head's consolidated view. Idempotent: a structure
that has testimonies is left as it is."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionPlan, ActionSheet
from autodiag.structures.models import Structure
from autodiag.testimonies.enums import Channel, RejectReason, Sentiment
from autodiag.testimonies.models import AnswerTemplate, Listening, Testimony, commitments_mask

S, N, D = Sentiment.SATISFIED, Sentiment.NEUTRAL, Sentiment.DISSATISFIED

# (days ago, channel, sentiment, commitments, pseudonym, title, text, what happens:
# "answer" published and answered, "publish", "private", "private-answer",
# "reject", "new"; answered after so many days)
CAF_TESTIMONIES = [
    (300, Channel.MAIL, D, [4], "Rinpecou", "Aucune date dans le courrier",
     "J’ai reçu un courrier me demandant des pièces, sans savoir quand mon dossier serait traité. "
     "J’ai dû appeler trois fois pour le savoir.", "answer", 3),
    (250, Channel.RECEPTION, S, [1, 3], "rugby 71", "Un accueil attentif",
     "L’agent a pris le temps de m’expliquer mes droits et de m’aider à remplir ma demande de "
     "prime d’activité. Merci pour sa patience.", "answer", 1),
    (190, Channel.PHONE, D, [2], "Camille B.", "Longue attente au téléphone",
     "Vingt minutes d’attente au téléphone avant d’avoir quelqu’un, et la musique coupe sans "
     "arrêt.", "answer", 6),
    (150, Channel.ONLINE, N, [5], "lecteur69", "Le simulateur est clair",
     "Le simulateur en ligne est clair, mais je n’ai pas trouvé où envoyer mon avis "
     "d’imposition.", "publish", None),
    (120, Channel.EMAIL, D, [4, 7], "Anonyme", "Réclamation sans réponse",
     "J’ai écrit deux fois par courriel au sujet de mon dossier 1234567, sans réponse. Mon "
     "numéro : 06 12 34 56 78.", "private-answer", 2),
    (80, Channel.RECEPTION, S, [1], "Lou", "Droit à l’erreur respecté",
     "Je m’étais trompé dans ma déclaration ; on m’a aidé à la corriger sans pénalité.",
     "answer", 2),
    (45, Channel.RECEPTION, D, [2], "pressé", "Guichet fermé à 16 h",
     "Le guichet ferme à 16 h alors que le site indique 17 h. Attente inutile.", "private", None),
    (30, Channel.ONLINE, N, [], "Visiteur", "Publicité",
     "Achetez des montres pas chères sur notre site !", "reject", None),
    (12, Channel.PHONE, S, [3], "Maman de trois", "Rappel le jour même",
     "On m’a rappelée le jour même pour finir mon dossier de naissance. Très efficace.",
     "publish", None),
    (4, Channel.RECEPTION, D, [1], "Dédé", "Attente debout",
     "Quarante minutes d’attente debout : il n’y a que quatre chaises dans la salle.", "new",
     None),
    (1, Channel.MAIL, S, [5], "Nadia", "Courrier enfin compréhensible",
     "Le nouveau courrier de demande de pièces dit clairement quand le dossier sera traité. "
     "Merci !", "new", None),
]  # fmt: skip

ANSWERS = {
    "Rinpecou": "Bonjour Rinpecou,\n\nMerci pour votre témoignage. Vous avez raison : nos courriers "
    "de demande de pièces n’indiquaient pas le délai de traitement. Depuis, chacun d’eux dit "
    "quand votre dossier sera traité.",
    "rugby 71": "Bonjour rugby 71,\n\nNous vous remercions pour votre retour d’expérience et pour "
    "avoir porté votre satisfaction à notre connaissance. Nous le transmettons à l’équipe "
    "d’accueil.",
    "Camille B.": "Bonjour Camille B.,\n\nMerci de nous l’avoir signalé. Nous renforçons l’équipe "
    "téléphonique le lundi matin, jour le plus chargé, et proposons désormais un rappel.",
    "Anonyme": "Bonjour,\n\nNous sommes désolés de ce silence. Votre dossier est traité ; un "
    "conseiller vous a appelé.",
    "Lou": "Bonjour Lou,\n\nMerci pour ce témoignage : le droit à l’erreur est l’un de nos "
    "engagements.",
}

TEMPLATES = [
    (
        "Remerciement (satisfaction)",
        "Bonjour {pseudonyme},\n\nNous vous remercions pour votre retour d’expérience et pour avoir "
        "porté votre satisfaction à notre connaissance. Nous le transmettons à l’équipe.",
    ),
    (
        "Insatisfaction : ce que nous changeons",
        "Bonjour {pseudonyme},\n\nMerci de nous avoir fait part de votre expérience. Nous en "
        "tirons les enseignements suivants : …\n\nCe qui change : …",
    ),
]

OTHER_TEXTS = [
    (S, "Accueil rapide et aimable, merci."),
    (D, "Impossible de joindre le service par téléphone cette semaine."),
    (N, "Démarche en ligne correcte mais les pièces à fournir ne sont pas claires."),
    (D, "Délai de traitement bien plus long qu’annoncé."),
    (S, "Conseiller très clair sur mes droits."),
]


def _at(days_ago: int, hour: int = 10) -> datetime.datetime:
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def _received(structure, days_ago, **fields) -> Testimony:
    return Testimony.objects.receive(structure, received_at=_at(days_ago), **fields)


def _answer(testimony, by, text, signature, after_days) -> None:
    testimony.answer(by, text=text, signature=signature)
    answered = testimony.received_at + datetime.timedelta(days=after_days, hours=3)
    Testimony.objects.filter(pk=testimony.pk).update(
        answered_at=answered,
        answer_seconds=int((answered - testimony.received_at).total_seconds()),
    )


def load_caf(caf: Structure, manager) -> None:
    ActionPlan.objects.of(caf).publish(manager)  # the demo CAF's public page is published
    listening = Listening.objects.of(caf)
    if Testimony.objects.for_structure(caf).exists():
        return
    for title, body in TEMPLATES:
        AnswerTemplate.objects.get_or_create(
            structure=caf, title=title, defaults={"body": body, "updated_by": manager}
        )
    done = ActionSheet.objects.for_structure(caf).filter(status=ActionStatus.DONE).first()
    for days, channel, sentiment, numbers, pseudonym, title, text, fate, after in CAF_TESTIMONIES:
        testimony = _received(
            caf,
            days,
            title=title,
            text=text,
            channel=channel,
            sentiment=sentiment,
            commitments=commitments_mask(numbers),
            pseudonym=pseudonym,
            email=f"{pseudonym.split()[0].lower().strip('.')}@exemple.fr" if days % 2 == 0 else "",
        )
        if fate in ("answer", "publish"):
            testimony.publish(
                manager, public_title=testimony.public_title, public_text=testimony.public_text
            )
        elif fate in ("private", "private-answer"):
            testimony.keep_private(manager)
        elif fate == "reject":
            testimony.reject(manager, reason=RejectReason.SPAM)
        if fate in ("answer", "private-answer"):
            _answer(testimony, manager, ANSWERS[pseudonym], listening.signature, after)
        if pseudonym == "Rinpecou" and done is not None:
            testimony.link_action(done)
    for pseudonym, count in (("rugby 71", 4), ("Lou", 1)):
        testimony = Testimony.objects.for_structure(caf).get(pseudonym=pseudonym)
        for n in range(count):
            testimony.mark_useful(f"demo-browser-{pseudonym}-{n}")


def load_others(structures, manager_of, rng: random.Random) -> None:
    """A handful of testimonies on other sites: some answered, some
    waiting, some sites that never answer."""
    for index, structure in enumerate(structures):
        Listening.objects.of(structure)
        if Testimony.objects.for_structure(structure).exists():
            continue
        manager = manager_of(structure)
        answers = index % 3 != 2  # every third site never answers
        for n in range(rng.randint(3, 7)):
            sentiment, text = rng.choice(OTHER_TEXTS)
            testimony = _received(
                structure,
                rng.randint(1, 330),
                text=text,
                channel=rng.choice(Channel.values),
                sentiment=sentiment,
                commitments=commitments_mask(rng.sample(range(1, 9), rng.randint(0, 2))),
                pseudonym=f"usager {rng.randint(10, 99)}",
            )
            if n == 0 or manager is None:
                continue  # waits for moderation
            if rng.random() < 0.5:
                testimony.publish(manager, public_title="", public_text=testimony.public_text)
            else:
                testimony.keep_private(manager)
            if answers and rng.random() < 0.7:
                _answer(
                    testimony,
                    manager,
                    "Merci pour votre témoignage, que nous avons partagé avec l’équipe.",
                    f"L’équipe de {structure.name}",
                    rng.randint(0, 10),
                )


def load_demo_testimonies(caf: Structure, others, manager) -> None:
    from autodiag.structures.enums import Role
    from autodiag.structures.models import Membership

    load_caf(caf, manager)

    def manager_of(structure):
        membership = (
            Membership.objects.filter(structure=structure, role=Role.MANAGER)
            .select_related("user")
            .first()
        )
        return membership.user if membership else manager

    load_others(list(others), manager_of, random.Random(15))
