// Manager dashboard, history: the daily trend and the rating distribution, drawn with Chart.js
// from the figures the server put in the page (the same ones as the tables and the CSV).
(function () {
  "use strict";

  const source = document.getElementById("stats-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels;

  new Chart(document.getElementById("chart-daily"), {
    type: "line",
    data: {
      labels: data.daily.map(function (day) { return day.day; }),
      datasets: [
        { label: labels.issued, data: data.daily.map(function (d) { return d.issued; }), yAxisID: "count" },
        { label: labels.served, data: data.daily.map(function (d) { return d.served; }), yAxisID: "count" },
        {
          label: labels.wait,
          data: data.daily.map(function (d) {
            return d.wait_avg_s === null ? null : Math.round(d.wait_avg_s / 6) / 10;
          }),
          yAxisID: "minutes",
          borderDash: [6, 4],
        },
      ],
    },
    options: {
      animation: false,
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true },
        minutes: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
      },
    },
  });

  new Chart(document.getElementById("chart-ratings"), {
    type: "bar",
    data: {
      labels: ["1", "2", "3", "4", "5"],
      datasets: [{
        label: labels.ratings,
        data: ["1", "2", "3", "4", "5"].map(function (n) { return data.distribution[n]; }),
        backgroundColor: ["#b3261e", "#d9622b", "#a68a00", "#5a9e3a", "#1b7f3b"],
      }],
    },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
})();
