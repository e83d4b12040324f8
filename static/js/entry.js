// Shows numerator / denominator x scale while the user types. Display only: the stored
// value is computed on the server by indicators/progress.py. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("value-form");
  var out = document.getElementById("ratio-preview");
  if (!form || !out) { return; }
  var num = document.getElementById("id_numerator");
  var den = document.getElementById("id_denominator");
  var scale = parseFloat(form.getAttribute("data-scale")) || 1;
  // The indicator's one display precision (Indicator.decimals), as every page shows it.
  var decimals = parseInt(form.getAttribute("data-decimals"), 10);
  if (isNaN(decimals)) { decimals = 2; }
  // Peruvian format, as the server reads it: 2850000 or 2,850,000 (thousands in groups of 3).
  var pattern = /^\s*(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*$/;
  function read(text) { return parseFloat(text.replace(/,/g, "")); }
  function update() {
    if (!pattern.test(num.value) || !pattern.test(den.value)) { out.textContent = "—"; return; }
    var d = read(den.value);
    if (d === 0) { out.textContent = "el denominador no puede ser cero"; return; }
    var value = read(num.value) / d * scale;
    out.textContent = value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  num.addEventListener("input", update);
  den.addEventListener("input", update);
  update();
})();
