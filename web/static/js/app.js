// Small progressive enhancements; every page reads and works without this file.
(function () {
  "use strict";
  // Show each <time data-local> also in the viewer's own time zone.
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      if (el.dataset.done) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var span = document.createElement("span");
      span.className = "muted local-time";
      span.textContent = " (" + d.toLocaleString(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" }) + ")";
      el.after(span);
      el.dataset.done = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:afterSwap", function (e) { localise(e.target); });
})();
