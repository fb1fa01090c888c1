"""`autodiag demo-data --structures 100000 --years 10`: a national dataset
for measuring the consolidated views at scale (docs/BENCHMARKS.md).

What is generated (and what is not), on the 2026 questionnaire as if it had
been used for ten years (the hardest case for consolidation: one version
holds every row):

- networks with their own level of practice and types of structure, the
  structures spread over the 101 departments, each region a little above
  or below the others, each structure its own level;
- per structure and per year (the `--years` years ending today): one
  validated diagnostic, sometimes none (6 %), sometimes two six months
  apart (6 %): about one million for 100,000 structures and 10 years;
  scores improve a little each year;
- for each diagnostic the frozen result as validation writes it: the
  `Result` (a report in the format of docs/report-json.md, whose per-
  question list holds the national questions only), one `Score` row per
  figure (global, commitments, channels, themes), the line of figures,
  and for about one in eight a support need and a strength (`SiteText`);
  theme points are multiples of a quarter point of the theme's maximum,
  commitment scores are their points over their maximum and the global
  score the mean of the commitments, as the engine computes them; the
  themes and channel of a contact channel the structure does not use are
  absent, as in a real report;
- drafts in progress (3 % of structures), without answers;
- NOT generated: answers of validated diagnostics (consolidation reads the
  frozen results only), people (one generating account validates
  everything), earlier results of the 9-commitment version.

On PostgreSQL the rows go through COPY and one INSERT … SELECT for the
Score rows, with the Score indexes rebuilt afterwards (a few minutes for a
million diagnostics); on SQLite, bulk inserts (for small sizes only).
"""

from __future__ import annotations

import datetime
import io
import json
import time
from contextlib import contextmanager

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from autodiag import territories
from autodiag.accounts.models import User
from autodiag.consolidation.figures import DTYPE
from autodiag.consolidation.layout import CHANNEL, COMMITMENT, GLOBAL, QUESTION, THEME, layout_of
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.models import QuestionnaireVersion

CODE_PREFIX = "DD"
GENERATOR = "generateur@demo-data.autodiag.fr"
ABSENT = -2  # a figure the structure's profile leaves out: no Score row at all
NBSP = "\u00a0"

# name, share of structures, typology, level of practice, types of structure
NETWORKS = [
    ("Communes (mairies)", 0.40, "collectivite", 0.58, ["Mairie", "Mairie annexe"]),
    (
        "Conseils départementaux",
        0.06,
        "collectivite",
        0.62,
        ["Maison départementale des solidarités"],
    ),
    (
        "France Services",
        0.04,
        "collectivite",
        0.70,
        ["Maison France Services", "France Services itinérante"],
    ),
    (
        "Caisse nationale des allocations familiales (CNAF)",
        0.03,
        "operateur",
        0.68,
        ["Agence d’accueil", "Point d’accueil"],
    ),
    ("Assurance maladie (CPAM)", 0.04, "operateur", 0.66, ["Agence d’accueil", "Point d’accueil"]),
    ("France Travail", 0.03, "operateur", 0.64, ["Agence"]),
    (
        "Direction générale des finances publiques (DGFiP)",
        0.07,
        "etat",
        0.63,
        ["Service des impôts des particuliers", "Centre des finances publiques"],
    ),
    ("Gendarmerie nationale", 0.08, "etat", 0.60, ["Brigade territoriale", "Brigade de proximité"]),
    ("Police nationale", 0.04, "etat", 0.57, ["Commissariat", "Bureau de police"]),
    (
        "Ministère de l’Intérieur — préfectures",
        0.02,
        "etat",
        0.61,
        ["Préfecture", "Sous-préfecture"],
    ),
    (
        "Établissements hospitaliers",
        0.05,
        "hopital",
        0.59,
        ["Centre hospitalier", "Accueil des urgences"],
    ),
    (
        "Établissements d’enseignement",
        0.14,
        "enseignement",
        0.55,
        ["Collège", "Lycée", "Université"],
    ),
]

