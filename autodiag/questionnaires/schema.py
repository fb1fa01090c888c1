"""A questionnaire version in memory: immutable, already validated.

Pure Python (no Django): the scoring engine, the command line and the web
app all read these objects. Built only by `loader.load_questionnaire`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class QuestionType(StrEnum):
    SCALE = "scale"
    CHOICE = "choice"
    YES_NO = "yes_no"
    CHANNEL_ROWS = "channel_rows"
    TEXT = "text"
    BOOLEAN = "boolean"
    CHANNELS = "channels"
    PROFILE_CHOICE = "profile_choice"


SCORED_TYPES = frozenset(
    {QuestionType.SCALE, QuestionType.CHOICE, QuestionType.YES_NO, QuestionType.CHANNEL_ROWS}
)
PROFILE_TYPES = frozenset(
    {QuestionType.BOOLEAN, QuestionType.CHANNELS, QuestionType.PROFILE_CHOICE}
)
LIST_TYPES = frozenset({QuestionType.YES_NO, QuestionType.CHANNEL_ROWS})

# The 4-position scale of the programme, in order.
SCALE_VALUES = (Fraction(0), Fraction(1, 4), Fraction(3, 4), Fraction(1))

# Answer words, as written in answer sheets and stored by the web app.
YES, NO, UNAVAILABLE, NOT_APPLICABLE = "oui", "non", "indisponible", "na"

TEXT_PURPOSES = ("points-forts", "besoins-appui", "identite")

# Kinds of versions: the self-assessment, and the label's audit grid.
AUTODIAGNOSTIC, AUDIT = "autodiagnostic", "audit"
STRUCTURE_FIELDS = ("code", "reseau", "departement", "nom")


@dataclass(frozen=True, slots=True)
class Condition:
    """`question_id`'s answer must be one of `values` (for the channels
    question: at least one of them is used), or none of them if `negate`."""

    question_id: str
    values: frozenset[str]
    negate: bool = False

    def holds(self, profile: dict) -> bool:
        answer = profile.get(self.question_id)
        if answer is None:
            # An unanswered profile question shows nothing that depends on it.
            return False
        matches = (
            bool(self.values & answer) if isinstance(answer, frozenset) else answer in self.values
        )
        return matches != self.negate


def conditions_hold(conditions: tuple[Condition, ...], profile: dict) -> bool:
    return all(condition.holds(profile) for condition in conditions)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str
    value: Fraction | None  # None for profile choices, which are not scored


@dataclass(frozen=True, slots=True)
class Item:
    """A proposition of a Yes/No list, or a row of a per-channel question."""

    id: str
    text: str
    channel: str | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    type: QuestionType
    section_id: str
    help: str = ""
    commitment: int | None = None
    weight: Fraction = Fraction(1)
    not_applicable: bool = False
    # The section's conditions followed by the question's own.
    conditions: tuple[Condition, ...] = ()
    channels: tuple[str, ...] = ()
    audit_points: tuple[str, ...] = ()
    national: bool = False
    options: tuple[Option, ...] = ()
    items: tuple[Item, ...] = ()
    # Fraction of the points for 0, 1, ... n "Oui"; None means proportional.
    rule: tuple[Fraction, ...] | None = None
    scale_labels: tuple[str, str, str, str] | None = None
    purpose: str | None = None
    structure_field: str | None = None
    # Audit grids (kind "audit"): the control point's short title, a note on
    # where it applies, and the names of the four scale positions when the
    # grid names them ("Non conforme" … "Conforme").
    title: str = ""
    note: str = ""
    level_names: tuple[str, str, str, str] | None = None

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES

    @property
    def is_profile(self) -> bool:
        return self.type in PROFILE_TYPES

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)

    def level_name(self, value: Fraction) -> str:
        """The grid's name of a scale position ("Point sensible"), or ""."""
        if self.level_names is None or value not in SCALE_VALUES:
            return ""
        return self.level_names[SCALE_VALUES.index(value)]


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    intro: str = ""
    profile: bool = False
    conditions: tuple[Condition, ...] = ()
    questions: tuple[Question, ...] = ()
    # The commitment every scored question of the section serves (an audit
    # grid's theme belongs to one commitment); None: each question says.
    commitment: int | None = None
    # Scored apart: its questions serve no commitment and count neither in a
    # commitment nor in the global score (the audit grid's "OR" criteria).
    apart: bool = False


@dataclass(frozen=True, slots=True)
class Commitment:
    number: int
    title: str
    group: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    title: str
    kind: str
    content_hash: str
    source: str
    description: str = ""
    scale_labels: tuple[str, str, str, str] = ("", "", "", "")
    channels: tuple[Channel, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    sections: tuple[Section, ...] = ()
    audit_points: dict[str, str] = field(default_factory=dict)
    audit_points_not_covered: dict[str, str] = field(default_factory=dict)
    # The parsed file, kept to store the version as it was loaded.
    document: dict = field(default_factory=dict, repr=False, compare=False)
    questions_by_id: dict[str, Question] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_audit(self) -> bool:
        return self.kind == AUDIT

    def questions(self):
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> Question | None:
        return self.questions_by_id.get(question_id)

    def commitment(self, number: int) -> Commitment | None:
        return next((c for c in self.commitments if c.number == number), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    @property
    def channels_question(self) -> Question | None:
        return next((q for q in self.questions() if q.type is QuestionType.CHANNELS), None)

    def audit_coverage(self) -> dict[str, list[str]]:
        """Each audit point of the grid -> the ids of the questions preparing it."""
        coverage: dict[str, list[str]] = {point: [] for point in self.audit_points}
        for question in self.questions():
            for point in question.audit_points:
                coverage.setdefault(point, []).append(question.id)
        return coverage
