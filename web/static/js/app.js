// Small progressive enhancements; every page reads and works without this file.
(function () {
  "use strict";
  var lang = function () { return document.documentElement.lang || undefined; };
  var browserZone = function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  };
  var fmt = function (d) { return d.toLocaleString(lang(), { dateStyle: "medium", timeStyle: "short" }); };

  // Show each <time data-local> also in the viewer's own time zone (deadlines do it their own way).
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      if (el.dataset.done || el.closest(".deadline")) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var span = document.createElement("span");
      span.className = "muted local-time";
      span.textContent = " (" + fmt(d) + ")";
      el.after(span);
      el.dataset.done = "1";
    });
  }

  // A deadline without a saved zone for the viewer: show it in the browser's zone, when that differs.
  function viewerZones(root) {
    var zone = browserZone();
    root.querySelectorAll(".deadline-viewer[data-label][hidden]").forEach(function (el) {
      var box = el.closest(".deadline");
      var time = box && box.querySelector("time[datetime]");
      if (!zone || !time || box.dataset.zone === zone) return;
      var d = new Date(time.getAttribute("datetime"));
      if (isNaN(d)) return;
      el.textContent = el.dataset.label.replace("{time}", fmt(d)) + " ";
      var name = document.createElement("span");
      name.className = "deadline-zone";
      name.textContent = zone;
      el.appendChild(name);
      el.hidden = false;
    });
  }

  // Live countdowns: "closes in 2 d 3 h", then the past label once the moment has come.
  function left(el, seconds) {
    var unit = function (key, n) { return (el.dataset[key] || "{n}").replace("{n}", String(n)); };
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (d) return unit("d", d) + " " + unit("h", h);
    if (h) return unit("h", h) + " " + unit("m", m);
    if (m) return unit("m", m) + " " + unit("s", s);
    return unit("s", s);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-until]").forEach(function (el) {
      var until = Date.parse(el.dataset.until);
      if (isNaN(until)) return;
      var seconds = Math.floor((until - now) / 1000);
      var text = seconds > 0 ? (el.dataset.future || "{left}").replace("{left}", left(el, seconds)) : (el.dataset.past || "");
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("countdown-past", seconds <= 0);
      el.classList.toggle("countdown-soon", seconds > 0 && seconds < 3600);
    });
  }

  function enhance(root) { localise(root); viewerZones(root); tick(); }
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
})();
