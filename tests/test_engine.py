"""The scoring rules of DOMAIN.md 4.3 and 4.4, one behaviour per test, on
the small test questionnaire (tests/data/mini.yaml)."""

from fractions import Fraction as F

import pytest

from autodiag.scoring.answers import AnswerSheetError, parse_answer_sheet
from autodiag.scoring.engine import score
from autodiag.scoring.report import Status

from .conftest import MINI_PROFILE, mini_report

ALL_BEST = {
    "politesse": {"accueil": "oui", "telephone": "oui", "courriel": "oui"},
    "posture": 1,
    "frequence_rappel": "toujours",
    "svi_infos": {"horaires": "oui", "adresse": "oui"},
    "plateforme": {"site": "oui", "plateforme": "oui"},
    "energie": {"suivi": "oui", "travaux": "oui", "gestes": "oui"},
}


def answers(**changes):
    return {**ALL_BEST, **changes}


def commitment(report, number):
    return next(c for c in report.commitments if c.number == number)


def test_all_best_answers_score_100_everywhere(mini):
    report = mini_report(mini, **ALL_BEST)
    assert report.global_ratio == 1
    assert all(c.ratio == 1 for c in report.commitments)
    assert all(ch.ratio == 1 for ch in report.channels)
    assert report.complete


@pytest.mark.parametrize("value,expected", [(0, 0), (0.25, F(1, 4)), ("0,75", F(3, 4)), (1, 1)])
def test_scale_positions(mini, value, expected):
    result = mini_report(mini, **answers(posture=value)).questions["posture"]
    assert result.points == expected and result.maximum == 1


@pytest.mark.parametrize(
    "option,expected", [("toujours", 1), ("souvent", F(3, 4)), ("parfois", F(1, 4)), ("jamais", 0)]
)
def test_single_choice_named_levels(mini, option, expected):
    assert (
        mini_report(mini, **answers(frequence_rappel=option)).questions["frequence-rappel"].points
        == expected
    )


def test_yes_no_list_is_proportional_by_default(mini):
    report = mini_report(mini, **answers(svi_infos={"horaires": "oui", "adresse": "non"}))
    assert report.questions["svi-infos"].points == F(1, 2)


def test_yes_no_list_with_a_table(mini):
    for yes_count, expected in enumerate([0, F(3, 4), F(9, 4), 3]):
        rows = {
            item: ("oui" if i < yes_count else "non")
            for i, item in enumerate(["suivi", "travaux", "gestes"])
        }
        assert mini_report(mini, **answers(energie=rows)).questions["energie"].points == expected


def test_channel_rows_unavailable_channel_drops_out(mini):
    rows = {"accueil": "oui", "telephone": "indisponible", "courriel": "non"}
    result = mini_report(mini, **answers(politesse=rows)).questions["politesse"]
    assert (result.points, result.maximum) == (1, 2)  # 1 "Oui" of 2 rows, weight 2


def test_channel_rows_unused_channel_drops_out(mini):
    report = mini_report(
        mini,
        canaux=["accueil", "courriel"],
        svi=None,
        **answers(politesse={"accueil": "oui", "courriel": "oui"}, svi_infos=None),
    )
    assert report.questions["politesse"].ratio == 1


def test_all_rows_out_makes_the_question_not_applicable(mini):
    rows = {"accueil": "indisponible", "telephone": "indisponible", "courriel": "indisponible"}
    report = mini_report(mini, **answers(politesse=rows, posture=0.25))
    assert report.questions["politesse"].status is Status.NO_APPLICABLE_ROW
    assert commitment(report, 1).ratio == F(1, 4)  # only "posture" counts


def test_not_applicable_counts_neither_in_points_nor_maximum(mini):
    report = mini_report(mini, **answers(posture="na"))
    one = commitment(report, 1)
    assert report.questions["posture"].status is Status.NOT_APPLICABLE
    assert (one.points, one.maximum) == (2, 2)


def test_not_applicable_only_where_offered(mini):
    with pytest.raises(AnswerSheetError) as info:
        mini_report(mini, **answers(frequence_rappel="na"))
    assert "« Non applicable » n'est pas proposé" in str(info.value)


def test_question_filtered_out_by_profile_does_not_count(mini):
    report = mini_report(mini, svi="non", **answers(svi_infos=None, frequence_rappel="jamais"))
    assert report.questions["svi-infos"].status is Status.HIDDEN
    two = commitment(report, 2)
    assert (two.points, two.maximum) == (1, 2)


def test_item_filtered_out_by_profile_drops_out(mini):
    report = mini_report(mini, typologie="collectivite", **answers(plateforme={"site": "oui"}))
    assert report.questions["plateforme"].ratio == 1


def test_answering_a_filtered_question_is_an_error(mini):
    with pytest.raises(AnswerSheetError) as info:
        mini_report(mini, svi="non", **ALL_BEST)
    assert (
        "question « svi-infos » : question masquée par le profil (« svi » vaut non, il faudrait oui)"
        in str(info.value)
    )


