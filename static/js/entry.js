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
  var pattern = /^\s*\d+(\.\d+)?\s*$/;
  function update() {
    if (!pattern.test(num.value) || !pattern.test(den.value)) { out.textContent = "—"; return; }
    var d = parseFloat(den.value);
    if (d === 0) { out.textContent = "el denominador no puede ser cero"; return; }
    var value = parseFloat(num.value) / d * scale;
    out.textContent = value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  }
  num.addEventListener("input", update);
  den.addEventListener("input", update);
  update();
})();
