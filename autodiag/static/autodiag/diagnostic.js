/*
 * Filling in a diagnostic: autosave and live filtering, as progressive
 * enhancement (the page works without this script, section by section).
 *
 * Every answer is saved as it is entered. Unsaved answers wait in a queue
 * kept in localStorage, so that a lost network, an expired session or a
 * closed tab never loses an entered answer: the page says so, keeps
 * retrying, and saves them once it can (also on the next visit).
 */
(function () {
  "use strict";

  var form = document.getElementById("section-form");
  if (!form || !form.dataset.editable || !window.fetch) return;

  var statusBox = document.getElementById("autosave-status");
  var storageKey = "autodiag:pending:" + form.dataset.diagnostic;
  var conditions = JSON.parse(document.getElementById("section-conditions").textContent || "{}");
  var profile = JSON.parse((document.getElementById("profile-answers") || {}).textContent || "{}");
  var retryDelay = 0;
  var retryTimer = null;
  var flushing = false;
  var textTimers = {};

  // -- the queue -------------------------------------------------------------

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

  function enqueue(questionId, value) {
    queue[questionId] = value;
    storeQueue(queue);
    flush();
  }

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
  function pendingCount() { return Object.keys(queue).length; }

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
      if (value && typeof value === "object") {
        Object.keys(value).forEach(function (item) {
          var input = box.querySelector("input[name='" + name + "--" + item + "'][value='" + value[item] + "']");
          if (input) input.checked = true;
        });
      }
      toggleRows(box);
      return;
    }
    var radio = box.querySelector("input[name='" + name + "'][value='" + value + "']");
    if (radio) radio.checked = true;
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
    var ids = Object.keys(queue);
    if (!ids.length) return;
    flushing = true;
    var questionId = ids[0];
    var value = queue[questionId];
    setStatus("info", "Enregistrement en cours…");
    post(form.dataset.saveUrl.replace("__q__", encodeURIComponent(questionId)), { value: value })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          flushing = false;
          if (response.ok) {
            if (JSON.stringify(queue[questionId]) === JSON.stringify(value)) delete queue[questionId];
            storeQueue(queue);
            retryDelay = 0;
            setMeta(questionId, data.status || "");
            setError(questionId, "");
            if (pendingCount()) flush();
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
    if (value === null) return; // nothing to save yet (e.g. a list with no row answered)
    if (type === "boolean" || type === "channels" || type === "profile_choice") refreshVisibility();
    enqueue(box.dataset.question, value);
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

  // -- teammates' answers ----------------------------------------------------------
  // Several people fill in the same diagnostic: every few seconds the page
  // shows what the others entered (never over an answer typed here and not
  // saved yet, nor in the field being edited).

  var lastSeen = {};
  function refreshFromServer() {
    if (document.hidden || pendingCount()) return;
    fetch(form.dataset.answersUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.answers).forEach(function (questionId) {
          var box = questionBox(questionId);
          var entry = data.answers[questionId];
          if (!box || queue[questionId] !== undefined || box.contains(document.activeElement)) return;
          var seen = JSON.stringify(entry.value) + entry.status;
          if (lastSeen[questionId] === undefined) { lastSeen[questionId] = seen; return; }
          if (lastSeen[questionId] === seen) return;
          lastSeen[questionId] = seen;
          if (JSON.stringify(readValue(box)) !== JSON.stringify(entry.value)) {
            writeValue(box, entry.value);
            box.classList.add("autodiag-question--updated");
            setTimeout(function () { box.classList.remove("autodiag-question--updated"); }, 4000);
          }
          if (!entry.to_confirm) setMeta(questionId, entry.status);
          else document.getElementById("meta-" + questionId).querySelector(".autodiag-meta__who").textContent = entry.status;
        });
        refreshVisibility();
      })
      .catch(function () { /* the next save or refresh will tell */ });
  }
  refreshFromServer();
  setInterval(refreshFromServer, 10000);

  window.addEventListener("online", flush);
  window.addEventListener("focus", function () { if (pendingCount()) flush(); });

  // Answers entered earlier and not saved yet (network loss, expired session,
  // closed tab): show them again on this page and save them.
  Object.keys(queue).forEach(function (questionId) {
    var box = questionBox(questionId);
    if (box) writeValue(box, queue[questionId]);
  });
  refreshVisibility();
  if (pendingCount()) {
    setStatus("info", pendingCount() + " réponse" + (pendingCount() > 1 ? "s" : "") +
      " saisie" + (pendingCount() > 1 ? "s" : "") + " hors connexion : enregistrement en cours…");
    flush();
  }
})();
