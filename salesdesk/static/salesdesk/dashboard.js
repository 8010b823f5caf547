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
    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  });
})();
