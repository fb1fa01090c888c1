"""Answers: turning what a person wrote (an answer sheet, a form field) into
the values the engine reads, with a clear message for anything wrong.

Normalised values, by question type:
- scale: a Fraction among 0, 1/4, 3/4, 1; or NOT_APPLICABLE
- choice: an option id; or NOT_APPLICABLE
- yes_no, channel_rows: a dict item id -> "oui" | "non" | "indisponible";
  or NOT_APPLICABLE
- text: a str; boolean: "oui" | "non"; profile_choice: an option id
- channels: a frozenset of channel ids
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from autodiag.questionnaires.schema import (
    NO,
    NOT_APPLICABLE,
    SCALE_VALUES,
    UNAVAILABLE,
    YES,
    Question,
    Questionnaire,
    QuestionType,
    conditions_hold,
)

YES_WORDS = {"oui": YES, "yes": YES, True: YES}
NO_WORDS = {"non": NO, "no": NO, False: NO}
NA_WORDS = {"na", "n/a", "non applicable", "non-applicable"}
UNAVAILABLE_WORDS = {"indisponible", "canal non disponible", "non disponible"}


class AnswerValueError(ValueError):
    """A value the question does not allow; the message says what it allows."""


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    question_id: str
    message: str

    def __str__(self) -> str:
        return f"question « {self.question_id} » : {self.message}"


class AnswerSheetError(Exception):
    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _slug(text: str) -> str:
    """`Point de progrès` → `point-de-progres`: names compared loosely."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("’", "'").split())


def _word(value):
    return value.strip().lower() if isinstance(value, str) else value


def _is_na(value) -> bool:
    return isinstance(value, str) and _word(value) in NA_WORDS


def normalize_answer(question: Question, value):
    """The normalised value of `value` for `question`, or AnswerValueError."""
    kind = question.type
    if _is_na(value) and kind in {QuestionType.SCALE, QuestionType.CHOICE, *_LIST_KINDS}:
        if not question.not_applicable:
            raise AnswerValueError("« Non applicable » n'est pas proposé pour cette question")
        return NOT_APPLICABLE
    return _NORMALIZERS[kind](question, value)


