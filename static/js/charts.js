// Draws every plotly figure of the page. The figure is built in Python (<app>/charts.py) and
// embedded as JSON with json_script; no inline script, so a strict CSP holds.
(function () {
  "use strict";
  var NARROW = 560; // px: a phone held upright
  // On a phone the legend wraps to about one entry a line and a long title runs off the right
  // edge: give the plot back the height the legend takes, and break the title into lines (its
  // text was escaped in Python, so only our <br> is markup).
  function fitNarrow(node, data, layout) {
    var width = node.clientWidth;
    if (!width || width >= NARROW) { return; }
    var entries = data.filter(function (trace) { return trace.showlegend !== false; }).length;
    if (entries > 1 && layout.showlegend !== false) {
      layout.height = (layout.height || 360) + 20 * entries;
    }
    var title = layout.title && typeof layout.title.text === "string" ? layout.title.text : "";
    var perLine = Math.max(20, Math.floor(width / 9)); // characters of a 15 px title
    if (title.length <= perLine) { return; }
    var lines = [];
    var line = "";
    title.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > perLine) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    lines.push(line);
    layout.title.text = lines.join("<br>");
    layout.margin = layout.margin || {};
    layout.margin.t = (layout.margin.t || 80) + 24 * (lines.length - 1);
    // Plotly raises a title of several lines above its anchor: push it down again, below the
    // toolbar's band (objectives/charts.py places the title's top under it).
    if (layout.title.pad && layout.title.pad.t) {
      layout.title.pad.t += 16 * (lines.length - 1);
    }
  }
  // The toolbar shows only while the pointer is over the chart (plotly's "hover" mode), so it
  // never sits on the title of a chart being read; the charts leave it a top margin too
  // (<app>/charts.py).
  function drawOne(node) {
    var source = document.getElementById(node.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.separators = ".,"; // Peruvian usage: decimal point, comma thousands
    fitNarrow(node, figure.data || [], layout);
    window.Plotly.newPlot(node, figure.data || [], layout, {
      displaylogo: false,
      displayModeBar: "hover",
      responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    }).then(function () { node.setAttribute("data-drawn", "true"); });
  }
  function draw() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-figure]"), drawOne);
  }
  // A chart inside a closed <details> was drawn without a width: draw it again, at the width
  // it gets, when its fold opens ("toggle" does not bubble: listen while it goes down).
  document.addEventListener("toggle", function (event) {
    var fold = event.target;
    if (!fold || fold.tagName !== "DETAILS" || !fold.open) { return; }
    Array.prototype.forEach.call(fold.querySelectorAll("[data-figure]"), drawOne);
  }, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
