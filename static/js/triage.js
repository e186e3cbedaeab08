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
    var notes = container.querySelectorAll("input[name=note]");
    for (var i = 0; i < notes.length; i++) {
      if (notes[i].value.trim() !== "") return true;
    }
    return false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isListRefresh(event) && busy(list())) event.preventDefault();
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