CHANNEL_USE = {
    "accueil-physique": 0.96,
    "telephone": 0.98,
    "courrier": 0.88,
    "courriel": 0.94,
    "internet": 0.72,
}
# Sections shown only for a channel (the 2026 questionnaire's `when`).
SECTION_CHANNELS = {
    "accueil-physique": ("accueil-physique",),
    "accueil-telephonique": ("telephone",),
    "courrier-courriel": ("courrier", "courriel"),
    "site-internet": ("internet",),
}
COMMITMENT_OFFSET = {1: 0.10, 2: 0.0, 3: 0.04, 4: -0.02, 5: 0.03, 6: -0.06, 7: -0.10, 8: -0.04}
NEEDS = [
    "Supports en gros caractères et en braille à obtenir auprès du niveau national.",
    "Formation au langage clair pour les nouveaux agents : places insuffisantes.",
    "Outil de suivi des délais de réponse aux courriels à mettre à disposition.",
    "Accès à une solution d’interprétariat téléphonique pour les langues rares.",
    "Le serveur vocal national ne permet pas d’annoncer les heures d’affluence locales.",
    "Besoin d’un kit de communication pour afficher les engagements et les résultats.",
]
STRENGTHS = [
    "Accueil sur rendez-vous et en flux, espace numérique animé par un agent.",
    "Rappel des usagers sous 48 heures quand l’attente au téléphone est longue.",
    "Comité local d’usagers réuni deux fois par an, compte rendu affiché à l’accueil.",
    "Résultats de qualité de service affichés chaque trimestre dans le hall.",
]


def display_table() -> list[str]:
    """`58,2 %` for every tenth of a percent from 0 to 100."""
    table = []
    for tenths in range(1001):
        whole, rest = divmod(tenths, 10)
        table.append(f"{whole},{rest}{NBSP}%" if rest else f"{whole}{NBSP}%")
    return table


DISPLAYS = display_table()


