// Triage list: keep the nurse's context across the automatic refresh (progressive enhancement;
// without JavaScript the list is plain links and forms).
(function () {
  "use strict";

  function list() {
    return document.getElementById("triage-list");
  }

  function isListRefresh(event) {
    return event.detail.elt === list();
  }

  function busy(container) {
    // Never swap the list away while the nurse is typing a note or has one half-written.
    var active = document.activeElement;
    if (active && container.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    var notes = container.querySelectorAll("textarea[name=note], input[name=note]");
    for (var i = 0; i < notes.length; i++) {
      if (notes[i].value.trim() !== "") return true;
    }
    return false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isListRefresh(event) && busy(list())) event.preventDefault();
  });

  // Keyboard: a row opened (or re-drawn after an action taken in it) gets the focus in its
  // detail, so the next Tab reaches "I'm on it" and the acknowledge form.
  var focusRow = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.matches || !target.matches("tbody.triage-row")) return;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var opening = trigger && trigger.matches && trigger.matches("a.toggle[aria-expanded=false]");
    var acting = target.contains(document.activeElement);
    focusRow = opening || acting ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusRow) return;
    var row = document.getElementById(focusRow);
    focusRow = null;
    var detail = row && row.querySelector(".triage-row__detail > td");
    if (detail) detail.focus();
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var container = list();
    if (!container) return;
    if (container.dataset.showTeam === "1") event.detail.parameters.show_team = "1";
    if (!isListRefresh(event)) return;
    var open = [];
    container.querySelectorAll("tbody[data-open]").forEach(function (row) {
      open.push(row.dataset.patient);
    });
    event.detail.parameters.open_ids = open.join(",");
    event.detail.parameters.since = container.dataset.renderedAt || "";
  });
})();