def _scale(question: Question, value):
    allowed = "0, 0.25, 0.75 ou 1" + (" (ou na)" if question.not_applicable else "")
    if question.level_names:
        allowed += " ; ou le nom d'une position : " + ", ".join(question.level_names)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AnswerValueError(f"valeur {value!r} : {allowed} attendu")
    if question.level_names and isinstance(value, str):
        # A grid's named position ("Point sensible", "point-sensible") is
        # the scale value at its place.
        names = [_slug(name) for name in question.level_names]
        if _slug(value) in names:
            return SCALE_VALUES[names.index(_slug(value))]
    try:
        number = Fraction(str(value).strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise AnswerValueError(f"valeur {value!r} : {allowed} attendu") from None
    if number not in SCALE_VALUES:
        raise AnswerValueError(f"valeur {value!r} hors de l'échelle : {allowed} attendu")
    return number


def _choice(question: Question, value):
    if isinstance(value, str) and question.option(value.strip()):
        return value.strip()
    allowed = ", ".join(option.id for option in question.options)
    if question.not_applicable:
        allowed += ", na"
    raise AnswerValueError(f"option inconnue {value!r} (options : {allowed})")


def _list(question: Question, value):
    if not isinstance(value, dict):
        raise AnswerValueError(
            f"une réponse par proposition est attendue, par exemple {{{question.items[0].id}: oui}}"
        )
    rows = {}
    known = {item.id for item in question.items}
    for item_id, answer in value.items():
        if item_id not in known:
            raise AnswerValueError(
                f"proposition inconnue « {item_id} » (propositions : {', '.join(sorted(known))})"
            )
        if answer is None:
            continue  # a blank left in a template: this row is unanswered
        word = _word(answer)
        if word in YES_WORDS:
            rows[item_id] = YES
        elif word in NO_WORDS:
            rows[item_id] = NO
        elif question.type is QuestionType.CHANNEL_ROWS and word in UNAVAILABLE_WORDS:
            rows[item_id] = UNAVAILABLE
        else:
            allowed = "oui, non" + (
                ", indisponible" if question.type is QuestionType.CHANNEL_ROWS else ""
            )
            raise AnswerValueError(f"proposition « {item_id} » : {answer!r} ({allowed} attendu)")
    return rows


# A free-text answer is a few paragraphs; the bound keeps every page and PDF
# that shows it cheap (issue 12, finding 10).
MAX_TEXT_LENGTH = 10_000


def _text(question: Question, value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise AnswerValueError("un texte est attendu")
    text = value.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise AnswerValueError(
            f"texte trop long : {len(text)} caractères, {MAX_TEXT_LENGTH} au plus "
            "(raccourcissez-le ; votre saisie reste dans la page)"
        )
    return text


def _boolean(question: Question, value):
    word = _word(value)
    if word in YES_WORDS:
        return YES
    if word in NO_WORDS:
        return NO
    raise AnswerValueError(f"{value!r} : oui ou non attendu")


def _channels(question: Question, value, questionnaire_channels=None):
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise AnswerValueError("une liste de canaux est attendue, par exemple [accueil-physique]")
    return frozenset(v.strip() for v in values)


def _profile_choice(question: Question, value):
    if isinstance(value, str) and question.option(value.strip()):
        return value.strip()
    allowed = ", ".join(option.id for option in question.options)
    raise AnswerValueError(f"option inconnue {value!r} (options : {allowed})")


_LIST_KINDS = {QuestionType.YES_NO, QuestionType.CHANNEL_ROWS}
_NORMALIZERS = {
    QuestionType.SCALE: _scale,
    QuestionType.CHOICE: _choice,
    QuestionType.YES_NO: _list,
    QuestionType.CHANNEL_ROWS: _list,
    QuestionType.TEXT: _text,
    QuestionType.BOOLEAN: _boolean,
    QuestionType.CHANNELS: _channels,
    QuestionType.PROFILE_CHOICE: _profile_choice,
}


def profile_of(questionnaire: Questionnaire, answers: dict) -> dict:
    """The profile answers (normalised) that display conditions read."""
    return {
        question.id: answers[question.id]
        for question in questionnaire.questions()
        if question.is_profile and question.id in answers
    }


def used_channels(questionnaire: Questionnaire, profile: dict) -> frozenset[str]:
    question = questionnaire.channels_question
    return profile.get(question.id, frozenset()) if question else frozenset()


def item_displayed(item, profile: dict, channels: frozenset[str]) -> bool:
    if item.channel is not None and item.channel not in channels:
        return False
    return conditions_hold(item.conditions, profile)


def parse_answer_sheet(questionnaire: Questionnaire, raw) -> dict:
    """Every answer of a sheet, normalised and checked against the
    questionnaire and the sheet's own profile; all problems at once."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerSheetError(
            [AnswerProblem("answers", "une liste « question: réponse » est attendue")]
        )
    problems: list[AnswerProblem] = []
    answers: dict = {}
    for question_id, value in raw.items():
        question = questionnaire.question(str(question_id))
        if question is None:
            problems.append(AnswerProblem(str(question_id), "question inconnue dans cette version"))
            continue
        if value is None:
            continue  # a blank left in a template: unanswered
        try:
            normalized = normalize_answer(question, value)
        except AnswerValueError as exc:
            problems.append(AnswerProblem(question.id, str(exc)))
            continue
        if normalized != {}:  # a list whose rows are all blank is unanswered
            answers[question.id] = normalized
    problems.extend(_channel_problems(questionnaire, answers))
    problems.extend(_visibility_problems(questionnaire, answers))
    if problems:
        raise AnswerSheetError(problems)
    return answers


def _channel_problems(questionnaire: Questionnaire, answers: dict):
    question = questionnaire.channels_question
    if question is None or question.id not in answers:
        return
    known = {channel.id for channel in questionnaire.channels}
    for channel in sorted(answers[question.id] - known):
        yield AnswerProblem(
            question.id, f"canal inconnu « {channel} » (canaux : {', '.join(sorted(known))})"
        )


def _visibility_problems(questionnaire: Questionnaire, answers: dict):
    profile = profile_of(questionnaire, answers)
    channels = used_channels(questionnaire, profile)
    for question_id, value in answers.items():
        question = questionnaire.question(question_id)
        if not conditions_hold(question.conditions, profile):
            yield AnswerProblem(
                question_id,
                f"question masquée par le profil ({hidden_because(question, profile)}) : ne pas y répondre",
            )
            continue
        if isinstance(value, dict):
            for item in question.items:
                if item.id in value and not item_displayed(item, profile, channels):
                    reason = (
                        f"canal « {item.channel} » non utilisé"
                        if item.channel and item.channel not in channels
                        else "masquée par le profil"
                    )
                    yield AnswerProblem(
                        question_id, f"proposition « {item.id} » : {reason}, ne pas y répondre"
                    )


def hidden_because(question: Question, profile: dict) -> str:
    """Why the profile hides a question, in words (first failing condition)."""
    for condition in question.conditions:
        if condition.holds(profile):
            continue
        answer = profile.get(condition.question_id)
        if answer is None:
            return f"« {condition.question_id} » sans réponse"
        expected = ", ".join(sorted(condition.values))
        if condition.negate:
            return f"« {condition.question_id} » vaut {_show(answer)}"
        return f"« {condition.question_id} » vaut {_show(answer)}, il faudrait {expected}"
    return "conditions non remplies"


def _show(answer) -> str:
    if isinstance(answer, frozenset):
        return "[" + ", ".join(sorted(answer)) + "]" if answer else "aucun canal"
    return str(answer)


def storable(value):
    """A normalised value as JSON (the database, the autosave responses);
    `normalize_answer` reads it back."""
    if isinstance(value, Fraction):
        return format(float(value), "g") if value.denominator != 1 else str(value.numerator)
    if isinstance(value, frozenset):
        return sorted(value)
    return value