def display(units: int) -> str:
    """The French display of a figure kept to 4 decimals, rounded half up."""
    return "non évalué" if units < 0 else DISPLAYS[(units + 500) // 1000]


def number(value: float):
    return int(value) if float(value).is_integer() else value


class Plan:
    """Everything generated, as numpy arrays (one row per diagnostic)."""


def quantize_units(numerator: np.ndarray, denominator) -> np.ndarray:
    """numerator / denominator as a percent to 4 decimals, in units (half
    even like Decimal.quantize: exact on these integer ratios)."""
    scaled = numerator.astype(np.int64) * 1_000_000
    quotient, remainder = np.divmod(scaled, denominator)
    twice = 2 * remainder
    up = (twice > denominator) | ((twice == denominator) & (quotient % 2 == 1))
    return (quotient + up).astype(np.int64)


class Command(BaseCommand):
    help = (
        "Construit un jeu de données national (structures, diagnostics validés, résultats figés)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structures", type=int, default=100_000)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)

    def say(self, message):
        elapsed = time.perf_counter() - self.started
        self.stdout.write(f"[{elapsed:6.1f} s] {message}")
        self.stdout.flush()

    def handle(self, *args, structures, years, seed, **options):
        if structures < 1 or years < 1:
            raise CommandError("--structures et --years doivent être des entiers positifs.")
        self.started = time.perf_counter()
        from autodiag.structures.models import Structure

        if Structure.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise CommandError(
                "Des structures générées (codes « DD… ») existent déjà : utilisez une base neuve."
            )
        version, _ = QuestionnaireVersion.record(load_questionnaire("sp-plus-2026"))
        self.version = version
        self.questionnaire = version.questionnaire()
        self.layout = layout_of(self.questionnaire)
        self.rng = np.random.default_rng(seed)
        plan = self.plan(structures, years)
        self.say(
            f"{structures} structures, {plan.count} diagnostics validés, {plan.drafts.size} brouillons à écrire"
        )
        if connection.vendor == "postgresql":
            self.write_postgresql(plan)
        else:
            self.write_portable(plan)
        self.say("terminé")

    # -- what to write ------------------------------------------------------

    def plan(self, count: int, years: int) -> Plan:
        rng = self.rng
        plan = Plan()
        shares = np.array([n[1] for n in NETWORKS])
        plan.network = rng.choice(len(NETWORKS), size=count, p=shares / shares.sum())
        departments = territories.departments()
        weights = np.array([0.25 if d.code.startswith("97") else 1.0 for d in departments])
        plan.department = rng.choice(len(departments), size=count, p=weights / weights.sum())
        regions = sorted({d.region_code for d in departments})
        region_offset = dict(zip(regions, rng.normal(0, 0.04, len(regions)), strict=True))
        base = np.array([n[3] for n in NETWORKS])
        offsets = np.array([region_offset[departments[i].region_code] for i in plan.department])
        plan.level = np.clip(base[plan.network] + offsets + rng.normal(0, 0.09, count), 0.1, 0.97)
        plan.type_choice = rng.integers(0, 1_000_000, count)
        plan.channels = {
            channel: rng.random(count) < share for channel, share in CHANNEL_USE.items()
        }

        # Diagnostics: per structure and year, 0 (6 %), 1 or 2 (6 %).
        today = timezone.localdate()
        per_year = rng.choice(3, size=(count, years), p=[0.06, 0.88, 0.06])
        structure_index, year_index, day = [], [], []
        for k in range(years):
            slot_start = today - datetime.timedelta(days=365 * (years - k))
            ones = np.nonzero(per_year[:, k] == 1)[0]
            twos = np.nonzero(per_year[:, k] == 2)[0]
            one_days = rng.integers(1, 365, ones.size)
            first_days = rng.integers(1, 120, twos.size)
            second_days = rng.integers(305, 365, twos.size)
            for indexes, offsets_ in ((ones, one_days), (twos, first_days), (twos, second_days)):
                structure_index.append(indexes)
                day.append((slot_start - today).days + offsets_)
                year_index.append(np.full(indexes.size, k))
        plan.structure_of = np.concatenate(structure_index)
        plan.days = np.concatenate(day)  # days from today (negative or 0)
        plan.year = np.concatenate(year_index)
        order = np.lexsort((plan.days, plan.structure_of))
        plan.structure_of, plan.days, plan.year = (
            plan.structure_of[order],
            plan.days[order],
            plan.year[order],
        )
        plan.count = plan.structure_of.size
        # Rows are written in the order of validation, as the platform writes
        # them: recent results sit together on disk, as they would in production.
        plan.order = np.argsort(plan.days, kind="stable").tolist()
        plan.drafts = np.nonzero(rng.random(count) < 0.03)[0]
        self.figures(plan)
        return plan

    def figures(self, plan: Plan) -> None:
        """Every figure of every diagnostic, in units (ABSENT: not shown)."""
        rng, layout, n = self.rng, self.layout, plan.count
        level = plan.level[plan.structure_of] + 0.012 * plan.year + rng.normal(0, 0.05, n)
        figures = np.full((n, layout.width), ABSENT, dtype=np.int64)
        theme_max = {}
        for section in self.questionnaire.sections:
            for question in section.questions:
                if question.scored:
                    key = f"{question.commitment}:{section.id}"
                    theme_max[key] = theme_max.get(key, 0) + int(question.weight)
        shown_by_channel = {
            section: np.any([plan.channels[c][plan.structure_of] for c in channels], axis=0)
            for section, channels in SECTION_CHANNELS.items()
        }
        points = {c.number: np.zeros(n, dtype=np.int64) for c in self.questionnaire.commitments}
        maxima = {c.number: np.zeros(n, dtype=np.int64) for c in self.questionnaire.commitments}
        for position, figure in layout.of_kind(THEME):
            commitment, section = figure.key.split(":")
            commitment = int(commitment)
            quarters = 4 * theme_max[figure.key]
            mean = np.clip(level + COMMITMENT_OFFSET[commitment] + rng.normal(0, 0.12, n), 0, 1)
            got = rng.binomial(quarters, mean)
            shown = shown_by_channel.get(section, np.ones(n, dtype=bool))
            figures[:, position] = np.where(shown, quantize_units(got, quarters), ABSENT)
            points[commitment] += np.where(shown, got, 0)
            maxima[commitment] += np.where(shown, quarters, 0)
        commitment_units = []
        for position, figure in layout.of_kind(COMMITMENT):
            number_ = int(figure.key)
            units = quantize_units(points[number_], np.maximum(maxima[number_], 1))
            units = np.where(maxima[number_] > 0, units, -1)
            figures[:, position] = units
            commitment_units.append((points[number_], maxima[number_]))
        # The global score: the mean of the exact commitment ratios, quantized once.
        from fractions import Fraction

        global_units = np.empty(n, dtype=np.int64)
        ratios = [(p.tolist(), m.tolist()) for p, m in commitment_units]
        for row in range(n):
            total = Fraction(0)
            evaluated = 0
            for p, m in ratios:
                if m[row]:
                    total += Fraction(p[row], m[row])
                    evaluated += 1
            value = total / evaluated * 100
            global_units[row] = round(value * 10_000)  # half even, as Decimal.quantize
        figures[:, layout.position(GLOBAL)] = global_units
        for position, figure in layout.of_kind(CHANNEL):
            used = plan.channels[figure.key][plan.structure_of]
            value = np.clip(level + rng.normal(0, 0.1, n), 0, 1)
            figures[:, position] = np.where(used, quantize_units(np.rint(value * 24), 24), ABSENT)
        for position, _figure in layout.of_kind(QUESTION):
            value = rng.choice(4, size=n, p=[0.2, 0.2, 0.3, 0.3])
            figures[:, position] = np.array([0, 250_000, 750_000, 1_000_000])[value]
        plan.figures = figures
        plan.theme_max = theme_max

    # -- writing, PostgreSQL --------------------------------------------------

    def write_postgresql(self, plan: Plan) -> None:
        from autodiag.structures.models import Network

        with transaction.atomic():
            cursor = connection.cursor()
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            # lz4 compresses the reports twice as fast as the default pglz.
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
            try:
                # Foreign-key triggers off for the bulk load (superuser only;
                # the rows are consistent by construction): several times faster.
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except Exception:
                self.say(
                    "sans droits de super-utilisateur : clés étrangères vérifiées ligne à ligne"
                )
            generator = self.generator()
            networks = {
                name: Network.objects.get_or_create(name=name)[0].pk for name, *_ in NETWORKS
            }
            structure_ids = self.copy_structures(cursor, plan, networks)
            self.say("structures écrites")
            diagnostic_ids = self.copy_diagnostics(cursor, plan, structure_ids, generator)
            self.say("diagnostics écrits")
            self.copy_results(cursor, plan, diagnostic_ids)
            self.say("résultats (rapports figés) écrits")
            self.copy_lines(cursor, plan, diagnostic_ids, structure_ids)
            self.say("lignes de chiffres et textes écrits")
            with self.indexes_dropped(cursor, "diagnostics_score"):
                self.insert_scores(cursor)
                self.say("lignes Score écrites, index en reconstruction")
            self.say("index Score reconstruits")
        cursor = connection.cursor()
        # The lines are read by every consolidated view: vacuumed (visibility
        # map, hint bits); the other tables only analysed for the planner.
        # (VACUUM cannot run inside a transaction: a caller's, e.g. a test's.)
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        cursor.execute(f"{vacuum} consolidation_resultline")
        for table in (
            "structures_structure",
            "diagnostics_diagnostic",
            "diagnostics_result",
            "diagnostics_score",
            "consolidation_sitetext",
        ):
            cursor.execute(f"ANALYZE {table}")
        self.say("statistiques du planificateur à jour (ANALYZE)")

    def generator(self) -> User:
        user = User.objects.filter(email=GENERATOR).first()
        return user or User.objects.create_user(
            email=GENERATOR, password=None, first_name="Jeu", last_name="de données"
        )

    def next_ids(self, cursor, table: str, count: int) -> np.ndarray:
        """`count` ids from the table's sequence, reserved in one call."""
        cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT nextval('{sequence}') FROM generate_series(1, %s)", [count])
        first = cursor.fetchone()[0]
        rest = cursor.fetchall()
        ids = np.array([first] + [r[0] for r in rest], dtype=np.int64)
        return ids

    def copy(self, cursor, table: str, columns: list[str], lines) -> None:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            size = 0
            for line in lines:
                buffer.write(line)
                size += 1
                if size == 5000:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    size = 0
            if size:
                copy.write(buffer.getvalue())

    def copy_structures(self, cursor, plan: Plan, networks: dict) -> np.ndarray:
        departments = territories.departments()
        count = plan.level.size
        ids = self.next_ids(cursor, "structures_structure", count)

        def lines():
            for index in range(count):
                name, _, typology, _, kinds = NETWORKS[plan.network[index]]
                department = departments[plan.department[index]]
                kind = kinds[plan.type_choice[index] % len(kinds)]
                code = f"{CODE_PREFIX}{index + 1:07d}"
                postal = (department.code.replace("2A", "20").replace("2B", "20") + "000")[:5]
                yield (
                    f"{ids[index]}\t{code}\t{kind} de {department.name} n° {index + 1}\t"
                    f"{networks[name]}\t{typology}\t{kind}\t{postal}\t{department.code}\t"
                    f"{department.region_code}\t\tt\n"
                )

        self.copy(
            cursor,
            "structures_structure",
            ["id", "code", "name", "network_id", "typology", "structure_type", "postal_code",
             "department_code", "region_code", "contact_email", "is_active"],
            lines(),
        )  # fmt: skip
        return ids

    def moment(self, days: int, salt: int) -> str:
        when = timezone.now() - datetime.timedelta(days=-int(days), minutes=salt % 600 + 1)
        return when.isoformat()

    def copy_diagnostics(self, cursor, plan: Plan, structure_ids, generator) -> np.ndarray:
        count = plan.count
        ids = self.next_ids(cursor, "diagnostics_diagnostic", count + plan.drafts.size)
        by_row = np.empty(count, dtype=np.int64)
        by_row[plan.order] = ids[:count]  # ids follow the order of validation
        version = self.version.pk
        plan.validated_at = [self.moment(plan.days[i], i) for i in range(count)]

        def lines():
            for i in plan.order:
                yield (
                    f"{by_row[i]}\t{structure_ids[plan.structure_of[i]]}\t{version}\tvalidated\t"
                    f"{generator.pk}\t{plan.validated_at[i]}\t{generator.pk}\t{plan.validated_at[i]}\t\\N\n"
                )
            for j, structure in enumerate(plan.drafts):
                started = self.moment(-int(self.rng.integers(1, 60)), j)
                yield (
                    f"{ids[count + j]}\t{structure_ids[structure]}\t{version}\tdraft\t"
                    f"{generator.pk}\t{started}\t\\N\t\\N\t\\N\n"
                )

        self.copy(
            cursor,
            "diagnostics_diagnostic",
            ["id", "structure_id", "questionnaire_id", "status", "created_by_id", "created_at",
             "validated_by_id", "validated_at", "prefilled_from_id"],
            lines(),
        )  # fmt: skip
        return by_row

    def report_parts(self, plan: Plan):
        """The constant pieces of every report, so that each one is a join."""
        q = self.questionnaire
        head = json.dumps(
            {"id": q.id, "title": q.title, "content_hash": q.content_hash}, ensure_ascii=False
        )
        titles = {
            f.key: json.dumps(f.label, ensure_ascii=False) for f in self.layout.figures if f.label
        }
        return head, titles

    def report_layout(self, plan: Plan):
        """The layout's positions by kind, computed once for all reports."""
        layout = self.layout
        themes = [
            (
                position,
                figure.commitment,
                figure.key.split(":")[1],
                plan.theme_max[figure.key],
                figure.key,
            )
            for position, figure in layout.of_kind(THEME)
        ]
        commitments = [
            (position, int(figure.key), figure.key)
            for position, figure in layout.of_kind(COMMITMENT)
        ]
        channels = [(position, figure.key) for position, figure in layout.of_kind(CHANNEL)]
        questions = []
        for position, figure in layout.of_kind(QUESTION):
            question = self.questionnaire.question(figure.key)
            questions.append(
                (
                    position,
                    f'{{"id":"{figure.key}","commitment":{question.commitment},'
                    f'"section":"{question.section_id}","status":"scored","points":',
                )
            )
        return themes, commitments, channels, questions, layout.position(GLOBAL)

    def report(self, row: list[int], parts_layout, head: str, titles: dict, texts: dict) -> str:
        """The report JSON of one diagnostic (docs/report-json.md), written
        as text directly: a million of them must take seconds, not minutes."""
        themes, commitments, channels_, questions_, global_position = parts_layout
        themes_of: dict[int, list[str]] = {}
        maximum_of: dict[int, int] = {}
        for position, commitment, section, maximum, key in themes:
            units = row[position]
            if units == ABSENT:
                continue
            points = round(units * maximum / 250_000) / 4
            themes_of.setdefault(commitment, []).append(
                f'{{"section":"{section}","title":{titles[key]},"score":{number(units / 10000)},'
                f'"display":"{display(units)}","points":{number(points)},"max_points":{maximum}}}'
            )
            maximum_of[commitment] = maximum_of.get(commitment, 0) + maximum
        parts = []
        for position, number_, key in commitments:
            units = row[position]
            maximum = maximum_of.get(number_, 0)
            score = "null" if units < 0 else number(units / 10000)
            points = 0 if units < 0 else round(units * maximum / 250_000) / 4
            parts.append(
                f'{{"number":{number_},"title":{titles[key]},"score":{score},'
                f'"display":"{display(units)}","points":{number(points)},"max_points":{maximum},'
                f'"themes":[{",".join(themes_of.get(number_, ()))}]}}'
            )
        channels = [
            f'{{"channel":"{key}","label":{titles[key]},"score":{number(row[position] / 10000)},'
            f'"display":"{display(row[position])}","points":{number(round(row[position] * 24 / 1_000_000))},"max_points":24}}'
            for position, key in channels_
            if row[position] != ABSENT
        ]
        questions = [
            f'{prefix}{number(row[position] / 1_000_000)},"max_points":1}}'
            for position, prefix in questions_
        ]
        global_units = row[global_position]
        return (
            f'{{"format":1,"questionnaire":{head},"complete":true,"missing":[],'
            f'"global":{{"score":{number(global_units / 10000)},"display":"{display(global_units)}",'
            f'"commitments_not_evaluated":[]}},"commitments":[{",".join(parts)}],'
            f'"channels":[{",".join(channels)}],"questions":[{",".join(questions)}],'
            f'"texts":{json.dumps(texts, ensure_ascii=False) if texts else "{}"}}}'
        )

    def texts_for(self, plan: Plan) -> dict[int, dict[str, str]]:
        """About one diagnostic in eight writes a support need and a strength."""
        rng = self.rng
        chosen = np.nonzero(rng.random(plan.count) < 0.125)[0]
        sections = [s.id for s in self.questionnaire.sections if not s.profile]
        texts = {}
        for i in chosen.tolist():
            section = sections[int(rng.integers(len(sections)))]
            texts[i] = {
                f"{section}-besoins-appui": NEEDS[int(rng.integers(len(NEEDS)))],
                f"{section}-points-forts": STRENGTHS[int(rng.integers(len(STRENGTHS)))],
            }
        return texts

    def copy_results(self, cursor, plan: Plan, diagnostic_ids) -> None:
        head, titles = self.report_parts(plan)
        parts_layout = self.report_layout(plan)
        plan.texts = self.texts_for(plan)
        rows = plan.figures.tolist()
        content_hash = self.version.content_hash
        global_position = self.layout.position(GLOBAL)

        def escape(text: str) -> str:
            return text.replace("\\", "\\\\")

        def lines():
            for i in plan.order:
                row = rows[i]
                report = self.report(row, parts_layout, head, titles, plan.texts.get(i, {}))
                yield (
                    f"{diagnostic_ids[i]}\t{content_hash}\t{row[global_position] / 10000:.4f}\t"
                    f"{escape(report)}\t{plan.validated_at[i]}\n"
                )

        self.copy(
            cursor,
            "diagnostics_result",
            ["diagnostic_id", "questionnaire_hash", "global_score", "report", "computed_at"],
            lines(),
        )

    def copy_lines(self, cursor, plan: Plan, diagnostic_ids, structure_ids) -> None:
        stored = np.where(plan.figures == ABSENT, -1, plan.figures).astype(DTYPE)
        superseded = ["9999-01-01T00:00:00+00:00"] * plan.count
        for i in range(plan.count - 1):
            if plan.structure_of[i] == plan.structure_of[i + 1]:
                superseded[i] = plan.validated_at[i + 1]
        version = self.version.pk

        def lines():
            for i in plan.order:
                yield (
                    f"{diagnostic_ids[i]}\t{structure_ids[plan.structure_of[i]]}\t{version}\t"
                    f"{plan.validated_at[i]}\t{superseded[i]}\t\\\\x{stored[i].tobytes().hex()}\n"
                )

        self.copy(
            cursor,
            "consolidation_resultline",
            ["diagnostic_id", "structure_id", "questionnaire_id", "validated_at", "superseded_at", "figures"],
            lines(),
        )  # fmt: skip

        def texts():
            for i, texts_ in plan.texts.items():
                for question_id, text in texts_.items():
                    purpose = (
                        "besoins-appui" if question_id.endswith("besoins-appui") else "points-forts"
                    )
                    section = question_id[: -len(purpose) - 1]
                    yield f"{diagnostic_ids[i]}\t{section}\t{purpose}\t{text}\n"

        self.copy(
            cursor,
            "consolidation_sitetext",
            ["diagnostic_id", "section_id", "purpose", "text"],
            texts(),
        )
        # The Score rows are written from the lines, in the database (below).
        self.layout_rows = [
            (position + 1, figure.kind, figure.key)
            for position, figure in enumerate(self.layout.figures)
            if figure.kind != QUESTION
        ]

    def insert_scores(self, cursor) -> None:
        """One Score row per figure of each line (none for an absent theme
        or channel), decoded from the packed figures by the database."""
        cursor.execute(
            "CREATE TEMPORARY TABLE demo_layout (pos int, kind text, key text) ON COMMIT DROP"
        )
        cursor.executemany("INSERT INTO demo_layout VALUES (%s, %s, %s)", self.layout_rows)
        # A line keeps an absent theme or channel as -1, like "non évalué";
        # the generator never leaves a shown theme or channel without
        # points, so -1 there means absent: no Score row, as validation does.
        cursor.execute(
            """
            INSERT INTO diagnostics_score (diagnostic_id, kind, key, score)
            SELECT line.diagnostic_id, layout.kind, layout.key,
                   CASE WHEN value < 0 THEN NULL ELSE value / 10000.0 END
            FROM consolidation_resultline AS line
            CROSS JOIN demo_layout AS layout
            CROSS JOIN LATERAL (
                SELECT ('x' || encode(substring(line.figures FROM (layout.pos - 1) * 4 + 1 FOR 4), 'hex'))::bit(32)::int AS value
            ) AS figure
            WHERE line.structure_id IN (SELECT id FROM structures_structure WHERE code LIKE 'DD%%')
              AND NOT (value < 0 AND layout.kind IN ('theme', 'channel'))
            """
        )

    @contextmanager
    def indexes_dropped(self, cursor, table: str):
        """Drop a table's secondary indexes and unique constraints for a bulk
        insert, and rebuild them exactly as they were."""
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'u'
            """,
            [table],
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename = %s AND indexname NOT IN (
                SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass
            )
            """,
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    # -- writing, any database (small sizes) ----------------------------------

    def write_portable(self, plan: Plan) -> None:
        if plan.count > 200_000:
            raise CommandError(
                "Au-delà de 200 000 diagnostics, utilisez PostgreSQL (DATABASE_URL) : "
                "SQLite écrirait pendant des heures."
            )
        from decimal import Decimal

        from autodiag.consolidation.models import STILL_LATEST, ResultLine, SiteText
        from autodiag.diagnostics.models import Diagnostic, Result, Score
        from autodiag.structures.models import Network, Structure

        departments = territories.departments()
        generator = self.generator()
        head, titles = self.report_parts(plan)
        parts_layout = self.report_layout(plan)
        plan.texts = self.texts_for(plan)
        with transaction.atomic():
            networks = {name: Network.objects.get_or_create(name=name)[0] for name, *_ in NETWORKS}
            structures = []
            for index in range(plan.level.size):
                name, _, typology, _, kinds = NETWORKS[plan.network[index]]
                department = departments[plan.department[index]]
                kind = kinds[plan.type_choice[index] % len(kinds)]
                structures.append(
                    Structure(
                        code=f"{CODE_PREFIX}{index + 1:07d}",
                        name=f"{kind} de {department.name} n° {index + 1}",
                        network=networks[name],
                        typology=typology,
                        structure_type=kind,
                        department_code=department.code,
                        region_code=department.region_code,
                    )
                )
            structures = Structure.objects.bulk_create(structures, batch_size=2000)
            now = timezone.now()
            moments = [
                now - datetime.timedelta(days=-int(plan.days[i]), minutes=i % 600 + 1)
                for i in range(plan.count)
            ]
            diagnostics = Diagnostic.objects.bulk_create(
                [
                    Diagnostic(
                        structure=structures[plan.structure_of[i]],
                        questionnaire=self.version,
                        status="validated",
                        created_by=generator,
                        validated_by=generator,
                        validated_at=moments[i],
                    )
                    for i in range(plan.count)
                ],
                batch_size=2000,
            )
            Diagnostic.objects.bulk_create(
                [
                    Diagnostic(
                        structure=structures[s], questionnaire=self.version, created_by=generator
                    )
                    for s in plan.drafts.tolist()
                ]
            )
            rows = plan.figures.tolist()
            global_position = self.layout.position(GLOBAL)
            results, scores, lines, texts = [], [], [], []
            stored = np.where(plan.figures == ABSENT, -1, plan.figures).astype(DTYPE)
            for i, row in enumerate(rows):
                diagnostic = diagnostics[i]
                report = json.loads(
                    self.report(row, parts_layout, head, titles, plan.texts.get(i, {}))
                )
                results.append(
                    Result(
                        diagnostic=diagnostic,
                        questionnaire_hash=self.version.content_hash,
                        global_score=Decimal(row[global_position]) / 10000,
                        report=report,
                    )
                )
                for position, figure in enumerate(self.layout.figures):
                    if figure.kind == QUESTION or row[position] == ABSENT:
                        continue
                    value = row[position]
                    scores.append(
                        Score(
                            diagnostic=diagnostic,
                            kind=figure.kind,
                            key=figure.key,
                            score=None if value < 0 else Decimal(value) / 10000,
                        )
                    )
                following = i + 1 < plan.count and plan.structure_of[i + 1] == plan.structure_of[i]
                lines.append(
                    ResultLine(
                        diagnostic=diagnostic,
                        structure_id=diagnostic.structure_id,
                        questionnaire=self.version,
                        validated_at=moments[i],
                        superseded_at=moments[i + 1] if following else STILL_LATEST,
                        figures=stored[i].tobytes(),
                    )
                )
                for question_id, text in plan.texts.get(i, {}).items():
                    purpose = (
                        "besoins-appui" if question_id.endswith("besoins-appui") else "points-forts"
                    )
                    texts.append(
                        SiteText(
                            diagnostic=diagnostic,
                            section_id=question_id[: -len(purpose) - 1],
                            purpose=purpose,
                            text=text,
                        )
                    )
            Result.objects.bulk_create(results, batch_size=1000)
            Score.objects.bulk_create(scores, batch_size=5000)
            ResultLine.objects.bulk_create(lines, batch_size=2000)
            SiteText.objects.bulk_create(texts, batch_size=2000)
