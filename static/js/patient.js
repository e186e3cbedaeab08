/* The patient page: draws the charts whose figures the server embedded as JSON
   (<script type="application/json">, read, never executed: CSP script-src 'self').
   Runs on page load and after htmx swaps a tab in. */
(function () {
  "use strict";

  var CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false };

  function draw(root) {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn") === "1") {
        return;
      }
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, CONFIG);
      el.setAttribute("data-drawn", "1");
    });
  }

  function drawAll() {
    draw(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
