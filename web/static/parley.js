// Parley: progressive enhancement only. Without this file every feature still works:
// citations are visible text inside <details>. With it, "Copy citation" copies to the clipboard.
(function () {
  "use strict";

  function announce(message) {
    var region = document.getElementById("announce");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = message; }, 50); }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function onCopy(event) {
    var button = event.currentTarget;
    var text = button.getAttribute("data-citation");
    copy(text).then(function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      announce("Citation copied to the clipboard.");
      window.setTimeout(function () { button.textContent = "Copy citation"; button.classList.remove("copied"); }, 2000);
    }, function () {
      var details = button.parentNode.querySelector("details");
      if (details) { details.open = true; }
      announce("Could not copy; the citation is shown so you can select it.");
    });
  }

  // On a narrow screen the filters start closed behind their "Filters" button, so the results
  // come first; without this script they start open (still above the results).
  function closeFiltersOnNarrowScreens() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 820px)").matches) { return; }
    var panels = document.querySelectorAll("details.filters");
    for (var i = 0; i < panels.length; i++) { panels[i].open = false; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    closeFiltersOnNarrowScreens();
    var buttons = document.querySelectorAll("button.copy-cite");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", onCopy);
    }
  });
})();
