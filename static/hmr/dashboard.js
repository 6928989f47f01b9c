// The curation dashboard's charts (apps/analytics/templates/admin/analytics/dashboard.html).
// Data comes from the page (json_script "dashboard-data"); Chart.js is vendored, no CDN.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var style = getComputedStyle(document.documentElement);
  var text = style.getPropertyValue("--body-fg").trim() || "#333";
  var grid = style.getPropertyValue("--hairline-color").trim() || "#ddd";
  var palette = ["#417690", "#79aec8", "#b7791f", "#2f855a", "#9b2c2c", "#6b46c1", "#dd6b20", "#2c7a7b",
    "#97266d", "#4a5568", "#d69e2e", "#3182ce", "#a0aec0", "#718096"];  // the last two: "other", "(none)"
  Chart.defaults.color = text;
  Chart.defaults.borderColor = grid;
  Chart.defaults.animation = false; // screenshots and slow machines see the final chart at once
  Chart.defaults.maintainAspectRatio = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-baselines", {
    type: "bar",
    data: { labels: data.baselines.labels,
      datasets: [{ label: "records", data: data.baselines.values, backgroundColor: palette }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false, font: { size: 10 } } } } }
  });
  draw("chart-top", {
    type: "bar",
    data: { labels: data.top.labels,
      datasets: [{ label: "requests this month", data: data.top.values, backgroundColor: "#417690" }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
      scales: { y: { ticks: { autoSkip: false, font: { size: 10 } } } } }
  });
  draw("chart-trend", {
    type: "line",
    data: { labels: data.trend.labels, datasets: [
      { label: "requests per day", data: data.trend.usage, borderColor: "#417690",
        backgroundColor: "rgba(65,118,144,0.15)", fill: true, yAxisID: "y", tension: 0.2 },
      { label: "workers", data: data.trend.workers, borderColor: "#b7791f", yAxisID: "workers", stepped: true }
    ] },
    options: { scales: { y: { beginAtZero: true, position: "left" },
      workers: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } } } }
  });
  draw("chart-hosts", {
    type: "bar",
    data: { labels: data.hosts.labels,
      datasets: [{ label: "download entries", data: data.hosts.values, backgroundColor: "#79aec8" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
}());
