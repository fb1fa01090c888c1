"""The figures of a questionnaire version that consolidation keeps for each
validated diagnostic, in a fixed order: the global score, each commitment,
each contact channel, each theme of each commitment, and each question
"relevant du niveau national".

Pure Python (no Django): the order is derived from the version itself,
which never changes, so a row of figures packed in this order reads the
same forever (`figures.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from autodiag.questionnaires.schema import Questionnaire

GLOBAL, COMMITMENT, CHANNEL, THEME, QUESTION = (
    "global",
    "commitment",
    "channel",
    "theme",
    "question",
)


@dataclass(frozen=True, slots=True)
class Figure:
    kind: str  # GLOBAL, COMMITMENT, CHANNEL, THEME or QUESTION
    key: str  # as in Score.key: "", "3", "telephone", "3:accueil-physique"; a question id
    label: str
    commitment: int | None = None  # themes and questions: the commitment they serve

    @property
    def name(self) -> str:
        """`commitment:3`: one name per figure, for exports and the API."""
        return f"{self.kind}:{self.key}" if self.key else self.kind


@dataclass(frozen=True)
class Layout:
    version_id: str
    figures: tuple[Figure, ...]

    def __post_init__(self):
        object.__setattr__(
            self, "_positions", {(f.kind, f.key): i for i, f in enumerate(self.figures)}
        )

    @property
    def width(self) -> int:
        return len(self.figures)

    def position(self, kind: str, key: str = "") -> int | None:
        return self._positions.get((kind, key))

    def of_kind(self, kind: str) -> list[tuple[int, Figure]]:
        return [(i, f) for i, f in enumerate(self.figures) if f.kind == kind]


def _themes(version: Questionnaire) -> list[tuple[int, str, str]]:
    """(commitment, section id, section title) of every theme of every
    commitment, ordered by commitment then questionnaire order (the order of
    a report's themes)."""
    seen: dict[int, list[tuple[str, str]]] = {c.number: [] for c in version.commitments}
    for section in version.sections:
        for question in section.questions:
            if question.scored and question.commitment in seen:
                pairs = seen[question.commitment]
                if (section.id, section.title) not in pairs:
                    pairs.append((section.id, section.title))
    return [(number, sid, title) for number, pairs in seen.items() for sid, title in pairs]


def _build(version: Questionnaire) -> Layout:
    figures = [Figure(GLOBAL, "", "Note globale")]
    figures += [Figure(COMMITMENT, str(c.number), c.title, c.number) for c in version.commitments]
    figures += [Figure(CHANNEL, ch.id, ch.label) for ch in version.channels]
    figures += [
        Figure(THEME, f"{number}:{section_id}", title, number)
        for number, section_id, title in _themes(version)
    ]
    figures += [
        Figure(QUESTION, q.id, q.text, q.commitment)
        for q in version.questions()
        if q.national and q.scored
    ]
    return Layout(version.id, tuple(figures))


_LAYOUTS: dict[tuple[str, str], Layout] = {}


def layout_of(version: Questionnaire) -> Layout:
    """The layout of a version, built once per process (a version never
    changes: its content hash is part of the key)."""
    key = (version.id, version.content_hash)
    if key not in _LAYOUTS:
        _LAYOUTS[key] = _build(version)
    return _LAYOUTS[key]
