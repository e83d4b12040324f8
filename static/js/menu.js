// The main menu folds behind the "Menú" button on narrow screens; static/css/pesem.css decides
// the width (on wide screens the menu is always shown and the button hidden). Without this
// script the button stays hidden and the menu open: nothing depends on it.
(function () {
  "use strict";
  function init() {
    var header = document.querySelector("header.site");
    var button = header && header.querySelector(".menu-toggle");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    function setOpen(open) {
      header.setAttribute("data-menu", open ? "open" : "closed");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(header.getAttribute("data-menu") !== "open");
    });
    // Escape closes the open menu and gives the focus back to its button.
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.getAttribute("data-menu") === "open"
          && button.offsetParent !== null) {
        setOpen(false);
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
