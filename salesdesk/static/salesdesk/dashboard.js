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
      options.scales = { x: { beginAtZero: true } };
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
