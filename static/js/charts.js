// Draws every plotly figure of the page. The figure is built in Python (<app>/charts.py) and
// embedded as JSON with json_script; no inline script, so a strict CSP holds.
(function () {
  "use strict";
  function draw() {
    var nodes = document.querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-figure"));
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      var layout = figure.layout || {};
      layout.separators = ".,"; // Peruvian usage: decimal point, comma thousands
      window.Plotly.newPlot(node, figure.data || [], layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      }).then(function () { node.setAttribute("data-drawn", "true"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
