"""Hypothesis strategies: random but valid answer sheets for a questionnaire."""

from hypothesis import strategies as st

from autodiag.questionnaires.schema import QuestionType, conditions_hold
from autodiag.scoring.answers import item_displayed, parse_answer_sheet, profile_of, used_channels


@st.composite
def answer_sheets(draw, questionnaire):
    """A normalised, valid and complete answer sheet."""
    raw = {}
    for question in questionnaire.questions():
        if not question.is_profile:
            continue
        profile = profile_of(questionnaire, parse_answer_sheet(questionnaire, raw))
        if not conditions_hold(question.conditions, profile):
            continue
        if question.type is QuestionType.CHANNELS:
            raw[question.id] = draw(
                st.lists(st.sampled_from([c.id for c in questionnaire.channels]), unique=True)
            )
        elif question.type is QuestionType.BOOLEAN:
            raw[question.id] = draw(st.sampled_from(["oui", "non"]))
        else:
            raw[question.id] = draw(st.sampled_from([o.id for o in question.options]))
    answers = parse_answer_sheet(questionnaire, raw)
    profile = profile_of(questionnaire, answers)
    channels = used_channels(questionnaire, profile)
    for question in questionnaire.questions():
        if not question.scored or not conditions_hold(question.conditions, profile):
            continue
        if question.not_applicable and draw(st.integers(0, 9)) == 0:
            raw[question.id] = "na"
        elif question.type is QuestionType.SCALE:
            raw[question.id] = draw(st.sampled_from(["0", "0.25", "0.75", "1"]))
        elif question.type is QuestionType.CHOICE:
            raw[question.id] = draw(st.sampled_from([o.id for o in question.options]))
        else:
            words = ["oui", "non"] + (
                ["indisponible"] if question.type is QuestionType.CHANNEL_ROWS else []
            )
            raw[question.id] = {
                item.id: draw(st.sampled_from(words))
                for item in question.items
                if item_displayed(item, profile, channels)
            }
    return parse_answer_sheet(questionnaire, raw)


def extreme_sheet(questionnaire, profile_raw: dict, best: bool) -> dict:
    """Every displayed question answered at its best (or worst) value,
    never "Non applicable", for the given raw profile answers."""
    answers = parse_answer_sheet(questionnaire, profile_raw)
    profile = profile_of(questionnaire, answers)
    channels = used_channels(questionnaire, profile)
    raw = dict(profile_raw)
    for question in questionnaire.questions():
        if not question.scored or not conditions_hold(question.conditions, profile):
            continue
        if question.type is QuestionType.SCALE:
            raw[question.id] = 1 if best else 0
        elif question.type is QuestionType.CHOICE:
            pick = max if best else min
            raw[question.id] = pick(question.options, key=lambda option: option.value).id
        else:
            rows = {
                item.id: ("oui" if best else "non")
                for item in question.items
                if item_displayed(item, profile, channels)
            }
            if rows:
                raw[question.id] = rows
    return parse_answer_sheet(questionnaire, raw)
