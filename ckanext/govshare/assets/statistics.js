/* Charts of the statistics pages (ckanext/govshare/oversight/views.py), drawn by Chart.js
   from the tables on the page: every table with data-govshare-chart gets a canvas before it;
   the table stays (the fallback, and the same numbers for screen readers and printing).
   Rows: tbody rows, label = the row's first cell; series: every column with a data-value
   cell, except those whose header has data-govshare-skip. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var palette = ["#2f6db5", "#f0a030", "#4caf50", "#9e9e9e", "#d9534f", "#7e57c2", "#26a69a"];

  function draw(table) {
    var kind = table.getAttribute("data-govshare-chart") || "bar";
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    if (!rows.length) { return; }
    var labels = rows.map(function (r) { return r.cells[0].textContent.trim(); });
    var series = [];
    for (var col = 1; col < headers.length; col++) {
      if (headers[col].hasAttribute("data-govshare-skip")) { continue; }
      var values = rows.map(function (r) {
        var cell = r.cells[col];
        var v = cell ? cell.getAttribute("data-value") : null;
        return v === null || v === "" ? null : Number(v);
      });
      if (values.every(function (v) { return v === null; })) { continue; }
      series.push({label: headers[col].textContent.trim(), data: values});
    }
    if (!series.length) { return; }
    var doughnut = kind === "doughnut";
    var datasets = series.map(function (s, i) {
      return {label: s.label, data: s.data,
              backgroundColor: doughnut ? palette.slice(0, s.data.length) : palette[i % palette.length]};
    });
    var holder = document.createElement("div");
    holder.className = "govshare-chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (table.querySelector("caption") || headers[0]).textContent.trim());
    holder.appendChild(canvas);
    table.parentNode.insertBefore(holder, table);
    var max = table.getAttribute("data-govshare-max");
    var stacked = table.hasAttribute("data-govshare-stacked");
    var options = {responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: {legend: {display: doughnut || series.length > 1}}};
    if (!doughnut) {
      options.scales = {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true,
                                                     ticks: {precision: 0}}};
      if (max) { options.scales.y.max = Number(max); }
    }
    new window.Chart(canvas, {type: doughnut ? "doughnut" : "bar", data: {labels: labels, datasets: datasets},
                              options: options});
  }

  function init() {
    var tables = document.querySelectorAll("table[data-govshare-chart]");
    for (var i = 0; i < tables.length; i++) { draw(tables[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