def test_answering_a_row_of_an_unused_channel_is_an_error(mini):
    with pytest.raises(AnswerSheetError) as info:
        mini_report(mini, canaux=["accueil", "courriel"], svi=None, **answers(svi_infos=None))
    assert "proposition « telephone » : canal « telephone » non utilisé" in str(info.value)


def test_unknown_question_and_bad_values_are_all_reported(mini):
    with pytest.raises(AnswerSheetError) as info:
        mini_report(mini, **answers(posture=0.5, frequence_rappel="toujour"), inconnue=1)
    messages = [str(p) for p in info.value.problems]
    assert "question « inconnue » : question inconnue dans cette version" in messages
    assert any("posture" in m and "hors de l'échelle" in m for m in messages)
    assert any("frequence-rappel" in m and "option inconnue 'toujour'" in m for m in messages)


def test_missing_answers_are_listed_and_do_not_count(mini):
    partial = dict(ALL_BEST)
    del partial["posture"]
    partial["plateforme"] = {"site": "oui"}  # one row unanswered: the question is incomplete
    report = mini_report(mini, **partial)
    assert set(report.missing) == {"posture", "plateforme"}
    assert not report.complete
    assert report.global_ratio == 1  # what is answered is at 100 %


def test_missing_profile_answer_is_listed(mini):
    raw = {k: v for k, v in MINI_PROFILE.items() if k != "typologie"}
    report = score(mini, parse_answer_sheet(mini, raw))
    assert "typologie" in report.missing


def test_global_score_is_the_mean_of_commitments(mini):
    # Commitment 1 at 1/3 of 2 pts, commitment 2 at 2/3 of 3, commitment 3 at
    # 3/4 of 3: the mean of the three (7/12), not the points ratio (59/96).
    report = mini_report(
        mini,
        **answers(
            politesse={"accueil": "non", "telephone": "non", "courriel": "oui"},
            posture="na",
            svi_infos={"horaires": "non", "adresse": "non"},
            energie={"suivi": "oui", "travaux": "oui", "gestes": "non"},  # table: 2 of 3 give 0.75
        ),
    )
    assert [c.ratio for c in report.commitments] == [F(1, 3), F(2, 3), F(3, 4)]
    assert report.global_ratio == F(7, 12)


def test_commitment_with_nothing_applicable_is_not_evaluated_and_left_out(mini):
    report = mini_report(mini, **answers(energie="na", posture=0))
    assert report.not_evaluated == (3,)
    assert commitment(report, 3).display == "non évalué"
    assert report.global_ratio == (F(2, 3) + 1) / 2


def test_theme_within_commitment(mini):
    report = mini_report(mini, **answers(posture=0.25))
    themes = commitment(report, 1).themes
    assert [(t.section_id, t.ratio) for t in themes] == [("accueil", F(9, 12))]


def test_per_channel_view(mini):
    # posture is tagged "accueil" (full weight); politesse rows count 2/3 pt each.
    rows = {"accueil": "non", "telephone": "oui", "courriel": "indisponible"}
    report = mini_report(mini, **answers(politesse=rows, posture=0.75))
    by_channel = {ch.channel_id: ch for ch in report.channels}
    assert (by_channel["accueil"].points, by_channel["accueil"].maximum) == (F(3, 4), 2)
    assert by_channel["telephone"].ratio == 1
    assert "courriel" not in by_channel  # unavailable: no figure rather than 0 %


def test_per_channel_view_leaves_out_channels_the_structure_does_not_use(mini):
    report = mini_report(
        mini,
        canaux=["telephone", "courriel"],
        **answers(politesse={"telephone": "oui", "courriel": "non"}),
    )
    # "posture" is tagged "accueil", which this structure does not use.
    assert [ch.channel_id for ch in report.channels] == ["telephone", "courriel"]


def test_free_texts_are_kept_never_scored(mini):
    report = mini_report(mini, **ALL_BEST, accueil_points_forts="Accueil chaleureux")
    assert report.texts == {"nom": "Agence test", "accueil-points-forts": "Accueil chaleureux"}
    assert report.global_ratio == 1


def test_display_is_french_with_one_decimal(mini):
    report = mini_report(
        mini,
        **answers(posture=0, politesse={"accueil": "oui", "telephone": "oui", "courriel": "non"}),
    )
    assert commitment(report, 1).display == "44,4\u00a0%"


def test_json_report_has_stable_keys(mini):
    data = mini_report(mini, **ALL_BEST).to_json()
    assert set(data) == {
        "format",
        "questionnaire",
        "complete",
        "missing",
        "global",
        "commitments",
        "channels",
        "questions",
        "texts",
    }
    assert data["global"] == {
        "score": 100,
        "display": "100\u00a0%",
        "commitments_not_evaluated": [],
    }
    assert data["commitments"][0]["themes"][0]["section"] == "accueil"
