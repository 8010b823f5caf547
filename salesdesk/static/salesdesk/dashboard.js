/* The dashboard's charts, drawn from the json_script block: the same numbers as the tables under each chart. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = charts[canvas.dataset.chart];
    if (!spec) { return; }
    var datasets = spec.datasets.map(function (set) {
      return { label: set.label, data: set.data.map(Number), tension: 0.2, fill: false, maxBarThickness: 36 };
    });
    var options = { responsive: true, plugins: { legend: { display: datasets.length > 1 } } };
    if (spec.horizontal) {
      options.indexAxis = "y";
      // Long names (customers, products) are cut with an ellipsis instead of being clipped at
      // the left edge; the tooltip and the table show them whole.
      var shortened = function (value) {
        var label = String(this.getLabelForValue(value));
        return label.length > 16 ? label.slice(0, 15) + "\u2026" : label;
      };
      options.scales = { x: { beginAtZero: true }, y: { ticks: { callback: shortened, autoSkip: false, font: { size: 11 } } } };
    } else {
      options.scales = { y: { beginAtZero: true } };
    }
    if (spec.links && spec.links.length) {
      // A click on a point opens the documents behind it (the same links as the table's rows).
      options.onClick = function (event, elements) {
        if (elements.length && spec.links[elements[0].index]) { window.location.href = spec.links[elements[0].index]; }
      };
      options.onHover = function (event, elements) { canvas.style.cursor = elements.length ? "pointer" : "default"; };
    }
    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  });
})();
