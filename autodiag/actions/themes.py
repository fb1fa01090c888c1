"""The commitments of a questionnaire version and the themes serving each
one, in the questionnaire's order: what an action sheet may serve.

A theme is a section of the questionnaire seen from one commitment (the
results' "résultats par thématique"): the section "Formations" serves
several commitments, and is a theme of each of them.

Pure Python (no Django), like the questionnaire objects it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from autodiag.questionnaires.schema import Questionnaire


@dataclass(frozen=True, slots=True)
class Theme:
    commitment: int
    section_id: str
    title: str


@dataclass(frozen=True, slots=True)
class CommitmentThemes:
    number: int
    title: str
    themes: tuple[Theme, ...]

    def theme(self, section_id: str) -> Theme | None:
        return next((t for t in self.themes if t.section_id == section_id), None)


def commitments_with_themes(version: Questionnaire) -> tuple[CommitmentThemes, ...]:
    """Each commitment with the sections holding at least one scored
    question of it, in questionnaire order."""
    sections: dict[int, list[Theme]] = {c.number: [] for c in version.commitments}
    for section in version.sections:
        served = {q.commitment for q in section.questions if q.scored and q.commitment}
        for number in sorted(served):
            if number in sections:
                sections[number].append(Theme(number, section.id, section.title))
    return tuple(
        CommitmentThemes(c.number, c.title, tuple(sections[c.number])) for c in version.commitments
    )


def theme_key(commitment: int, section_id: str = "") -> str:
    """The value of one choice of the form's "engagement et thématique"
    list: `5:clarte-information`, or `5:` for the commitment as a whole."""
    return f"{commitment}:{section_id}"


def parse_theme_key(value: str) -> tuple[int, str] | None:
    number, _, section_id = (value or "").partition(":")
    if not number.isdigit():
        return None
    return int(number), section_id
