// Progressive enhancement for the citizen's forms. The pages work without it: the server keeps
// the draft in the session between screens. This only keeps what is typed on the current screen
// (in localStorage) if the connection drops or the page is closed before "Next" or "Send".
(function () {
  "use strict";
  var PREFIX = "telemed-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && (el.tagName === "TEXTAREA" || el.type === "text");
    });
  }

  function setup(form) {
    var store = storage();
    if (!store) return;
    var key = PREFIX + form.getAttribute("data-draft-key");
    var saved = {};
    try { saved = JSON.parse(store.getItem(key) || "{}"); } catch (e) { saved = {}; }
    fields(form).forEach(function (el) {
      // The server's value wins; the saved one only fills a field the server left empty.
      if (!el.value && saved[el.name]) el.value = saved[el.name];
      el.addEventListener("input", function () {
        var data = {};
        fields(form).forEach(function (f) { if (f.value) data[f.name] = f.value; });
        try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full */ }
      });
    });
    form.addEventListener("submit", function () {
      // Cleared on the next page the server sends (see forgetSent); if the connection drops,
      // the browser's error page comes instead and the saved text is still here afterwards.
      try { store.setItem(key + ":sent", "1"); } catch (e) { /* storage full */ }
    });
  }

  function forgetSent() {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (!k || k.indexOf(PREFIX) !== 0 || k.slice(-5) !== ":sent") continue;
      var draft = k.slice(0, -5);
      var form = document.querySelector("form[data-draft-key='" + draft.slice(PREFIX.length) + "']");
      // The same screen again (refused, or reloaded after a lost connection): keep the text.
      if (form) continue;
      store.removeItem(draft);
      store.removeItem(k);
    }
  }

  function clearPrefix(prefix) {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && k.indexOf(PREFIX + prefix) === 0) store.removeItem(k);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSent();
    document.querySelectorAll("form[data-draft-key]").forEach(setup);
    document.querySelectorAll("form[data-clear-drafts]").forEach(function (form) {
      form.addEventListener("submit", function () { clearPrefix(form.getAttribute("data-clear-drafts")); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
