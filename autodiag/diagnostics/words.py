"""One cell of an answer in words, as the filling pages show a conflict:
« Automatique : Oui », « Partiellement », « Non applicable »."""

from __future__ import annotations

from autodiag.questionnaires.schema import NOT_APPLICABLE, Question, QuestionType

SCALE_VALUES = ["0", "0.25", "0.75", "1"]
ROW_WORDS = {"oui": "Oui", "non": "Non", "indisponible": "Canal non disponible"}


def cell_words(question: Question, version, cell: str, value) -> str:
    if value is None:
        return "sans réponse"
    if value == NOT_APPLICABLE:
        return "Non applicable"
    if cell:
        item = next((i for i in question.items if i.id == cell), None)
        row = ROW_WORDS.get(value, str(value))
        return f"{item.text}\u00a0: {row}" if item else row
    if question.type is QuestionType.SCALE and value in SCALE_VALUES:
        labels = question.scale_labels or version.scale_labels
        return labels[SCALE_VALUES.index(value)] or value.replace(".", ",")
    if question.type in (QuestionType.CHOICE, QuestionType.PROFILE_CHOICE):
        option = question.option(value)
        return option.label if option else str(value)
    if question.type is QuestionType.BOOLEAN:
        return ROW_WORDS.get(value, str(value))
    if question.type is QuestionType.CHANNELS and isinstance(value, list):
        labels = {c.id: c.label for c in version.channels}
        return ", ".join(labels.get(v, v) for v in value) or "aucun canal"
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:119] + "…"
