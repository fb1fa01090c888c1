"""Reading and validating a questionnaire version file.

The whole file is checked and every problem is reported with its place
(file, question id, field) in plain French; a file with any problem gives
no questionnaire at all. The format is documented in
docs/questionnaire-format.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

from autodiag.questionnaires.schema import (
    AUDIT,
    AUTODIAGNOSTIC,
    LIST_TYPES,
    PROFILE_TYPES,
    SCORED_TYPES,
    STRUCTURE_FIELDS,
    TEXT_PURPOSES,
    Channel,
    Commitment,
    Condition,
    Item,
    Option,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from autodiag.yamlfile import YamlFileError, read_yaml

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"
# "resultats": a results-only version (earlier results imported from a file:
# commitments, no questions), see docs/questionnaire-format.md.
RESULTS_ONLY = "resultats"
KINDS = (AUTODIAGNOSTIC, AUDIT, RESULTS_ONLY)

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
AUDIT_POINT_PATTERN = re.compile(r"^[A-Z0-9]+\.[0-9]+$")
SCALE_KEYS = ("0", "0.25", "0.75", "1")

TOP_FIELDS = {
    "id",
    "title",
    "kind",
    "description",
    "scale",
    "channels",
    "commitments",
    "option_sets",
    "audit_points",
    "audit_points_not_covered",
    "sections",
    "comparable_with",
}
SECTION_FIELDS = {"id", "title", "intro", "profile", "when", "questions", "commitment", "apart"}
COMMON_QUESTION_FIELDS = {"id", "text", "help", "type", "when"}
SCORED_FIELDS = {
    "commitment",
    "weight",
    "not_applicable",
    "channels",
    "audit_points",
    "national",
    "note",
}
# A control point of an audit grid is identified by its number, not an id,
# and is the audit point itself (no `audit_points` to name).
AUDIT_POINT_FIELDS = {"point", "title"}
TYPE_FIELDS = {
    QuestionType.SCALE: SCORED_FIELDS | {"scale_labels", "levels"},
    QuestionType.CHOICE: SCORED_FIELDS | {"options"},
    QuestionType.YES_NO: SCORED_FIELDS | {"items", "rule"},
    QuestionType.CHANNEL_ROWS: SCORED_FIELDS | {"items"},
    QuestionType.TEXT: {"purpose", "structure_field", "channels", "commitment"},
    QuestionType.BOOLEAN: set(),
    QuestionType.CHANNELS: set(),
    QuestionType.PROFILE_CHOICE: {"options"},
}
ITEM_FIELDS = {"id", "text", "channel", "when"}
OPTION_FIELDS = {"id", "label", "value"}
LEVEL_FIELDS = {"name", "text"}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        field = f", champ « {self.field} »" if self.field else ""
        return f"{self.file} : {self.where}{field} : {self.message}"


class QuestionnaireError(Exception):
    """The file is not a valid questionnaire version; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def resolve(version_or_path: str) -> Path:
    """A version id (`sp-plus-2026`) or a path -> the file to read."""
    candidate = Path(version_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        return candidate
    return VERSIONS_DIR / f"{version_or_path}.yaml"


def shipped_versions() -> list[Path]:
    return sorted(VERSIONS_DIR.glob("*.yaml"))


def load_questionnaire(version_or_path: str | Path) -> Questionnaire:
    path = resolve(str(version_or_path))
    try:
        document = read_yaml(path)
    except YamlFileError as exc:
        if not path.exists() and path.parent == VERSIONS_DIR:
            known = ", ".join(p.stem for p in shipped_versions()) or "aucune"
            message = f"version inconnue « {path.stem} » (versions livrées : {known})"
            raise QuestionnaireError(
                [Problem(str(version_or_path), "fichier", "", message)]
            ) from exc
        problem = Problem(str(path), exc.location or "fichier", "", exc.message)
        raise QuestionnaireError([problem]) from exc
    return build_questionnaire(document, file_name=path.name, expected_id=path.stem)


def content_hash(document) -> str:
    """SHA-256 of the parsed content: comments and layout do not count."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_questionnaire(document, file_name: str = "<questionnaire>", expected_id=None):
    reader = _Reader(file_name)
    questionnaire = reader.read(document, expected_id)
    if reader.problems:
        raise QuestionnaireError(reader.problems)
    return questionnaire


class _Reader:
    """Walks the parsed document once, building objects and noting problems."""

    def __init__(self, file_name: str):
        self.file = file_name
        self.problems: list[Problem] = []
        self.kind = AUTODIAGNOSTIC

    def problem(self, where: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, field, message))

    # -- small typed readers ------------------------------------------------

    def text(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(where, key, "champ obligatoire manquant")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, key, "un texte non vide est attendu")
            return ""
        return value.strip()

    def flag(self, data: dict, key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, key, f"« true » ou « false » attendu (reçu : {value!r})")
            return False
        return value

    def fraction(self, value, where: str, field: str) -> Fraction | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(where, field, f"un nombre est attendu (reçu : {value!r})")
            return None
        try:
            return Fraction(str(value).replace(",", "."))
        except (ValueError, ZeroDivisionError):
            self.problem(where, field, f"un nombre est attendu (reçu : {value!r})")
            return None

    def unit_fraction(self, value, where: str, field: str) -> Fraction | None:
        number = self.fraction(value, where, field)
        if number is not None and not 0 <= number <= 1:
            self.problem(
                where, field, f"la valeur doit être comprise entre 0 et 1 (reçu : {value})"
            )
            return None
        return number

    def identifier(self, data: dict, where: str, key: str = "id") -> str:
        value = data.get(key)
        if value is None:
            self.problem(where, key, "identifiant manquant")
            return ""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(
                where,
                key,
                f"identifiant invalide {value!r} : lettres minuscules sans accent, "
                "chiffres et tirets",
            )
            return ""
        return value

    def mapping(self, value, where: str, field: str) -> dict:
        if not isinstance(value, dict):
            self.problem(where, field, "une liste de clés et de valeurs est attendue")
            return {}
        return value

    def sequence(self, value, where: str, field: str) -> list:
        if not isinstance(value, list):
            self.problem(where, field, "une liste est attendue")
            return []
        return value

    def unknown_fields(self, data: dict, allowed: set, where: str) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem(where, str(key), f"champ inconnu (champs possibles : {known})")

    def audit_point_id(self, value, where: str, field: str) -> str | None:
        if not isinstance(value, str):
            self.problem(
                where,
                field,
                f'écrivez le point de contrôle entre guillemets, par exemple "1.10" '
                f"(reçu : {value!r})",
            )
            return None
        if not AUDIT_POINT_PATTERN.match(value):
            self.problem(where, field, f'point de contrôle invalide « {value} » (ex. "2.4")')
            return None
        return value

    # -- the document -------------------------------------------------------

    def read(self, document, expected_id) -> Questionnaire | None:
        where = "en-tête"
        if not isinstance(document, dict):
            self.problem(
                "fichier", "", "le fichier doit décrire une version (des clés : id, title…)"
            )
            return None
        self.unknown_fields(document, TOP_FIELDS, where)
        version_id = self.identifier(document, where)
        if version_id and expected_id and version_id != expected_id:
            self.problem(
                where, "id", f"« {version_id} » diffère du nom du fichier « {expected_id} »"
            )
        title = self.text(document, "title", where)
        description = self.text(document, "description", where, required=False)
        kind = self.text(document, "kind", where, required=False) or AUTODIAGNOSTIC
        if kind not in KINDS:
            self.problem(where, "kind", f"type inconnu « {kind} » (types : {', '.join(KINDS)})")
        results_only = kind == RESULTS_ONLY
        self.kind = kind
        if kind == AUDIT:
            for field in ("audit_points", "audit_points_not_covered"):
                if field in document:
                    self.problem(
                        where,
                        field,
                        "une grille d'audit déclare ses points de contrôle par ses questions "
                        "(champ « point ») : retirez ce champ",
                    )
        scale_labels = self.scale_labels(
            document.get("scale"), where, "scale", required=not results_only
        )
        self.channels = self.read_channels(document.get("channels", []))
        self.commitments = self.read_commitments(document.get("commitments"))
        self.option_sets = self.read_option_sets(document.get("option_sets", {}))
        self.audit_points = self.read_audit_points(document.get("audit_points", {}))
        not_covered = self.read_not_covered(document.get("audit_points_not_covered", {}))
        self.question_ids: set[str] = set()
        self.profile_questions: dict[str, Question] = {}
        if results_only:
            if document.get("sections"):
                self.problem(
                    where, "sections", "une version de résultats seuls n’a pas de questions"
                )
            sections = []
        else:
            sections = self.read_sections(document.get("sections"))
        questions = [question for section in sections for question in section.questions]
        if not results_only:
            self.check_whole(questions, not_covered)
        self.read_comparable(document.get("comparable_with"), where)
        if self.problems:
            return None
        if kind == AUDIT:
            # The grid's points are its scored questions, each its own audit point.
            self.audit_points = {q.id: q.title for q in questions if q.scored}
        return Questionnaire(
            id=version_id,
            title=title,
            kind=kind,
            description=description,
            content_hash=content_hash(document),
            source=self.file,
            scale_labels=scale_labels or ("", "", "", ""),
            channels=tuple(self.channels.values()),
            commitments=tuple(self.commitments.values()),
            sections=tuple(sections),
            audit_points=self.audit_points,
            audit_points_not_covered=not_covered,
            document=document,
            questions_by_id={question.id: question for question in questions},
        )

    def read_comparable(self, value, where: str) -> None:
        """`comparable_with: {version: ID, commitments: {n: m}}`: commitment n
        of this version measures what commitment m of version ID measures
        (history views compare only these). Optional."""
        if value is None:
            return
        data = self.mapping(value, where, "comparable_with")
        self.unknown_fields(data, {"version", "commitments"}, "comparable_with")
        self.identifier(data, "comparable_with", "version")
        pairs = self.mapping(data.get("commitments", {}), "comparable_with", "commitments")
        for own, other in pairs.items():
            # Keys are numbers in the file, strings once stored as JSON.
            own = int(own) if isinstance(own, str) and own.isdigit() else own
            if own not in self.commitments:
                self.problem("comparable_with", "commitments", f"engagement inconnu : {own!r}")
            if isinstance(other, bool) or not isinstance(other, int) or other < 1:
                self.problem(
                    "comparable_with",
                    "commitments",
                    f"numéro d’engagement attendu (reçu : {other!r})",
                )

    def scale_labels(self, value, where: str, field: str, required: bool):
        if value is None:
            if required:
                self.problem(where, field, "les libellés des 4 positions de l'échelle manquent")
            return None
        labels = self.mapping(value, where, field)
        keys = {str(key) for key in labels}
        if keys != set(SCALE_KEYS):
            self.problem(
                where,
                field,
                f'exactement les positions "0", "0.25", "0.75" et "1" sont attendues '
                f"(reçu : {', '.join(sorted(keys)) or 'aucune'})",
            )
            return None
        by_key = {str(key): text for key, text in labels.items()}
        if not all(isinstance(by_key[key], str) and by_key[key].strip() for key in SCALE_KEYS):
            self.problem(where, field, "chaque position de l'échelle a besoin d'un libellé")
            return None
        return tuple(by_key[key].strip() for key in SCALE_KEYS)

    def read_channels(self, value) -> dict[str, Channel]:
        channels: dict[str, Channel] = {}
        for index, data in enumerate(self.sequence(value, "en-tête", "channels"), start=1):
            where = f"canal n° {index}"
            if not isinstance(data, dict):
                self.problem(where, "", "un canal a un identifiant (id) et un libellé (label)")
                continue
            self.unknown_fields(data, {"id", "label"}, where)
            channel_id = self.identifier(data, where)
            label = self.text(data, "label", f"canal « {channel_id or index} »")
            if channel_id in channels:
                self.problem(f"canal « {channel_id} »", "id", "identifiant en double")
            elif channel_id:
                channels[channel_id] = Channel(channel_id, label)
        return channels

    def read_commitments(self, value) -> dict[int, Commitment]:
        commitments: dict[int, Commitment] = {}
        if value is None:
            self.problem("en-tête", "commitments", "la liste des engagements manque")
            return commitments
        for index, data in enumerate(self.sequence(value, "en-tête", "commitments"), start=1):
            where = f"engagement n° {index}"
            if not isinstance(data, dict):
                self.problem(where, "", "un engagement a un numéro (number) et un titre (title)")
                continue
            self.unknown_fields(data, {"number", "title", "group", "note"}, where)
            number = data.get("number")
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                self.problem(where, "number", f"un entier positif est attendu (reçu : {number!r})")
                continue
            where = f"engagement {number}"
            title = self.text(data, "title", where)
            group = self.text(data, "group", where, required=False) or None
            note = self.text(data, "note", where, required=False)
            if number in commitments:
                self.problem(where, "number", "numéro d'engagement en double")
            else:
                commitments[number] = Commitment(number, title, group, note)
        if not commitments and isinstance(value, list):
            self.problem("en-tête", "commitments", "au moins un engagement est attendu")
        return commitments

    def read_option_sets(self, value) -> dict[str, list]:
        sets = self.mapping(value, "en-tête", "option_sets")
        return {str(name): options for name, options in sets.items()}

    def read_audit_points(self, value) -> dict[str, str]:
        points: dict[str, str] = {}
        for key, title in self.mapping(value, "en-tête", "audit_points").items():
            point = self.audit_point_id(key, "en-tête", "audit_points")
            if point is None:
                continue
            if not isinstance(title, str) or not title.strip():
                self.problem(f"point de contrôle « {point} »", "audit_points", "libellé manquant")
                continue
            points[point] = title.strip()
        return points

    def read_not_covered(self, value) -> dict[str, str]:
        reasons: dict[str, str] = {}
        field = "audit_points_not_covered"
        for key, reason in self.mapping(value, "en-tête", field).items():
            point = self.audit_point_id(key, "en-tête", field)
            if point is None:
                continue
            where = f"point de contrôle « {point} »"
            if point not in self.audit_points:
                self.problem(where, field, "ce point n'est pas dans la liste audit_points")
            elif not isinstance(reason, str) or not reason.strip():
                self.problem(where, field, "dites pourquoi aucune question ne prépare ce point")
            else:
                reasons[point] = reason.strip()
        return reasons

    # -- sections and questions ---------------------------------------------

    def read_sections(self, value) -> list[Section]:
        if value is None:
            self.problem("en-tête", "sections", "la liste des sections manque")
            return []
        raw_sections = self.sequence(value, "en-tête", "sections")
        if isinstance(value, list) and not raw_sections:
            self.problem("en-tête", "sections", "au moins une section est attendue")
        sections: list[Section] = []
        seen: set[str] = set()
        for index, data in enumerate(raw_sections, start=1):
            where = f"section n° {index}"
            if not isinstance(data, dict):
                self.problem(where, "", "une section a un id, un titre et des questions")
                continue
            self.unknown_fields(data, SECTION_FIELDS, where)
            section_id = self.identifier(data, where)
            where = f"section « {section_id} »" if section_id else where
            if section_id in seen:
                self.problem(where, "id", "identifiant de section en double")
            seen.add(section_id)
            profile = self.flag(data, "profile", where)
            if profile and index != 1:
                self.problem(where, "profile", "la section de profil doit être la première")
            if index == 1 and not profile:
                self.problem(where, "profile", "la première section doit être celle du profil")
            conditions = self.conditions(data.get("when"), where, own_id=None)
            commitment, apart = self.section_commitment(data, where, profile)
            section = Section(
                id=section_id,
                title=self.text(data, "title", where),
                intro=self.text(data, "intro", where, required=False),
                profile=profile,
                conditions=conditions,
                commitment=commitment,
                apart=apart,
            )
            raw_questions = self.sequence(data.get("questions"), where, "questions")
            if not raw_questions:
                self.problem(where, "questions", "une section a au moins une question")
            questions = tuple(
                question
                for position, raw in enumerate(raw_questions, start=1)
                if (question := self.read_question(raw, section, position)) is not None
            )
            sections.append(replace(section, questions=questions))
        return sections

    def section_commitment(self, data: dict, where: str, profile: bool):
        """(commitment, apart) of a section: the commitment all its scored
        questions serve, or none at all for a section scored apart."""
        apart = self.flag(data, "apart", where)
        commitment = data.get("commitment")
        if commitment is not None and (
            isinstance(commitment, bool) or commitment not in self.commitments
        ):
            known = ", ".join(str(n) for n in self.commitments)
            self.problem(
                where, "commitment", f"engagement inconnu {commitment!r} (engagements : {known})"
            )
            commitment = None
        if apart and commitment is not None:
            self.problem(
                where,
                "apart",
                "une section à part ne sert aucun engagement : retirez « commitment »",
            )
        if profile and (apart or commitment is not None):
            self.problem(where, "profile", "la section de profil ne sert aucun engagement")
        return commitment, apart

    def read_question(self, data, section: Section, position: int) -> Question | None:
        where = f"section « {section.id} », question n° {position}"
        if not isinstance(data, dict):
            self.problem(where, "", "une question a un id, un texte et un type")
            return None
        is_point = self.kind == AUDIT and not section.profile
        question_id = self.point_id(data, where) if is_point else self.identifier(data, where)
        if question_id:
            where = f"{'point de contrôle' if is_point else 'question'} « {question_id} »"
            if question_id in self.question_ids:
                self.problem(
                    where,
                    "point" if is_point else "id",
                    f"{'point de contrôle' if is_point else 'identifiant de question'} en double",
                )
            self.question_ids.add(question_id)
        if is_point and "id" in data:
            self.problem(
                where,
                "id",
                'un point de contrôle s\'identifie par son numéro, champ « point » (ex. point: "1.1"), '
                "sans « id »",
            )
        raw_type = data.get("type")
        try:
            kind = QuestionType(raw_type)
        except ValueError:
            types = ", ".join(t.value for t in QuestionType)
            self.problem(where, "type", f"type inconnu {raw_type!r} (types : {types})")
            return None
        allowed = COMMON_QUESTION_FIELDS | TYPE_FIELDS[kind]
        if is_point:
            allowed = (allowed | AUDIT_POINT_FIELDS) - {"audit_points"}  # id: own message
            if kind is not QuestionType.SCALE:
                self.problem(
                    where,
                    "type",
                    "un point de contrôle se note sur l'échelle à 4 positions : type « scale »",
                )
        self.unknown_fields(data, allowed, where)
        if kind in PROFILE_TYPES and not section.profile:
            self.problem(where, "type", f"le type « {kind} » n'est possible que dans le profil")
        if kind in SCORED_TYPES and section.profile:
            self.problem(where, "type", "la section de profil ne contient pas de question notée")
        text = self.text(data, "text", where)
        help_text = self.text(data, "help", where, required=False)
        own_conditions = self.conditions(data.get("when"), where, own_id=question_id)
        fields = {
            "id": question_id,
            "text": text,
            "type": kind,
            "section_id": section.id,
            "help": help_text,
            "conditions": section.conditions + own_conditions,
            "channels": self.channel_list(data.get("channels", []), where),
        }
        if kind in SCORED_TYPES:
            fields.update(self.scored_fields(data, kind, where, section))
            if is_point and question_id:
                fields.update(self.point_fields(data, question_id, fields, section, where))
        elif kind is QuestionType.TEXT:
            fields.update(self.text_fields(data, where))
        elif kind is QuestionType.PROFILE_CHOICE:
            fields["options"] = self.options(data.get("options"), where, scored=False)
        question = Question(**fields)
        if section.profile and kind in PROFILE_TYPES and question_id:
            self.profile_questions[question_id] = question
        return question

    def scored_fields(self, data: dict, kind: QuestionType, where: str, section: Section) -> dict:
        fields: dict = {}
        commitment = data.get("commitment", section.commitment)
        if section.apart:
            if "commitment" in data:
                self.problem(
                    where,
                    "commitment",
                    f"la section « {section.id} » est à part : ses questions ne servent aucun engagement",
                )
        elif commitment is None:
            self.problem(where, "commitment", "l'engagement servi par la question manque")
        elif section.commitment is not None and commitment != section.commitment:
            self.problem(
                where,
                "commitment",
                f"la section « {section.id} » sert l'engagement {section.commitment} "
                f"(reçu : {commitment!r})",
            )
        elif commitment not in self.commitments or isinstance(commitment, bool):
            known = ", ".join(str(n) for n in self.commitments)
            self.problem(
                where, "commitment", f"engagement inconnu {commitment!r} (engagements : {known})"
            )
        else:
            fields["commitment"] = commitment
        if "weight" in data:
            weight = self.fraction(data["weight"], where, "weight")
            if weight is not None and weight <= 0:
                self.problem(
                    where, "weight", f"le poids doit être positif (reçu : {data['weight']})"
                )
            elif weight is not None:
                fields["weight"] = weight
        fields["not_applicable"] = self.flag(data, "not_applicable", where)
        fields["national"] = self.flag(data, "national", where)
        fields["note"] = self.text(data, "note", where, required=False)
        if self.kind != AUDIT:
            fields["audit_points"] = self.question_audit_points(data.get("audit_points"), where)
        if kind is QuestionType.SCALE and "levels" in data:
            if "scale_labels" in data:
                self.problem(
                    where,
                    "levels",
                    "« levels » nomme et décrit déjà les 4 positions : retirez « scale_labels »",
                )
            levels = self.levels(data["levels"], where)
            if levels is not None:
                fields["level_names"], fields["scale_labels"] = levels
        elif kind is QuestionType.SCALE and "scale_labels" in data:
            fields["scale_labels"] = self.scale_labels(
                data["scale_labels"], where, "scale_labels", True
            )
        elif kind is QuestionType.CHOICE:
            fields["options"] = self.options(data.get("options"), where, scored=True)
        elif kind in LIST_TYPES:
            items = self.items(data.get("items"), kind, where)
            fields["items"] = items
            if "rule" in data:
                fields["rule"] = self.rule(data["rule"], items, where)
        return fields

    # -- audit grids --------------------------------------------------------------

    def point_id(self, data: dict, where: str) -> str:
        """The number of a control point, which is its question id."""
        if "point" not in data:
            self.problem(where, "point", 'numéro du point de contrôle manquant (ex. point: "1.1")')
            return ""
        return self.audit_point_id(data["point"], where, "point") or ""

    def point_fields(
        self, data: dict, point: str, fields: dict, section: Section, where: str
    ) -> dict:
        """A control point is its own audit point; a point numbered after a
        commitment ("2.5") sits in a section of that commitment, any other
        ("OR.3") in a section scored apart."""
        prefix = point.split(".")[0]
        if prefix.isdigit() and section.apart:
            self.problem(
                where,
                "point",
                f"le point « {point} » relève de l'engagement {prefix} : il ne va pas dans une "
                "section à part",
            )
        elif prefix.isdigit() and fields.get("commitment") not in (None, int(prefix)):
            self.problem(
                where,
                "point",
                f"le point « {point} » relève de l'engagement {prefix}, pas de l'engagement "
                f"{fields['commitment']}",
            )
        elif not prefix.isdigit() and not section.apart:
            self.problem(
                where,
                "point",
                f"le critère « {point} » ne relève d'aucun engagement : placez-le dans une "
                "section à part (apart: true)",
            )
        return {"audit_points": (point,), "title": self.text(data, "title", where)}

    def levels(self, value, where: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The grid's named positions of the scale: for each of "0", "0.25",
        "0.75" and "1", a name ("Point sensible") and what it means."""
        levels = self.mapping(value, where, "levels")
        keys = {str(key) for key in levels}
        if keys != set(SCALE_KEYS):
            self.problem(
                where,
                "levels",
                f'exactement les positions "0", "0.25", "0.75" et "1" sont attendues '
                f"(reçu : {', '.join(sorted(keys)) or 'aucune'})",
            )
            return None
        by_key = {str(key): level for key, level in levels.items()}
        names, texts = [], []
        for key in SCALE_KEYS:
            level = by_key[key]
            field = f"levels.{key}"
            if not isinstance(level, dict):
                self.problem(where, field, "un nom (name) et un texte (text) sont attendus")
                return None
            self.unknown_fields(level, LEVEL_FIELDS, f"{where}, position « {key} »")
            names.append(self.text(level, "name", f"{where}, position « {key} »"))
            texts.append(self.text(level, "text", f"{where}, position « {key} »"))
        if len({name.lower() for name in names}) != len(names):
            self.problem(where, "levels", "chaque position porte un nom différent")
        if not all(names) or not all(texts):
            return None
        return tuple(names), tuple(texts)

    def text_fields(self, data: dict, where: str) -> dict:
        purpose = data.get("purpose")
        if purpose is not None and purpose not in TEXT_PURPOSES:
            self.problem(
                where, "purpose", f"usage inconnu {purpose!r} ({', '.join(TEXT_PURPOSES)})"
            )
            purpose = None
        structure_field = data.get("structure_field")
        if structure_field is not None:
            if purpose != "identite":
                self.problem(where, "structure_field", "réservé aux champs d'usage « identite »")
            elif structure_field not in STRUCTURE_FIELDS:
                fields = ", ".join(STRUCTURE_FIELDS)
                self.problem(
                    where, "structure_field", f"champ inconnu {structure_field!r} ({fields})"
                )
        if "commitment" in data and data["commitment"] not in self.commitments:
            self.problem(where, "commitment", f"engagement inconnu {data['commitment']!r}")
        return {"purpose": purpose, "structure_field": structure_field}

    def question_audit_points(self, value, where: str) -> tuple[str, ...]:
        if value is None:
            if self.audit_points:
                self.problem(where, "audit_points", "indiquez le(s) point(s) d'audit préparé(s)")
            return ()
        points = []
        for raw in self.sequence(value, where, "audit_points"):
            point = self.audit_point_id(raw, where, "audit_points")
            if point is None:
                continue
            if point not in self.audit_points:
                self.problem(where, "audit_points", f"point de contrôle inconnu « {point} »")
            elif point in points:
                self.problem(where, "audit_points", f"point « {point} » cité deux fois")
            else:
                points.append(point)
        return tuple(points)

    def channel_list(self, value, where: str) -> tuple[str, ...]:
        channels = []
        for raw in self.sequence(value, where, "channels"):
            if raw not in self.channels:
                self.problem(where, "channels", f"canal inconnu {raw!r} ({self.known_channels()})")
            else:
                channels.append(raw)
        return tuple(channels)

    def known_channels(self) -> str:
        return ", ".join(self.channels) or "aucun canal déclaré"

    def options(self, value, where: str, scored: bool) -> tuple[Option, ...]:
        if isinstance(value, str):
            if value not in self.option_sets:
                known = ", ".join(self.option_sets) or "aucun"
                self.problem(
                    where, "options", f"jeu d'options inconnu « {value} » (jeux : {known})"
                )
                return ()
            value = self.option_sets[value]
        raw_options = self.sequence(value, where, "options")
        if len(raw_options) < 2:
            self.problem(where, "options", "au moins deux options sont attendues")
        options: list[Option] = []
        for index, data in enumerate(raw_options, start=1):
            if not isinstance(data, dict):
                self.problem(where, "options", f"option n° {index} : id, label et value attendus")
                continue
            self.unknown_fields(data, OPTION_FIELDS, where)
            option_id = self.identifier(data, f"{where}, option n° {index}")
            label = self.text(data, "label", f"{where}, option « {option_id} »")
            option_value = None
            if scored:
                if "value" not in data:
                    self.problem(where, "options", f"option « {option_id} » : valeur manquante")
                else:
                    option_value = self.unit_fraction(data["value"], where, f"options.{option_id}")
            if any(option.id == option_id for option in options):
                self.problem(where, "options", f"option « {option_id} » en double")
            elif option_id:
                options.append(Option(option_id, label, option_value))
        return tuple(options)

    def items(self, value, kind: QuestionType, where: str) -> tuple[Item, ...]:
        raw_items = self.sequence(value, where, "items")
        if not raw_items:
            self.problem(where, "items", "au moins une proposition est attendue")
        items: list[Item] = []
        for index, data in enumerate(raw_items, start=1):
            if not isinstance(data, dict):
                self.problem(where, "items", f"proposition n° {index} : id et text attendus")
                continue
            self.unknown_fields(data, ITEM_FIELDS, f"{where}, proposition n° {index}")
            item_id = self.identifier(data, f"{where}, proposition n° {index}")
            item_where = f"{where}, proposition « {item_id or index} »"
            channel = data.get("channel")
            if channel is not None and channel not in self.channels:
                self.problem(
                    item_where, "channel", f"canal inconnu {channel!r} ({self.known_channels()})"
                )
                channel = None
            if kind is QuestionType.CHANNEL_ROWS and "channel" not in data:
                self.problem(
                    item_where, "channel", "chaque ligne d'une question par canal a un canal"
                )
            item = Item(
                id=item_id,
                text=self.text(data, "text", item_where),
                channel=channel,
                conditions=self.conditions(data.get("when"), item_where, own_id=None),
            )
            if any(existing.id == item_id for existing in items):
                self.problem(item_where, "id", "proposition en double dans la question")
            elif item_id:
                items.append(item)
        return tuple(items)

    def rule(self, value, items: tuple[Item, ...], where: str) -> tuple[Fraction, ...] | None:
        raw = self.sequence(value, where, "rule")
        if not raw:
            return None
        expected = len(items) + 1
        if len(raw) != expected:
            self.problem(
                where,
                "rule",
                f"la table compte {len(raw)} valeurs ; {expected} sont attendues "
                f"(de 0 à {len(items)} « Oui »)",
            )
            return None
        if any(item.channel or item.conditions for item in items):
            self.problem(
                where,
                "rule",
                "une table n'est possible que si aucune proposition ne peut être retirée "
                "(ni canal ni condition sur les propositions)",
            )
            return None
        values = [self.unit_fraction(v, where, "rule") for v in raw]
        if any(v is None for v in values):
            return None
        if any(later < earlier for earlier, later in pairwise(values)):
            self.problem(where, "rule", "les valeurs doivent croître avec le nombre de « Oui »")
        if values[-1] != 1:
            self.problem(
                where, "rule", "toutes les propositions à « Oui » valent 1 (le point entier)"
            )
        return tuple(values)

    # -- conditions -----------------------------------------------------------

    def conditions(self, value, where: str, own_id: str | None) -> tuple[Condition, ...]:
        """Conditions are checked against the profile questions read so far:
        the profile section comes first, so every reference is resolvable."""
        if value is None:
            return ()
        conditions = []
        for question_id, expected in self.mapping(value, where, "when").items():
            condition = self.condition(str(question_id), expected, where, own_id)
            if condition is not None:
                conditions.append(condition)
        return tuple(conditions)

    def condition(self, question_id: str, expected, where: str, own_id) -> Condition | None:
        field = f"when.{question_id}"
        target = self.profile_questions.get(question_id)
        if target is None:
            hint = "elle-même" if question_id == own_id else "une question de profil déjà définie"
            known = ", ".join(self.profile_questions) or "aucune"
            self.problem(
                where,
                field,
                f"condition sur une question inconnue « {question_id} » : une condition porte "
                f"sur {hint} (questions de profil : {known})",
            )
            return None
        negate = False
        if isinstance(expected, dict) and set(expected) == {"not"}:
            negate, expected = True, expected["not"]
        if target.type is QuestionType.BOOLEAN:
            if expected is True or expected is False:
                expected = "oui" if expected else "non"
            if negate or expected not in ("oui", "non"):
                self.problem(where, field, f"« oui » ou « non » attendu (reçu : {expected!r})")
                return None
            return Condition(question_id, frozenset({expected}))
        values = expected if isinstance(expected, list) else [expected]
        if target.type is QuestionType.CHANNELS:
            allowed, what = set(self.channels), "canal"
            if negate:
                self.problem(where, field, "« not » n'est pas possible sur les canaux")
                return None
        else:
            allowed, what = {option.id for option in target.options}, "option"
        unknown = [v for v in values if v not in allowed]
        if unknown or not values:
            self.problem(
                where,
                field,
                f"{what} inconnu(e) {', '.join(map(repr, unknown)) or '(liste vide)'} "
                f"(possibles : {', '.join(sorted(allowed))})",
            )
            return None
        return Condition(question_id, frozenset(values), negate)

    # -- the whole ------------------------------------------------------------

    def check_whole(self, questions: list[Question], not_covered: dict[str, str]) -> None:
        channel_questions = [q for q in questions if q.type is QuestionType.CHANNELS]
        if self.channels and len(channel_questions) != 1:
            self.problem(
                "section de profil",
                "channels",
                f"une question de type « channels » est attendue (trouvées : {len(channel_questions)})",
            )
        if not self.channels and channel_questions:
            self.problem("en-tête", "channels", "une question porte sur les canaux : déclarez-les")
        scored_commitments = {q.commitment for q in questions if q.scored}
        for number in self.commitments:
            if number not in scored_commitments:
                self.problem(f"engagement {number}", "", "aucune question notée ne le sert")
        covered = {point for q in questions for point in q.audit_points}
        for point in self.audit_points:
            if point in covered and point in not_covered:
                self.problem(
                    f"point de contrôle « {point} »",
                    "audit_points_not_covered",
                    "ce point est préparé par une question : retirez-le de la liste",
                )
            elif point not in covered and point not in not_covered:
                self.problem(
                    f"point de contrôle « {point} »",
                    "audit_points",
                    "aucune question ne le prépare : ajoutez-en une ou dites pourquoi "
                    "dans audit_points_not_covered",
                )
