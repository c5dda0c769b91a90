// Keyboard use of the lists and a confirmation before irreversible actions. No inline script (CSP).
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-keynav] a.rowlink"));
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var links = rows();
    var index = links.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "k") {
      if (!links.length) {
        return;
      }
      var next = event.key === "j" ? index + 1 : index - 1;
      if (index === -1) {
        next = 0;
      }
      next = Math.max(0, Math.min(links.length - 1, next));
      links[next].focus();
      links[next].closest("tr").scrollIntoView({ block: "nearest" });
      event.preventDefault();
    } else if (event.key === "/") {
      var search = document.getElementById("q");
      if (search) {
        search.focus();
        search.select();
        event.preventDefault();
      }
    }
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-keynav] tr");
    document.querySelectorAll("[data-keynav] tr.focused").forEach(function (r) { r.classList.remove("focused"); });
    if (row) {
      row.classList.add("focused");
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
