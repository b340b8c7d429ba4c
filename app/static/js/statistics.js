// The statistics page: only the period fields of the chosen kind are shown, and chart.js draws the
// month trend and the on-time rate per agency from the JSON block the page carries (no inline code:
// the Content-Security-Policy forbids it). Without this file the form and the tables work as they are.
(function () {
  "use strict";

  var kind = document.querySelector("[data-period-kind]");
  function showKind() {
    document.querySelectorAll("[data-kinds]").forEach(function (label) {
      var shown = label.dataset.kinds.split(" ").indexOf(kind.value) >= 0;
      label.hidden = !shown;
      label.querySelectorAll("input, select").forEach(function (field) { field.disabled = !shown; });
    });
  }
  if (kind) {
    kind.addEventListener("change", showKind);
    showKind();
  }

  var source = document.getElementById("statistics-charts");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent || "{}");
  var colours = ["#2563eb", "#16a34a", "#9333ea", "#dc2626"];
  var common = { responsive: true, maintainAspectRatio: false, animation: false };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new window.Chart(canvas, config);
    canvas.dataset.rendered = "true";
  }

  draw("chart-trend", {
    type: "bar",
    data: {
      labels: data.trend.labels,
      datasets: data.trend.series.map(function (series, n) {
        return { label: series.label, data: series.data, backgroundColor: colours[n % colours.length] };
      })
    },
    options: Object.assign({ scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, common)
  });

  draw("chart-rates", {
    type: "bar",
    data: {
      labels: data.rates.labels,
      datasets: [{ label: data.rates.label, data: data.rates.data, backgroundColor: "#16a34a" }]
    },
    options: Object.assign({ indexAxis: "y", scales: { x: { min: 0, max: 100 } } }, common)
  });
})();
