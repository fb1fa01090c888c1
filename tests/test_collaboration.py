"""Filling in as a team: row-level saves, conflicts, live refresh, presence,
the queue's author, carried-over answers, and validation that no save can
overtake (on PostgreSQL, with threads in a fixed interleaving)."""

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiag.diagnostics import cells
from autodiag.diagnostics.models import Answer, Diagnostic, LockedError, Result
from autodiag.diagnostics.progress import diagnostic_counts
from autodiag.scoring.engine import score

from .conftest import client_for, fill, make_member, make_structure, validated_days_ago

pytestmark = pytest.mark.django_db

LIST = "proactivite-non-recours"  # a Oui/Non list of the 2026 version


def _list_question(draft):
    question = next(q for q in draft.version.questions() if q.type == "yes_no" and not q.conditions)
    return question, [item.id for item in question.items]


def autosave(client, diagnostic, question_id, changes, base, typed_by=None):
    body = {"changes": changes, "base": base}
    if typed_by is not None:
        body["typed_by"] = typed_by
    return client.post(
        reverse("diagnostics:save_answer", args=[diagnostic.pk, question_id]),
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


# -- the merge ---------------------------------------------------------------------


def test_two_people_on_two_rows_of_one_list_both_keep_their_row(draft, agent, manager):
    question, items = _list_question(draft)
    # Both opened the page on an empty list: both saw revision 0 everywhere.
    first = draft.save_cells(question.id, {items[0]: "oui"}, {}, agent)
    second = draft.save_cells(question.id, {items[1]: "non"}, {}, manager)
    assert first.conflicts == [] and second.conflicts == []
    stored = draft.answers.get(question_id=question.id)
    assert stored.value == {items[0]: "oui", items[1]: "non"}
    assert stored.cells[items[0]]["by"] == agent.pk and stored.cells[items[1]]["by"] == manager.pk


def test_the_same_row_with_another_value_is_a_conflict_left_to_the_second(draft, agent, manager):
    question, items = _list_question(draft)
    draft.save_cells(question.id, {items[0]: "oui"}, {}, agent)
    outcome = draft.save_cells(question.id, {items[0]: "non", items[1]: "oui"}, {}, manager)
    assert outcome.conflicts == [items[0]]  # not applied…
    assert outcome.value == {items[0]: "oui", items[1]: "oui"}  # …the other row is
    taken = draft.save_cells(question.id, {items[0]: "non"}, outcome.revisions(), manager)
    assert taken.conflicts == [] and taken.value[items[0]] == "non"


def test_the_same_value_from_both_is_no_conflict(draft, agent, manager):
    draft.save_cells("controle-qualite-accueil", {"": "0.75"}, {}, agent)
    outcome = draft.save_cells("controle-qualite-accueil", {"": "0.75"}, {}, manager)
    assert outcome.conflicts == [] and outcome.revisions() == {"": 1}


def test_not_applicable_meanwhile_is_a_conflict_for_a_stale_row(draft, agent, manager):
    question = next(
        q
        for q in draft.version.questions()
        if q.type == "yes_no" and q.not_applicable and not q.conditions
    )
    item = question.items[0].id
    draft.save_cells(question.id, {"": "na"}, {}, agent)
    outcome = draft.save_cells(question.id, {item: "oui"}, {}, manager)
    assert outcome.conflicts == [item] and outcome.value == "na"


def test_a_stale_clear_is_a_conflict_too(draft, agent, manager):
    draft.save_cells("controle-qualite-accueil", {"": "1"}, {}, agent)
    outcome = draft.save_cells("controle-qualite-accueil", {"": None}, {}, manager)
    assert outcome.conflicts == [""] and outcome.value == "1"


_cell_values = st.sampled_from(["oui", "non", None])
_changes = st.dictionaries(st.sampled_from(["", "a", "b"]), _cell_values, min_size=1, max_size=3)


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.none(),
        st.just("na"),
        st.dictionaries(st.sampled_from(["a", "b"]), _cell_values.filter(bool)),
    ),
    revisions=st.dictionaries(st.sampled_from(["", "a", "b"]), st.integers(1, 3)),
    changes=_changes,
    base=st.one_of(st.none(), st.dictionaries(st.sampled_from(["", "a", "b"]), st.integers(0, 3))),
)
def test_the_postgresql_merge_is_the_python_merge(value, revisions, changes, base):
    if connection.vendor != "postgresql":
        pytest.skip("the PL/pgSQL merge exists on PostgreSQL only")
    changes = {c: ("na" if c == "" and v else v) for c, v in changes.items()}
    old_cells = {c: {"r": r, "by": 1, "at": "t0"} for c, r in revisions.items()}
    expected = cells.merge(value, old_cells, changes, base, 7, "t1")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value, cells, applied FROM diagnostics_merge_cells("
            "%s::jsonb, %s::jsonb, %s::jsonb, %s::jsonb, 7, 't1')",
            [json.dumps(value), json.dumps(old_cells), json.dumps(changes),
             None if base is None else json.dumps(base)],
        )  # fmt: skip
        got = cursor.fetchone()
    got = tuple(json.loads(v) if isinstance(v, str) else v for v in got)
    assert got == expected


