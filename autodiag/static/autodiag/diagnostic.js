/*
 * Filling in a diagnostic: autosave and live filtering, as progressive
 * enhancement (the page works without this script, section by section).
 *
 * Every answer is saved as it is entered, cell by cell (a question, or one
 * row of a list: diagnostics/cells.py), with the revision this page last
 * saw: a teammate's newer answer is never overwritten, it comes back as a
 * conflict shown at the question (« Garder la sienne » / « Prendre la
 * mienne »). Unsaved answers wait in a queue kept in localStorage, tagged
 * with who typed them, so that a lost network, an expired session or a
 * closed tab never loses an entered answer, and never saves it under
 * someone else's name. Every few seconds the page shows what teammates
 * answered since (first answers included) and who else has it open.
 */
(function () {
  "use strict";

  // After a server-side error, the summary takes the focus (autofocus does
  // not always, e.g. when the page is restored from history).
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var form = document.getElementById("section-form");
  if (!form || !form.dataset.editable || !window.fetch) return;

  var statusBox = document.getElementById("autosave-status");
  var storageKey = "autodiag:pending:" + form.dataset.diagnostic;
  var me = Number(form.dataset.user);
  var myName = form.dataset.userName;
  var conditions = JSON.parse(document.getElementById("section-conditions").textContent || "{}");
  var profile = JSON.parse((document.getElementById("profile-answers") || {}).textContent || "{}");
  var cursor = form.dataset.cursor;
  var retryDelay = 0;
  var retryTimer = null;
  var flushing = false;
  var textTimers = {};
  var WHOLE = "";
  var LISTS = { yes_no: true, channel_rows: true };

  // -- what the server holds, as this page last saw it -------------------------

  var known = {};  // question id -> {value, revisions}
  document.querySelectorAll(".autodiag-question").forEach(function (box) {
    var initial = form.querySelector("input[name='q-" + box.dataset.question + "--initial']");
    known[box.dataset.question] = {
      value: initial ? JSON.parse(initial.value || "null") : null,
      revisions: JSON.parse(box.dataset.revisions || "{}")
    };
  });

  function cellOf(value, cell) {
    if (cell === WHOLE) return value && typeof value === "object" && !Array.isArray(value) ? null : value;
    return value && typeof value === "object" && !Array.isArray(value) ? (value[cell] === undefined ? null : value[cell]) : null;
  }
  function same(a, b) { return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b); }

  // The cells a person changed: the rows of a list, or the whole answer.
  var unsettled = {};  // question id -> cells in conflict, waiting for the person's choice
  function changedCells(box, value) {
    var was = (known[box.dataset.question] || {}).value;
    var changes = {};
    var open = unsettled[box.dataset.question] || [];
    if (LISTS[box.dataset.type]) {
      if (!same(cellOf(value, WHOLE), cellOf(was, WHOLE))) changes[WHOLE] = cellOf(value, WHOLE);
      box.querySelectorAll(".autodiag-row").forEach(function (row) {
        var item = row.dataset.item;
        var now = cellOf(value, item);
        if (!row.hidden && now !== null && !same(now, cellOf(was, item))) changes[item] = now;
      });
    } else if (!same(value, was)) {
      changes[WHOLE] = value;
    }
    open.forEach(function (cell) { delete changes[cell]; });  // settled by its own buttons
    return changes;
  }

  // -- the queue: question id -> {changes, base, user, name} ----------------

  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (e) { return {}; }
  }
  function storeQueue(queue) {
    try {
      if (Object.keys(queue).length) window.localStorage.setItem(storageKey, JSON.stringify(queue));
      else window.localStorage.removeItem(storageKey);
    } catch (e) { /* private browsing: the queue lives in memory only */ }
  }
  var queue = loadQueue();
  Object.keys(queue).forEach(function (id) {  // an older page's plain values: not a person's cells
    if (!queue[id] || typeof queue[id] !== "object" || !queue[id].changes) delete queue[id];
  });

  function enqueue(questionId, changes, base) {
    var entry = queue[questionId] || { changes: {}, base: {}, user: me, name: myName };
    var revisions = (known[questionId] || {}).revisions || {};
    Object.keys(changes).forEach(function (cell) {
      entry.changes[cell] = changes[cell];
      if (base && base[cell] !== undefined) entry.base[cell] = base[cell];
      else if (entry.base[cell] === undefined) entry.base[cell] = revisions[cell] || 0;
    });
    if (entry.base[WHOLE] === undefined) entry.base[WHOLE] = (base && base[WHOLE]) || revisions[WHOLE] || 0;
    queue[questionId] = entry;
    storeQueue(queue);
    flush();
  }
  function mine(id) { return queue[id] && queue[id].user === me; }
  function othersEntries() { return Object.keys(queue).filter(function (id) { return !mine(id); }); }

  // -- status messages ---------------------------------------------------------

  function setStatus(kind, html) {
    statusBox.hidden = false;
    statusBox.className = "autodiag-status fr-alert fr-alert--sm fr-mb-3w fr-alert--" + kind;
    statusBox.innerHTML = "<p>" + html + "</p>";
  }
  function timeNow() {
    var d = new Date();
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function pendingCount() { return Object.keys(queue).filter(mine).length; }

  // -- reading and writing the inputs of a question ----------------------------

  function questionBox(questionId) { return document.getElementById("question-" + questionId); }

  function readValue(box) {
    var type = box.dataset.type;
    var name = "q-" + box.dataset.question;
    if (type === "text") return box.querySelector("textarea").value.trim();
    if (type === "channels") {
      var checked = Array.prototype.map.call(box.querySelectorAll("input[name='" + name + "']:checked"),
        function (input) { return input.value; });
      return checked.length ? checked : null;
    }
    if (type === "yes_no" || type === "channel_rows") {
      var na = box.querySelector("input[name='" + name + "--na']");
      if (na && na.checked) return "na";
      var rows = {};
      box.querySelectorAll(".autodiag-row").forEach(function (row) {
        if (row.hidden) return;
        var input = row.querySelector("input:checked");
        if (input) rows[row.dataset.item] = input.value;
      });
      return Object.keys(rows).length ? rows : null;
    }
    var radio = box.querySelector("input[name='" + name + "']:checked");
    return radio ? radio.value : null;
  }

  function writeValue(box, value) {
    var type = box.dataset.type;
    var name = "q-" + box.dataset.question;
    if (type === "text") { box.querySelector("textarea").value = value || ""; return; }
    if (type === "channels") {
      box.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
        input.checked = Array.isArray(value) && value.indexOf(input.value) !== -1;
      });
      return;
    }
    if (type === "yes_no" || type === "channel_rows") {
      var na = box.querySelector("input[name='" + name + "--na']");
      if (na) na.checked = value === "na";
      box.querySelectorAll(".autodiag-row").forEach(function (row) {
        var wanted = cellOf(value, row.dataset.item);
        row.querySelectorAll("input").forEach(function (input) { input.checked = input.value === wanted; });
      });
      toggleRows(box);
      return;
    }
    box.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
      input.checked = input.value === value;
    });
  }

  function toggleRows(box) {
    var na = box.querySelector("input[name='q-" + box.dataset.question + "--na']");
    if (!na) return;
    box.querySelectorAll(".autodiag-row input").forEach(function (input) { input.disabled = na.checked; });
  }

  function setMeta(questionId, text) {
    var meta = document.getElementById("meta-" + questionId);
    if (!meta) return;
    meta.querySelector(".autodiag-meta__who").textContent = text;
    var confirm = meta.querySelector(".autodiag-confirm");
    if (confirm) confirm.remove();
  }

  function setError(questionId, message) {
    var messages = document.getElementById("messages-" + questionId);
    if (!messages) return;
    messages.innerHTML = "";
    var fieldset = messages.closest("fieldset");
    if (message) {
      var p = document.createElement("p");
      p.className = "fr-message fr-message--error";
      p.textContent = message;
      messages.appendChild(p);
    }
    if (fieldset) fieldset.classList.toggle("fr-fieldset--error", Boolean(message));
  }

  // -- saving -------------------------------------------------------------------

  function csrfToken() {
    // Read at each request: signing in again (after an expired session) changes it.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    });
  }

  function scheduleRetry(message) {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2, 30);
    setStatus("error", message + " Nouvel essai dans " + retryDelay + " s… (" + pendingCount() +
      " réponse" + (pendingCount() > 1 ? "s" : "") + " en attente, conservée" + (pendingCount() > 1 ? "s" : "") +
      " sur cet appareil)");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay * 1000);
  }

  function flush() {
    if (flushing) return;
    var ids = Object.keys(queue).filter(mine);
    offerToDiscardOthers();
    if (!ids.length) return;
    flushing = true;
    var questionId = ids[0];
    var entry = queue[questionId];
    var sent = JSON.stringify(entry.changes);
    setStatus("info", "Enregistrement en cours…");
    post(form.dataset.saveUrl.replace("__q__", encodeURIComponent(questionId)),
      { changes: entry.changes, base: entry.base, typed_by: entry.user })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          flushing = false;
          if (response.ok) {
            if (queue[questionId] && JSON.stringify(queue[questionId].changes) === sent) delete queue[questionId];
            else if (queue[questionId]) queue[questionId].base = Object.assign({}, data.revisions);
            storeQueue(queue);
            retryDelay = 0;
            known[questionId] = { value: data.value, revisions: data.revisions || {} };
            showMerged(questionId, data);
            setError(questionId, "");
            if (data.conflicts && data.conflicts.length) showConflict(questionId, data.conflicts, data.revisions);
            else { clearConflict(questionId); if (data.status) setMeta(questionId, data.status); }
            if (pendingCount()) flush();
            else if (data.conflicts && data.conflicts.length) setStatus("warning", "Une réponse a été modifiée par un membre de l’équipe pendant votre saisie\u00a0: choisissez laquelle garder.");
            else setStatus("success", "Enregistré à " + (data.saved_at_display || timeNow()) + ".");
            return;
          }
          if (response.status === 401 || (response.status === 403 && !data.error)) {
            // Session expired (or its CSRF token changed): keep everything, ask to sign in again.
            setStatus("warning", "Votre session a expiré : <a href='" + form.dataset.loginUrl +
              "?next=" + encodeURIComponent(window.location.pathname) + "' target='_blank' rel='noopener'>" +
              "reconnectez-vous dans un nouvel onglet</a>. Vos " + pendingCount() + " réponse" +
              (pendingCount() > 1 ? "s" : "") + " non enregistrée" + (pendingCount() > 1 ? "s sont conservées" : " est conservée") +
              " sur cet appareil et " + (pendingCount() > 1 ? "seront enregistrées" : "sera enregistrée") + " dès votre reconnexion.");
            clearTimeout(retryTimer);
            retryTimer = setTimeout(flush, 5000);
            return;
          }
          if (response.status === 409 && data.error === "other_user") {
            // Someone else signed in meanwhile: these answers are not theirs.
            Object.keys(queue).forEach(function (id) { if (queue[id].user === me) queue[id].foreign = true; });
            storeQueue(queue);
            me = NaN;  // this page's author is not the one signed in any more
            offerToDiscardOthers();
            return;
          }
          if (response.status === 400 || response.status === 403) {
            delete queue[questionId];
            storeQueue(queue);
            setError(questionId, data.message || "Réponse refusée.");
            setStatus("error", "Une réponse n’a pas pu être enregistrée : " + (data.message || "réponse refusée") + ".");
            if (pendingCount()) flush();
            return;
          }
          if (response.status === 409) {
            queue = {};
            storeQueue(queue);
            setStatus("warning", data.message || "Ce diagnostic a été validé : les réponses ne peuvent plus être modifiées.");
            return;
          }
          scheduleRetry("Échec de l’enregistrement (erreur du serveur).");
        });
      })
      .catch(function () {
        flushing = false;
        scheduleRetry("Échec de l’enregistrement : connexion au serveur impossible.");
      });
  }

  // The stored answer after a save holds the teammates' cells merged with
  // ours: show them (the person's own value stays where it is in conflict,
  // and nothing is written over a field still being typed in).
  function withCells(value, changes) {
    Object.keys(changes).forEach(function (cell) {
      if (cell === WHOLE) value = changes[cell];
      else { value = value && typeof value === "object" ? Object.assign({}, value) : {}; value[cell] = changes[cell]; }
    });
    return value;
  }
  function showMerged(questionId, data) {
    var box = questionBox(questionId);
    if (!box || queue[questionId] !== undefined || typing(box)) return;
    var mineInConflict = {};
    (data.conflicts || []).forEach(function (cell) { mineInConflict[cell.cell] = cell.mine; });
    var shown = withCells(data.value, mineInConflict);
    if (!same(readValue(box), shown)) writeValue(box, shown);
  }
  function typing(box) {
    var active = document.activeElement;
    return !!active && box.contains(active) && active.tagName === "TEXTAREA";
  }

  // Answers kept on this device by someone else (signed in before, in this
  // browser): never saved under the present name; offer to discard them.
  function offerToDiscardOthers() {
    var box = document.getElementById("others-queue");
    var ids = othersEntries();
    if (!ids.length) { if (box) box.remove(); return; }
    var names = ids.map(function (id) { return queue[id].name || "une autre personne"; })
      .filter(function (name, i, all) { return all.indexOf(name) === i; });
    if (!box) {
      box = document.createElement("div");
      box.id = "others-queue";
      box.className = "fr-alert fr-alert--warning fr-alert--sm fr-mb-3w";
      box.setAttribute("role", "alert");
      statusBox.parentNode.insertBefore(box, statusBox);
    }
    box.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = ids.length + " réponse" + (ids.length > 1 ? "s saisies" : " saisie") + " sur cet appareil par " +
      names.join(", ") + " " + (ids.length > 1 ? "n’ont" : "n’a") + " pas été enregistrée" + (ids.length > 1 ? "s" : "") +
      "\u00a0; elle" + (ids.length > 1 ? "s ne seront pas enregistrées" : " ne sera pas enregistrée") + " sous votre nom." +
      " Cette personne peut se reconnecter sur cet appareil pour les enregistrer.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w";
    button.textContent = "Abandonner ces réponses";
    button.addEventListener("click", function () {
      othersEntries().forEach(function (id) { delete queue[id]; });
      storeQueue(queue);
      box.remove();
      setStatus("info", "Les réponses saisies par " + names.join(", ") + " ont été abandonnées.");
    });
    box.appendChild(p);
    box.appendChild(button);
  }

  // -- conflicts ------------------------------------------------------------

  function clearConflict(questionId) {
    delete unsettled[questionId];
    var old = document.getElementById("conflict-" + questionId);
    if (old) old.remove();
  }

  function showConflict(questionId, cells, revisions) {
    var box = questionBox(questionId);
    if (!box) return;
    clearConflict(questionId);
    unsettled[questionId] = cells.map(function (cell) { return cell.cell; });
    var panel = document.createElement("div");
    panel.id = "conflict-" + questionId;
    panel.className = "fr-alert fr-alert--warning fr-alert--sm fr-mt-2w autodiag-conflict";
    panel.setAttribute("role", "alert");
    var title = document.createElement("h3");
    title.className = "fr-alert__title fr-text--md";
    title.textContent = "Réponse modifiée par un membre de l’équipe pendant votre saisie";
    panel.appendChild(title);
    var list = document.createElement("ul");
    cells.forEach(function (cell) {
      var li = document.createElement("li");
      li.textContent = cell.by + " a répondu «\u00a0" + cell.theirs_words + "\u00a0» " + cell.at +
        "\u00a0; votre réponse «\u00a0" + cell.mine_words + "\u00a0» n’a pas été enregistrée.";
      list.appendChild(li);
    });
    panel.appendChild(list);
    var group = document.createElement("ul");
    group.className = "fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm fr-mt-1w";
    [["Garder la sienne", "fr-btn fr-btn--secondary", function () {
      clearConflict(questionId);
      writeValue(box, known[questionId].value);
      setStatus("success", "Réponse de votre collègue conservée.");
    }], ["Prendre la mienne", "fr-btn", function () {
      var changes = {};
      cells.forEach(function (cell) { changes[cell.cell] = cell.mine; });
      clearConflict(questionId);
      enqueue(questionId, changes, revisions);
    }]].forEach(function (spec) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = spec[1];
      button.textContent = spec[0];
      button.addEventListener("click", spec[2]);
      li.appendChild(button);
      group.appendChild(li);
    });
    panel.appendChild(group);
    var meta = document.getElementById("meta-" + questionId);
    (meta || box.lastElementChild).insertAdjacentElement("afterend", panel);
  }

  // -- live filtering -----------------------------------------------------------

  function currentProfile() {
    var current = Object.assign({}, profile);
    document.querySelectorAll(".autodiag-question").forEach(function (box) {
      var type = box.dataset.type;
      if (type === "boolean" || type === "channels" || type === "profile_choice") {
        current[box.dataset.question] = readValue(box);
      }
    });
    return current;
  }

  function holds(rules, answers) {
    return rules.every(function (rule) {
      var answer = answers[rule.q];
      if (answer === null || answer === undefined) return false;
      var matches = Array.isArray(answer)
        ? answer.some(function (v) { return rule.v.indexOf(v) !== -1; })
        : rule.v.indexOf(answer) !== -1;
      return matches !== rule.not;
    });
  }

  function refreshVisibility() {
    var answers = currentProfile();
    var channels = answers.canaux || [];
    document.querySelectorAll(".autodiag-question").forEach(function (box) {
      box.hidden = !holds(JSON.parse(box.dataset.when || "[]"), answers);
      box.querySelectorAll(".autodiag-row").forEach(function (row) {
        var channelOk = !row.dataset.channel || channels.indexOf(row.dataset.channel) !== -1;
        row.hidden = !(channelOk && holds(JSON.parse(row.dataset.when || "[]"), answers));
      });
    });
    document.querySelectorAll(".fr-sidemenu__item[data-section]").forEach(function (item) {
      var rules = conditions[item.dataset.section] || [];
      if (!item.classList.contains("fr-sidemenu__item--active")) item.hidden = !holds(rules, answers);
    });
    refreshNeighbours();
  }

  // The previous and next sections follow the side menu as the profile changes.
  function refreshNeighbours() {
    var items = Array.prototype.filter.call(
      document.querySelectorAll(".fr-sidemenu__item"), function (item) { return !item.hidden; });
    var index = items.findIndex(function (item) { return item.classList.contains("fr-sidemenu__item--active"); });
    if (index === -1) return;
    [["prev", items[index - 1]], ["next", items[index + 1]]].forEach(function (pair) {
      var link = document.querySelector(".fr-pagination__link--" + pair[0]);
      var target = pair[1] && pair[1].querySelector("a");
      if (!link || !target) return;
      link.href = target.getAttribute("href");
      var title = target.querySelector("span") ? target.querySelector("span").firstChild.textContent : target.textContent;
      link.textContent = title.trim();
    });
  }

  // -- events -------------------------------------------------------------------

  function onAnswer(box) {
    var value = readValue(box);
    var type = box.dataset.type;
    if (type === "boolean" || type === "channels" || type === "profile_choice") refreshVisibility();
    var changes = changedCells(box, value);
    if (!Object.keys(changes).length) return;  // nothing new (e.g. a list with no row answered)
    enqueue(box.dataset.question, changes);
  }

  form.addEventListener("change", function (event) {
    var box = event.target.closest(".autodiag-question");
    if (!box) return;
    if (event.target.name && /--na$/.test(event.target.name)) toggleRows(box);
    if (box.dataset.type === "text") clearTimeout(textTimers[box.dataset.question]);
    onAnswer(box);
  });

  form.addEventListener("input", function (event) {
    var box = event.target.closest(".autodiag-question");
    if (!box || box.dataset.type !== "text") return;
    clearTimeout(textTimers[box.dataset.question]);
    textTimers[box.dataset.question] = setTimeout(function () { onAnswer(box); }, 1000);
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (!button) return;
    event.preventDefault();
    var questionId = button.dataset.confirm;
    post(form.dataset.confirmUrl.replace("__q__", encodeURIComponent(questionId)))
      .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
      .then(function (pair) {
        if (pair[0].ok) { setMeta(questionId, pair[1].status || ""); setStatus("success", "Réponse confirmée à " + timeNow() + "."); }
        else setStatus("error", pair[1].message || "La confirmation a échoué.");
      })
      .catch(function () { setStatus("error", "Confirmation impossible : connexion au serveur perdue. Réessayez."); });
  });

  // -- teammates' answers and presence ------------------------------------------
  // Several people fill in the same diagnostic: every few seconds the page
  // asks what changed since its cursor (first answers included) and shows
  // it, never over an answer typed here and not saved yet, nor under the
  // cursor: there it says that a teammate changed it, and shows it once
  // the person leaves the field.

  var deferred = {};
  function applyTeammate(questionId, entry) {
    var box = questionBox(questionId);
    if (!box) return;
    var was = known[questionId] || { revisions: {} };
    if (same(was.revisions, entry.revisions) && same(was.value, entry.value)) {
      if (!entry.to_confirm && entry.status) setMeta(questionId, entry.status);
      return;
    }
    if (queue[questionId] !== undefined) return;  // our pending save will merge or conflict
    if (typing(box)) {
      deferred[questionId] = entry;
      var who = document.getElementById("meta-" + questionId);
      if (who) who.querySelector(".autodiag-meta__who").textContent =
        "Un membre de l’équipe vient de modifier cette réponse\u00a0: elle s’affichera quand vous quitterez le champ.";
      return;
    }
    delete deferred[questionId];
    known[questionId] = { value: entry.value, revisions: entry.revisions };
    if (!same(readValue(box), entry.value)) {
      writeValue(box, entry.value);
      box.classList.add("autodiag-question--updated");
      setTimeout(function () { box.classList.remove("autodiag-question--updated"); }, 4000);
    }
    var meta = document.getElementById("meta-" + questionId);
    if (!entry.to_confirm) setMeta(questionId, entry.status);
    else if (meta) meta.querySelector(".autodiag-meta__who").textContent = entry.status;
  }

  function showTeammates(names) {
    var line = document.getElementById("teammates");
    if (!line) return;
    line.hidden = !names.length;
    line.querySelector(".autodiag-teammates__names").textContent = names.join(", ");
  }

  function refreshFromServer() {
    if (document.hidden) return;
    var url = form.dataset.answersUrl + (cursor ? "?since=" + encodeURIComponent(cursor) : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        cursor = data.cursor;
        Object.keys(data.answers).forEach(function (questionId) { applyTeammate(questionId, data.answers[questionId]); });
        showTeammates(data.teammates || []);
        refreshVisibility();
      })
      .catch(function () { /* the next save or refresh will tell */ });
  }
  form.addEventListener("focusout", function (event) {
    var box = event.target.closest(".autodiag-question");
    if (!box || !deferred[box.dataset.question]) return;
    setTimeout(function () {
      var entry = deferred[box.dataset.question];
      if (entry && !box.contains(document.activeElement)) applyTeammate(box.dataset.question, entry);
    }, 0);
  });
  setInterval(refreshFromServer, 5000);

  window.addEventListener("online", flush);
  window.addEventListener("focus", function () { if (pendingCount()) flush(); });

  // Answers entered earlier and not saved yet (network loss, expired session,
  // closed tab): show them again on this page and save them.
  Object.keys(queue).filter(mine).forEach(function (questionId) {
    var box = questionBox(questionId);
    if (!box) return;
    writeValue(box, withCells(known[questionId].value, queue[questionId].changes));
  });
  offerToDiscardOthers();
  refreshVisibility();
  if (pendingCount()) {
    setStatus("info", pendingCount() + " réponse" + (pendingCount() > 1 ? "s" : "") +
      " saisie" + (pendingCount() > 1 ? "s" : "") + " hors connexion : enregistrement en cours…");
    flush();
  }
})();
