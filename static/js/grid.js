// Entry grid and value form: shows what the typed numbers give (value, achievement, light,
// warnings) before saving. The arithmetic stays on the server (indicators/progress.py): this
// file only asks /registro/vista-previa/ and writes the answer on the row. Enter in a one-line
// input does not submit the form (buttons still do). Loaded from static files (strict CSP).
(function () {
  "use strict";
  var BUTTONS = { submit: true, button: true, reset: true, image: true };
  document.querySelectorAll("form[data-preview-url], form[data-no-enter]").forEach(function (f) {
    f.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && !BUTTONS[target.type]) {
        event.preventDefault();
      }
    });
  });

  // A refused save: the summary at the top takes the focus (autofocus may not apply to it).
  var summary = document.getElementById("resumen-errores");
  if (summary) { summary.focus(); }

  var form = document.querySelector("form[data-preview-url]");
  if (!form) { return; }

  // Only the rows typed in are sent (a row's inputs are all sent or none): a grid of many
  // indicators stays under the server's limit of fields, and a row not sent keeps what is
  // stored (its draft is still sent to validation with "Guardar y enviar"). Rows the server
  // sent back after a refusal carry data-changed already.
  var rows = form.querySelectorAll("[data-preview-row]");
  rows.forEach(function (row) {
    function mark() { row.setAttribute("data-changed", ""); }
    row.addEventListener("input", mark);
    row.addEventListener("change", mark);
  });
  function fields(row) { return row.querySelectorAll("input, textarea, select"); }
  form.addEventListener("submit", function () {
    rows.forEach(function (row) {
      if (!row.hasAttribute("data-changed")) {
        fields(row).forEach(function (field) { field.disabled = true; });
      }
    });
  });
  // Back to a page kept by the browser after submitting: its inputs usable again.
  window.addEventListener("pageshow", function () {
    rows.forEach(function (row) {
      fields(row).forEach(function (field) { field.disabled = false; });
    });
  });

  var url = form.getAttribute("data-preview-url");
  var year = form.getAttribute("data-year");
  var DELAY = 300;
  var PARAMS = { numerator: "numerador", denominator: "denominador", value: "valor" };

  function setText(node, text) { if (node) { node.textContent = text; } }

  function watch(row) {
    var inputs = row.querySelectorAll("input[data-part]");
    var timer = null;
    var sequence = 0;
    function out(name) { return row.querySelector("[data-out='" + name + "']"); }

    function show(data) {
      setText(out("value"), data.value || "—");
      setText(out("achievement"), data.achievement || "—");
      var light = out("light");
      if (light) { light.className = "light light-" + data.light; }
      setText(out("light-label"), data.light_label);
      var problems = [];
      if (data.error) { problems.push(data.error); }
      Object.keys(data.errors || {}).forEach(function (key) { problems.push(data.errors[key]); });
      setText(out("error"), problems.join(" "));
      var list = out("warnings");
      if (list) {
        list.textContent = "";
        data.warnings.forEach(function (text) {
          var item = document.createElement("li");
          item.textContent = text;
          list.appendChild(item);
        });
      }
      row.classList.toggle("has-warnings", data.warnings.length > 0);
      var justification = row.querySelector("[data-justification]");
      if (justification) {
        var typed = justification.querySelector("textarea");
        justification.hidden = data.warnings.length === 0 && !(typed && typed.value.trim());
      }
    }

    function refresh() {
      var params = new URLSearchParams();
      params.set("indicador", row.getAttribute("data-code"));
      params.set("anio", year);
      inputs.forEach(function (input) {
        params.set(PARAMS[input.getAttribute("data-part")], input.value);
      });
      var mine = ++sequence;
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        if (mine === sequence) { show(data); }
      }).catch(function () {
        if (mine === sequence) { setText(out("error"), "No se pudo calcular la vista previa."); }
      });
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, DELAY);
      });
    });
  }

  form.querySelectorAll("[data-preview-row]").forEach(watch);
})();