# -- the pages ---------------------------------------------------------------------


def test_the_no_js_form_shows_the_conflict_and_keeps_the_rest(draft, agent, manager):
    url = reverse("diagnostics:section", args=[draft.pk, "incivilites"])
    page = client_for(agent).get(url)  # the agent opens the page (nothing answered)
    assert page.status_code == 200
    draft.save_answer("partage-pratiques-incivilites", "0.75", manager)  # meanwhile
    response = client_for(agent).post(
        url,
        {
            "q-partage-pratiques-incivilites": "1",
            "q-partage-pratiques-incivilites--initial": "null",
            "q-partage-pratiques-incivilites--rev": "{}",
            "q-incivilites-distance": "0.25",
            "q-incivilites-distance--initial": "null",
            "q-incivilites-distance--rev": "{}",
        },
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Dominique Bernard a répondu" in content and "Garder la sienne" in content
    assert (
        'id="error-summary"' in content
        and 'href="#conflict-partage-pratiques-incivilites"' in content
    )
    stored = draft.stored_answers()
    assert stored["partage-pratiques-incivilites"].value == "0.75"  # the manager's, not lost
    assert stored["incivilites-distance"].value == "0.25"  # the rest was saved
    # « Prendre la mienne » posts the agent's value over the revision shown.
    taken = client_for(agent).post(
        url,
        {
            "take_mine": "partage-pratiques-incivilites",
            "q-partage-pratiques-incivilites--mine": '{"": "1"}',
            "q-partage-pratiques-incivilites--minebase": '{"": 1}',
        },
    )
    assert taken.status_code == 302
    assert draft.stored_answers()["partage-pratiques-incivilites"].value == "1"


def test_the_live_refresh_gives_first_answers_since_its_cursor_and_who_is_here(
    draft, agent, manager
):
    url = reverse("diagnostics:section_answers", args=[draft.pk, "accueil-bienveillant"])
    agent_client, manager_client = client_for(agent), client_for(manager)
    cursor = agent_client.get(url).json()["cursor"]
    manager_client.get(url)  # the manager has the section open too
    draft.save_answer("controle-qualite-accueil", "0.75", manager)  # a first answer
    data = agent_client.get(url, {"since": cursor}).json()
    entry = data["answers"]["controle-qualite-accueil"]
    assert entry["value"] == "0.75" and entry["revisions"] == {"": 1}
    assert entry["status"].startswith("Modifiée par Dominique Bernard le")
    assert data["teammates"] == ["Dominique Bernard"]


def test_queued_answers_of_someone_else_are_not_saved_under_my_name(draft, agent, manager):
    response = autosave(
        client_for(manager), draft, "controle-qualite-accueil", {"": "1"}, {}, agent.pk
    )
    assert response.status_code == 409 and response.json()["error"] == "other_user"
    assert "controle-qualite-accueil" not in draft.stored_answers()


def test_a_save_after_validation_is_409_whatever_the_path(validated, agent):
    response = autosave(client_for(agent), validated, "controle-qualite-accueil", {"": "0"}, {})
    assert response.status_code == 409 and "validé" in response.json()["message"]
    stale = Diagnostic.objects.get(pk=validated.pk)
    stale.status = "draft"  # an instance read before validation
    with pytest.raises(LockedError):
        stale.save_cells("controle-qualite-accueil", {"": "0"}, None, agent)


# -- carried-over answers ----------------------------------------------------------


@pytest.fixture
def carried(structure, version, agent, manager, draft):
    validated_days_ago(draft, agent, manager, 365)
    return Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)


