"""`autodiag demo`: the demonstration data of a fresh installation
(idempotent): 3 structures in 2 networks and 2 departments, an agent, a
manager and a network head; one structure with last year's validated
diagnostic, one with a draft in progress."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from autodiag.accounts.models import User
from autodiag.actions.demo import load_demo_actions
from autodiag.audits.demo import demo_audit
from autodiag.cli import read_sheet
from autodiag.diagnostics.models import Diagnostic
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.structures.enums import Role, ScopeKind, Typology
from autodiag.structures.models import Membership, Network, Scope, Structure

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
PASSWORD = "demo-autodiag-2026"
PEOPLE = [
    (
        "admin@demo.autodiag.fr",
        "Sam",
        "Lefèvre",
        "administration nationale (DITP) : tout le périmètre, /admin/",
    ),
    ("agent@demo.autodiag.fr", "Camille", "Martin", "agent de la CAF et de la préfecture"),
    (
        "responsable@demo.autodiag.fr",
        "Dominique",
        "Bernard",
        "responsable (valide les diagnostics)",
    ),
    (
        "reseau@demo.autodiag.fr",
        "Alix",
        "Robert",
        "tête de réseau CNAF (lecture seule, « Mon périmètre »)",
    ),
    (
        "prefecture69@demo.autodiag.fr",
        "Noa",
        "Petit",
        "responsable territorial du Rhône (toutes les structures du 69)",
    ),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans effet si elles existent déjà)."

    @transaction.atomic
    def handle(self, *args, **options):
        version, _ = QuestionnaireVersion.record(load_questionnaire("sp-plus-2026"))
        cnaf, _ = Network.objects.get_or_create(
            name="Caisse nationale des allocations familiales (CNAF)"
        )
        interieur, _ = Network.objects.get_or_create(name="Ministère de l’Intérieur — préfectures")
        caf = self.structure(
            "CAF69LYO1",
            "CAF du Rhône — agence de Lyon Part-Dieu",
            cnaf,
            Typology.OPERATEUR,
            "Agence d’accueil",
            "69003",
            "69",
            "84",
        )
        prefecture = self.structure(
            "PREF69ACC",
            "Préfecture du Rhône — accueil des étrangers",
            interieur,
            Typology.ETAT,
            "Service déconcentré",
            "69003",
            "69",
            "84",
        )
        self.structure(
            "SPREF16COG",
            "Sous-préfecture de Cognac — accueil général",
            interieur,
            Typology.ETAT,
            "Service déconcentré",
            "16100",
            "16",
            "75",
        )
        national, agent, manager, head, territory = (self.person(*person[:3]) for person in PEOPLE)
        Scope.objects.get_or_create(user=national, kind=ScopeKind.NATIONAL)
        Scope.objects.get_or_create(user=head, kind=ScopeKind.NETWORK, network=cnaf)
        Scope.objects.get_or_create(
            user=territory, kind=ScopeKind.TERRITORY, defaults={"departments": ["69"]}
        )
        for structure in (caf, prefecture):
            Membership.objects.get_or_create(
                user=agent, structure=structure, defaults={"role": Role.AGENT}
            )
            Membership.objects.get_or_create(
                user=manager, structure=structure, defaults={"role": Role.MANAGER}
            )
        if not caf.diagnostics.exists():
            self.last_year_diagnostic(caf, version, agent, manager)
        if not prefecture.diagnostics.exists():
            self.draft(prefecture, version, agent)
        from autodiag.consolidation.demo import load as load_consolidation_demo

        load_consolidation_demo(version, agent)
        load_demo_actions(caf, agent, manager)  # the CAF's action plan, drawn from last year
        auditors = demo_audit(caf, national, self.person)  # the label audit (autodiag.audits)
        # Listening to users (autodiag.testimonies): the CAF's public page and testimonies.
        from autodiag.testimonies.demo import load_demo_testimonies

        others = Structure.objects.exclude(pk=caf.pk).filter(is_active=True).order_by("code")[:12]
        load_demo_testimonies(caf, others, manager)
        self.stdout.write(
            f"Données de démonstration prêtes. Comptes (mot de passe « {PASSWORD} ») :"
        )
        for email, first, last, what in PEOPLE + auditors:
            self.stdout.write(f"  {email:<32} {first} {last}, {what}")

    def structure(self, code, name, network, typology, kind, postal_code, department, region):
        structure, _ = Structure.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "network": network,
                "typology": typology,
                "structure_type": kind,
                "postal_code": postal_code,
                "department_code": department,
                "region_code": region,
                "contact_email": f"contact.{code.lower()}@demo.autodiag.fr",
            },
        )
        return structure

    def person(self, email, first_name, last_name):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=PASSWORD, first_name=first_name, last_name=last_name
            )
        return user

    def answer_all(self, diagnostic, sheet, by, keep=lambda question_id: True):
        for question_id, value in sheet["answers"].items():
            if value is not None and keep(question_id) and not question_id.startswith("structure-"):
                diagnostic.save_answer(question_id, value, by)

    def last_year_diagnostic(self, structure, version, agent, manager):
        diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
        self.answer_all(diagnostic, read_sheet(str(EXAMPLES / "caf-agence.yaml")), agent)
        # The team met a year ago: date the answers before they are locked.
        a_year_ago = timezone.now() - datetime.timedelta(days=365)
        diagnostic.answers.update(updated_at=a_year_ago - datetime.timedelta(hours=2))
        diagnostic.validate(by=manager, at=a_year_ago)
        Diagnostic.objects.filter(pk=diagnostic.pk).update(created_at=a_year_ago)

    def draft(self, structure, version, agent):
        diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
        sheet = read_sheet(str(EXAMPLES / "prefecture-accueil.yaml"))
        # About the first half of the questionnaire answered, as after a first meeting.
        order = [q.id for q in diagnostic.version.questions()]
        answered = set(order[: len(order) // 2])
        self.answer_all(diagnostic, sheet, agent, keep=lambda question_id: question_id in answered)
