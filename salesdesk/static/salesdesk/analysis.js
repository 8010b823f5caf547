/* The sales analysis chart: the first measure by row, one series per column (the table's numbers). */
(function () {
  "use strict";
  var canvas = document.getElementById("analysis-chart");
  var source = document.getElementById("analysis-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: data.line ? "line" : "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s) {
        return { label: s.label, data: s.data.map(function (v) { return v === null ? null : Number(v); }), spanGaps: true };
      })
    },
    options: {
      responsive: true,
      plugins: { title: { display: true, text: data.measure } },
      scales: { y: { beginAtZero: true } }
    }
  });
})();