def test_carried_answers_say_where_they_come_from_not_a_false_author(carried, agent):
    answer = carried.stored_answers()["controle-qualite-accueil"]
    assert answer.updated_by is None
    assert answer.provenance().startswith("Reprise du diagnostic validé le ")
    assert answer.provenance().endswith("— à confirmer")


def test_confirming_section_by_section_until_validation(carried, agent, manager):
    counts = diagnostic_counts(carried)
    assert counts.to_confirm > 0 and counts.percent < 100 and not counts.complete
    client = client_for(agent)
    for section in carried.version.sections:
        page = client.get(reverse("diagnostics:section", args=[carried.pk, section.id]))
        pending = next(p for p in page.context["progress"] if p.section.id == section.id).to_confirm
        if pending:
            assert (
                f"Confirmer les {pending} réponses reprises" in page.content.decode()
                or pending == 1
            )
            client.post(reverse("diagnostics:confirm_section", args=[carried.pk, section.id]))
    counts = diagnostic_counts(carried)
    assert counts.to_confirm == 0 and counts.percent == 100 and counts.complete
    answer = carried.stored_answers()["controle-qualite-accueil"]
    assert answer.confirmed_by == agent and "confirmée par Camille Martin" in answer.provenance()
    carried.validate(by=manager)


def test_one_count_on_every_page(carried, agent, manager):
    counts = diagnostic_counts(carried)
    words = f"{counts.answered} réponse"
    pages = [
        reverse("structures:dashboard"),
        reverse("structures:detail", args=[carried.structure.code]),
        reverse("diagnostics:validation", args=[carried.pk]),
    ]
    for url in pages:
        content = client_for(manager).get(url).content.decode()
        assert (
            f"{words}{'s' if counts.answered > 1 else ''} sur {counts.total} ({counts.percent}"
            in content
        ), url
        assert f"{counts.to_confirm} reprises à confirmer" in content, url


# -- validation that nothing overtakes (PostgreSQL) --------------------------------

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="row locks and concurrent sessions: PostgreSQL"
)


