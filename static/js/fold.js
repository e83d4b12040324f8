// Folded sections (<details class="fold">): a link to something inside a closed fold, or to a
// block whose content is folded (#V14, #estatales), opens it before scrolling there. Without
// the script the folds still open by hand.
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target) { return; }
    var opened = false;
    var own = target.querySelector(":scope > details.fold");
    if (own && !own.open) { own.open = true; opened = true; }
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
