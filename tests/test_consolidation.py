"""Consolidated statistics: the fast computation (lines of packed figures,
numpy) equals the direct one (Score rows, `scoring.aggregate`, the
statistics module) on random data; each structure counts once; the page
shows the figures of DOMAIN.md 4.5 within the head's scope only."""

from __future__ import annotations

import datetime
import statistics
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autodiag.consolidation.figures import pack, unpack
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.models import STILL_LATEST, ResultLine
from autodiag.consolidation.statistics import (
    Filters,
    consolidated_statistics,
    direct_statistics,
    lines_in_scope,
)
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network

from .conftest import client_for, fill
from .consolidation_helpers import (
    clear_choices_cache,
    days_ago,
    diagnostic_with_figures,
    figure_names,
    head,
    structure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_choices_cache()


def test_figures_pack_and_sort_like_numbers():
    row = [0, 582143, 1_000_000, -1]
    assert unpack(pack(row)) == row
    packed = [pack([value]) for value in (5, 1_000_000, 300, 0, -1)]
    # Big-endian: the database orders the bytes as the numbers, "non évalué" last.
    assert sorted(packed) == [pack([v]) for v in (0, 5, 300, 1_000_000, -1)]


# -- against a direct computation, on random data ---------------------------------

units = st.integers(0, 1_000_000)
maybe_units = st.one_of(st.none(), units, st.sampled_from([0, 1_000_000, 500_000]))


@st.composite
def datasets(draw):
    """Structures in two networks, each with 0 to 4 validated diagnostics
    spread over two years, every figure random (or not evaluated)."""
    structures = draw(st.integers(1, 5))
    plan = []
    for index in range(structures):
        days = draw(st.lists(st.integers(0, 730), max_size=4, unique=True))
        plan.append((index, draw(st.booleans()), days))
    return plan


@given(
    plan=datasets(),
    data=st.data(),
    start=st.integers(0, 800),
    length=st.integers(0, 800),
    network_only=st.booleans(),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_consolidation_equals_a_direct_computation(
    version, plan, data, start, length, network_only
):
    names = figure_names(version)
    questions = [f.key for f in layout_of(version.questionnaire()).figures if f.kind == "question"]
    with transaction.atomic():
        created = []  # (structure, network name, validated_at, diagnostic, figures, questions)
        for index, second_network, days in plan:
            network = "Autre" if second_network else "CNAF"
            site = structure(f"S{index}", network=network)
            for day in days:
                figures = {
                    name: None
                    if (value := data.draw(maybe_units)) is None
                    else Decimal(value) / 10000
                    for name in names
                }
                answered = {
                    qid: data.draw(st.one_of(st.none(), st.tuples(st.integers(0, 4), st.just(4))))
                    for qid in questions
                }
                moment = days_ago(day)
                diagnostic = diagnostic_with_figures(site, version, moment, figures, answered)
                created.append((site, network, moment, diagnostic, figures, answered))
        cnaf = Network.objects.get_or_create(name="CNAF")[0]
        user = (
            head("tete@test.fr", ScopeKind.NETWORK, cnaf)
            if network_only
            else head("admin@test.fr", ScopeKind.NATIONAL)
        )
        today = datetime.date.today()
        filters = Filters(
            version=version,
            start=today - datetime.timedelta(days=start + length),
            end=today - datetime.timedelta(days=start),
        )
        result = consolidated_statistics(user, filters)

        # Directly: each structure's latest diagnostic in the range, by plain Python.
        low, high = filters.bounds()
        latest = {}
        for site, network, moment, diagnostic, figures, answered in created:
            if network_only and network != "CNAF":
                continue
            if low <= moment < high and (site.pk not in latest or latest[site.pk][0] < moment):
                latest[site.pk] = (moment, diagnostic, figures, answered)
        assert result.count == len(latest)
        direct = direct_statistics([d.pk for _, d, _, _ in latest.values()], version)
        for position, figure in enumerate(result.layout.figures):
            if figure.kind == "question":
                ratios = [
                    Fraction(pair[0], pair[1])
                    for _, _, _, answered in latest.values()
                    if (pair := answered[figure.key]) is not None
                ]
                summary = result.summaries[position]
                assert summary.count == len(ratios)
                if ratios:
                    # The figures keep 4 decimals of a percent: k/4 is exact.
                    assert summary.mean == statistics.mean(ratios)
                    assert summary.median == statistics.median(ratios)
                continue
            assert result.summaries[position] == direct[figure.name], figure.name
            values = [
                Fraction(figures[figure.name]) / 100
                for _, _, figures, _ in latest.values()
                if figures[figure.name] is not None
            ]
            if values:
                assert result.summaries[position].median == statistics.median(values)
                assert result.summaries[position].mean == statistics.mean(values)
        means = [s.mean for f, s in result.commitments if s.mean is not None]
        assert result.rate == (statistics.mean(means) if means else None)
        transaction.set_rollback(True)


def test_each_structure_counts_once_with_its_latest_diagnostic_of_the_range(version):
    site = structure("CAF1")
    names = figure_names(version)
    old = diagnostic_with_figures(site, version, days_ago(300), dict.fromkeys(names, Decimal(20)))
    new = diagnostic_with_figures(site, version, days_ago(10), dict.fromkeys(names, Decimal(80)))
    user = head("admin@test.fr", ScopeKind.NATIONAL)
    today = datetime.date.today()
    year = Filters(version, today - datetime.timedelta(days=364), today)
    assert list(lines_in_scope(user, year).values_list("pk", flat=True)) == [new.pk]
    assert consolidated_statistics(user, year).total.mean == Fraction(8, 10)
    # A range ending before the newer one takes the older one.
    before = Filters(
        version, today - datetime.timedelta(days=364), today - datetime.timedelta(days=20)
    )
    assert list(lines_in_scope(user, before).values_list("pk", flat=True)) == [old.pk]
    assert ResultLine.objects.get(pk=old.pk).superseded_at == new.validated_at
    assert ResultLine.objects.get(pk=new.pk).superseded_at == STILL_LATEST


def test_an_earlier_result_imported_between_two_others_keeps_the_chain(version):
    site = structure("CAF1")
    names = figure_names(version)
    first = diagnostic_with_figures(site, version, days_ago(700), dict.fromkeys(names, Decimal(10)))
    last = diagnostic_with_figures(site, version, days_ago(10), dict.fromkeys(names, Decimal(30)))
    middle = diagnostic_with_figures(
        site, version, days_ago(350), dict.fromkeys(names, Decimal(20))
    )
    chain = dict(ResultLine.objects.values_list("pk", "superseded_at"))
    assert chain[first.pk] == middle.validated_at
    assert chain[middle.pk] == last.validated_at
    assert chain[last.pk] == STILL_LATEST


def test_validation_records_the_line_in_the_same_transaction(validated):
    line = ResultLine.objects.get(pk=validated.pk)
    layout = layout_of(validated.version)
    values = unpack(line.figures)
    assert len(values) == layout.width
    global_units = values[layout.position("global")]
    assert Decimal(global_units) / 10000 == validated.result.global_score
    for score in validated.scores.all():
        position = layout.position(score.kind, score.key)
        expected = -1 if score.score is None else int(score.score * 10000)
        assert values[position] == expected, score


def test_rebuild_gives_the_lines_validation_wrote(validated):
    from django.core.management import call_command

    before = bytes(ResultLine.objects.get(pk=validated.pk).figures)
    call_command("consolidation", "rebuild", verbosity=0)
    assert bytes(ResultLine.objects.get(pk=validated.pk).figures) == before


# -- the page ---------------------------------------------------------------------


SEED_MEANS = [80.6, 63.5, 70.2, 62.3, 73.3, 70.8, 56.9, 63.8]


def seed_structure(version, code="CAF1", network="CNAF", department="69", region="84"):
    """One diagnostic whose commitment scores are the commitment means of
    seed 000's consolidated view."""
    site = structure(code, network=network, department=department, region=region)
    figures = {f"commitment:{n}": Decimal(str(v)) for n, v in enumerate(SEED_MEANS, start=1)}
    figures["global"] = sum(figures.values()) / 8
    return diagnostic_with_figures(site, version, days_ago(30), figures)


def test_the_report_shows_the_consolidated_rate_of_seed_000(version):
    seed_structure(version)
    cnaf = Network.objects.get(name="CNAF")
    page = client_for(head("tete@test.fr", ScopeKind.NETWORK, cnaf)).get(
        reverse("consolidation:report")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "67,7\u00a0%" in html
    assert "1 diagnostic pris en compte" in html
    assert "son dernier diagnostic validé pendant la période" in html
    assert "80,6\u00a0%" in html and "Médiane" in html and "Répartition des notes globales" in html


def test_a_head_never_sees_outside_its_scope(version, structure, agent):
    seed_structure(version, "CNAF69")
    other = seed_structure(version, "PREF16", network="Intérieur", department="16", region="75")
    cnaf = Network.objects.get(name="CNAF")
    network_head = head("tete@test.fr", ScopeKind.NETWORK, cnaf)
    page = client_for(network_head).get(reverse("consolidation:report")).content.decode()
    assert "1 diagnostic pris en compte" in page
    drill = client_for(network_head).get(reverse("consolidation:structures")).content.decode()
    assert "CNAF69" in drill and other.structure.code not in drill
    # A network outside the scope cannot be asked for.
    intérieur = Network.objects.get(name="Intérieur")
    response = client_for(network_head).get(
        reverse("consolidation:report"), {"reseau": intérieur.pk}
    )
    assert response.status_code == 400
    assert "Réseau inconnu ou hors de votre périmètre" in response.content.decode()
    territory = head("prefet16@test.fr", ScopeKind.TERRITORY, departments=["16"])
    drill = client_for(territory).get(reverse("consolidation:structures")).content.decode()
    assert "PREF16" in drill and "CNAF69" not in drill


def test_filters_narrow_the_report(version):
    seed_structure(version, "CAF69")
    seed_structure(version, "CAF33", department="33", region="75")
    admin = head("admin@test.fr", ScopeKind.NATIONAL)
    client = client_for(admin)
    assert (
        "2 diagnostics pris en compte"
        in client.get(reverse("consolidation:report")).content.decode()
    )
    page = client.get(reverse("consolidation:report"), {"departement": "33"}).content.decode()
    assert "1 diagnostic pris en compte" in page
    page = client.get(reverse("consolidation:report"), {"region": "84"}).content.decode()
    assert "1 diagnostic pris en compte" in page
    past = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
    page = client.get(
        reverse("consolidation:report"), {"au": past, "du": "2020-01-01"}
    ).content.decode()
    assert "Aucun diagnostic validé dans ce périmètre pendant la période" in page


def test_bad_filters_get_french_messages(version):
    admin = head("admin@test.fr", ScopeKind.NATIONAL)
    response = client_for(admin).get(
        reverse("consolidation:report"),
        {"du": "32/13/2026", "version": "inconnue", "departement": "999", "type": "Fusée"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Date de début invalide : « 32/13/2026 » (format attendu JJ/MM/AAAA)." in html
    assert "Version du questionnaire inconnue : « inconnue »." in html
    assert "Département inconnu ou hors de votre périmètre : « 999 »." in html
    assert "Type de structure inconnu dans votre périmètre : « Fusée »." in html
    response = client_for(admin).get(
        reverse("consolidation:report"), {"du": "2026-05-01", "au": "2026-01-01"}
    )
    assert "La date de fin doit suivre la date de début." in response.content.decode()


def test_the_drill_down_sorts_by_a_commitment_and_links_to_each_report(version):
    low = seed_structure(version, "BAS")
    high = diagnostic_with_figures(
        structure("HAUT"),
        version,
        days_ago(5),
        {"global": Decimal(90), "commitment:1": Decimal(95)},
    )
    admin = head("admin@test.fr", ScopeKind.NATIONAL)
    page = (
        client_for(admin)
        .get(reverse("consolidation:structures"), {"tri": "engagement-1", "ordre": "desc"})
        .content.decode()
    )
    assert page.index("HAUT") < page.index("BAS")
    assert reverse("reports:results", args=[high.pk]) in page
    assert reverse("reports:results", args=[low.pk]) in page
    assert 'aria-sort="descending"' in page
    page = (
        client_for(admin)
        .get(reverse("consolidation:structures"), {"tri": "engagement-1", "ordre": "asc"})
        .content.decode()
    )
    assert page.index("BAS") < page.index("HAUT")


def test_validated_diagnostics_of_the_app_are_consolidated(version, structure, agent, manager):
    from autodiag.diagnostics.models import Diagnostic

    diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill(diagnostic, agent)
    diagnostic.validate(by=manager)
    user = head("tete@test.fr", ScopeKind.NETWORK, structure.network)
    today = datetime.date.today()
    result = consolidated_statistics(user, Filters(version, today, today))
    assert result.count == 1
    assert result.total.mean == Fraction(diagnostic.result.global_score) / 100
    # The frozen report's support needs are listed for the heads.
    from autodiag.consolidation.models import SiteText

    assert SiteText.objects.filter(diagnostic=diagnostic, purpose="besoins-appui").exists()


@pytest.mark.parametrize(
    "who, expected",
    [("anonymous", 302), ("agent", 404), ("manager", 404), ("outsider", 404), ("network head", 200),
     ("territory head", 200), ("national administrator", 200)],
)  # fmt: skip
def test_who_may_open_the_consolidated_pages(
    who, expected, version, structure, agent, manager, outsider
):
    people = {
        "anonymous": None,
        "agent": agent,
        "manager": manager,
        "outsider": outsider,
        "network head": lambda: head("t@t.fr", ScopeKind.NETWORK, structure.network),
        "territory head": lambda: head("p@t.fr", ScopeKind.TERRITORY, departments=["69"]),
        "national administrator": lambda: head("a@t.fr", ScopeKind.NATIONAL),
    }
    user = people[who]() if callable(people[who]) else people[who]
    pages = [
        "report",
        "structures",
        "campaign",
        "needs",
        "exports",
        "history",
        "history_import",
        "tokens",
    ]
    for name in pages:
        response = client_for(user).get(reverse(f"consolidation:{name}"))
        assert response.status_code == expected, (who, name)
        if expected == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
    # The actions: nobody but a head gets past the guard.
    for name, data in (
        ("campaign", {"structure": [structure.code]}),
        ("exports", {"contenu": "structures", "format": "csv"}),
        ("tokens", {"name": "x", "network": structure.network_id}),
        ("history_import", {}),
    ):
        response = client_for(user).post(reverse(f"consolidation:{name}"), data)
        if expected == 200:
            assert response.status_code in (200, 302, 400), (who, name)
        else:
            assert response.status_code == expected, (who, name)
    assert client_for(user).get(reverse("consolidation:export_download", args=[1])).status_code in (
        404,
        302,
    )


def test_the_figures_modules_are_pure():
    """layout, figures and lines import neither Django nor a model
    (docs/ARCHITECTURE.md)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import autodiag.consolidation.layout, autodiag.consolidation.figures, autodiag.consolidation.lines\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_demo_data_builds_consistent_frozen_results(db):
    """`autodiag demo-data` (small, on the test database): every line's
    figures are its Score rows, each report renders, and the fast
    statistics equal the direct computation."""
    import io

    from django.core.management import call_command

    from autodiag.diagnostics.models import Diagnostic, Score
    from autodiag.questionnaires.models import QuestionnaireVersion

    call_command("demo-data", structures=40, years=3, seed=7, stdout=io.StringIO())
    version = QuestionnaireVersion.objects.get(pk="sp-plus-2026")
    assert Diagnostic.objects.validated().count() == ResultLine.objects.count() > 80
    assert Score.objects.filter(kind="commitment").count() == 8 * ResultLine.objects.count()
    admin = head("admin@test.fr", ScopeKind.NATIONAL)
    today = datetime.date.today()
    filters = Filters(version, today - datetime.timedelta(days=729), today)
    result = consolidated_statistics(admin, filters)
    direct = direct_statistics(
        list(lines_in_scope(admin, filters).values_list("pk", flat=True)), version
    )
    for position, figure in enumerate(result.layout.figures):
        if figure.kind != "question":
            assert result.summaries[position] == direct[figure.name], figure.name
    assert result.count == 40  # each structure once
    line = ResultLine.objects.order_by("-validated_at").first()
    page = client_for(admin).get(reverse("reports:results", args=[line.pk]))
    assert page.status_code == 200