def _waiting_on_a_lock(backend_pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend_pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _wait_until_blocked(pids: dict, key: str, results: dict):
    """Until the session of `key` waits on a row lock, or finished without
    waiting (a condition, not a duration: it polls pg_stat_activity)."""
    while key not in pids and key not in results:
        threading.Event().wait(0.001)
    while key not in results and not _waiting_on_a_lock(pids[key]):
        threading.Event().wait(0.001)


def _in_thread(target, pids, key, results):
    def run():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[key] = cursor.fetchone()[0]
            results[key] = target()
        except Exception as exc:
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _frozen_inputs_match(diagnostic) -> bool:
    diagnostic = Diagnostic.objects.get(pk=diagnostic.pk)
    stored = diagnostic.stored_answers()
    return score(diagnostic.version, diagnostic.normalized_answers(stored)).to_json() == (
        Result.objects.get(diagnostic=diagnostic).report
    )


def _post_save(user, diagnostic, question_id, value):
    client = Client()
    client.force_login(user)
    current = Answer.objects.filter(diagnostic=diagnostic, question_id=question_id).first()
    base = cells.revisions(current.cells) if current else {}
    response = autosave(client, diagnostic, question_id, {"": value}, base)
    return response.status_code


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_save_under_way_lands_before_the_snapshot(structure, version, agent, manager):
    """The save holds the draft's lock first; validation waits for it and
    freezes a report that has the saved value."""
    draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill(draft, agent)
    pids, results = {}, {}
    saved, release = threading.Event(), threading.Event()

    def save_and_hold():
        from django.db import transaction

        with transaction.atomic():
            outcome = draft.save_cells("controle-qualite-accueil", {"": "0"}, None, agent)
            saved.set()
            release.wait(30)
            return outcome

    def validate():
        return Diagnostic.objects.get(pk=draft.pk).validate(by=manager)

    saver = _in_thread(save_and_hold, pids, "saver", results)
    saved.wait(30)
    validator = _in_thread(validate, pids, "validator", results)
    _wait_until_blocked(pids, "validator", results)
    release.set()
    saver.join(30)
    validator.join(30)
    assert not isinstance(results["saver"], Exception), results["saver"]
    assert not isinstance(results["validator"], Exception), results["validator"]
    assert draft.answers.get(question_id="controle-qualite-accueil").value == "0"
    assert _frozen_inputs_match(draft)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_save_arriving_during_validation_waits_and_gets_409(structure, version, agent, manager):
    draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill(draft, agent)
    before = draft.answers.get(question_id="controle-qualite-accueil").value
    pids, results = {}, {}
    validated, release = threading.Event(), threading.Event()

    def validate_and_hold():
        from django.db import transaction

        with transaction.atomic():
            result = Diagnostic.objects.get(pk=draft.pk).validate(by=manager)
            validated.set()
            release.wait(30)
            return result

    validator = _in_thread(validate_and_hold, pids, "validator", results)
    validated.wait(30)
    # The page was loaded before: the guard saw a draft; the save reaches
    # the database while validation holds the lock.
    stale = Diagnostic.objects.get(pk=draft.pk)
    stale.status = "draft"
    saver = _in_thread(
        lambda: stale.save_cells("controle-qualite-accueil", {"": "1"}, None, agent),
        pids,
        "saver",
        results,
    )
    _wait_until_blocked(pids, "saver", results)
    release.set()
    validator.join(30)
    saver.join(30)
    assert isinstance(results["saver"], LockedError)
    assert draft.answers.get(question_id="controle-qualite-accueil").value == before
    assert _frozen_inputs_match(draft)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_threads_saving_while_managers_validate(version):
    """Six savers per draft post through the autosave endpoint while the
    manager validates; every start waits on one barrier. Whatever the
    order: stored answers == the frozen report's inputs, every refused save
    got 409, none got 500."""
    drafts = []
    for index in range(4):
        structure = make_structure(f"CONC{index}", f"Structure {index}")
        agent = make_member(f"agent{index}@conc.test", structure, "agent")
        manager = make_member(f"manager{index}@conc.test", structure, "manager")
        draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
        fill(draft, agent)
        drafts.append((draft, agent, manager))
    savers_per_draft, saves_each = 6, 6
    barrier = threading.Barrier(len(drafts) * (savers_per_draft + 1))
    statuses, errors = [], []
    lock = threading.Lock()
    questions = ["controle-qualite-accueil", "incivilites-distance", "posture-conseil"]

    def saver(draft, agent, number):
        try:
            barrier.wait(30)
            for turn in range(saves_each):
                question = questions[(number + turn) % len(questions)]
                value = ["0", "0.25", "0.75", "1"][(number + turn) % 4]
                code = _post_save(agent, draft, question, value)
                with lock:
                    statuses.append(code)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def validator(draft, manager):
        try:
            client = Client()
            client.force_login(manager)
            barrier.wait(30)
            response = client.post(
                reverse("diagnostics:validation", args=[draft.pk]), {"confirm": "1"}
            )
            with lock:
                statuses.append(("validation", response.status_code))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = []
    for draft, agent, manager in drafts:
        threads += [
            threading.Thread(target=saver, args=(draft, agent, n)) for n in range(savers_per_draft)
        ]
        threads.append(threading.Thread(target=validator, args=(draft, manager)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    saves = [code for code in statuses if not isinstance(code, tuple)]
    assert len(saves) == len(drafts) * savers_per_draft * saves_each
    assert set(saves) <= {200, 409} and 500 not in saves
    for draft, _, _ in drafts:
        assert not Diagnostic.objects.get(pk=draft.pk).is_draft
        assert _frozen_inputs_match(draft)
