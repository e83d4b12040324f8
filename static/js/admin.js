// Django's admin, accessible (axe: no serious node).
// - The two-list widget (filter_horizontal) puts an aria-label on a bare <span> (the search
//   icon), which ARIA does not allow: name it as an image instead. The widget is built on
//   "load", so this runs right after it.
// - A table of inline rows scrolls sideways on a phone: its box can take the keyboard's focus
//   (to scroll it with the arrows) and is named after its heading, as our own tables are.
(function () {
  "use strict";
  function nameIcons() {
    var icons = document.querySelectorAll(".search-label-icon[aria-label]:not([role])");
    Array.prototype.forEach.call(icons, function (icon) { icon.setAttribute("role", "img"); });
  }
  function focusableTables() {
    var groups = document.querySelectorAll("div.inline-group");
    Array.prototype.forEach.call(groups, function (group) {
      if (!group.querySelector(".tabular") || group.hasAttribute("tabindex")) { return; }
      var heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      group.setAttribute("aria-label", heading ? heading.textContent.trim() : "Filas relacionadas");
    });
  }
  document.addEventListener("DOMContentLoaded", focusableTables);
  window.addEventListener("load", function () { window.setTimeout(nameIcons, 0); });
})();
