/* The price overrides report: one bar per month, stacked by salesperson (same numbers as the table). */
(function () {
  "use strict";
  var canvas = document.getElementById("overrides-chart");
  var source = document.getElementById("overrides-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  data.datasets.forEach(function (set) { set.data = set.data.map(Number); });
  new Chart(canvas, {
    type: "bar",
    data: data,
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });
})();
