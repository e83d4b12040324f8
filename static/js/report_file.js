// The report file's waiting page (templates/indicators/report_preparing.html): asks every few
// seconds whether the file is ready and, once it is, says so and starts the download. Without
// this script the page still has a link that asks again.
(function () {
  "use strict";
  var EVERY = 5000; // ms
  function init() {
    var box = document.getElementById("report-file-status");
    var state = document.getElementById("report-file-state");
    if (!box || !state || !window.fetch) { return; }
    function check() {
      fetch(box.getAttribute("data-status-url"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (answer) {
        if (answer && answer.listo) {
          state.textContent = "El " + box.getAttribute("data-label") +
            " está listo: la descarga comienza. Si no comienza, use el enlace.";
          window.location.assign(box.getAttribute("data-file-url"));
        } else if (answer && answer.error) {
          window.location.reload(); // the page explains the failure
        } else {
          window.setTimeout(check, EVERY);
        }
      }).catch(function () {
        window.setTimeout(check, EVERY * 2);
      });
    }
    window.setTimeout(check, EVERY);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
