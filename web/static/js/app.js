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

// Scoring without the mouse (score form): j/k move between criteria, a number key chooses that
// level of the focused criterion, Ctrl+Enter finalises, "?" opens the help. Arrow keys and
// Tab are the browser's own radio-group behaviour. Each choice fires "change" so htmx autosaves.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.isContentEditable ||
      (el.tagName === "INPUT" && el.type !== "radio" && el.type !== "checkbox"));
  }
  function groups(form) { return Array.prototype.slice.call(form.querySelectorAll("[data-criterion]")); }
  function focusGroup(group) {
    if (!group) return;
    var radio = group.querySelector("input[type=radio]:checked") || group.querySelector("input[type=radio]");
    if (radio) radio.focus();
  }
  function choose(group, key) {
    var radios = Array.prototype.slice.call(group.querySelectorAll("input[type=radio]:not([disabled])"));
    var target = radios.filter(function (r) { return r.value === key; })[0] ||
      (key === "0" ? radios.filter(function (r) { return r.value === "10"; })[0] : null);
    if (!target) return false;
    target.checked = true;
    target.focus();
    target.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }
  document.addEventListener("keydown", function (e) {
    var form = document.querySelector("form[data-keyboard-score]");
    if (!form || e.altKey || e.metaKey) return;
    if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (e.ctrlKey || typing(e.target)) return;
    var help = document.getElementById("keyboard-help");
    if (e.key === "?" && help) { e.preventDefault(); help.open = !help.open; return; }
    var list = groups(form);
    var current = e.target.closest ? e.target.closest("[data-criterion]") : null;
    var index = list.indexOf(current);
    if (e.key === "j" || e.key === "k") {
      e.preventDefault();
      var next = index < 0 ? 0 : index + (e.key === "j" ? 1 : -1);
      focusGroup(list[Math.max(0, Math.min(list.length - 1, next))]);
      return;
    }
    if (/^[0-9]$/.test(e.key) && current && choose(current, e.key)) e.preventDefault();
  });
})();

// Autosave beside buttons that send the whole form (score form: "Finalise"; entry form: "Submit").
// The form's own request carries every field, and the server keeps them even when it refuses, so
// while it is on its way (or queued behind an autosave by hx-sync) no autosave is sent: one sent
// now could only arrive after it, against a scorecard already final or an entry already submitted.
(function () {
  "use strict";
  function formOf(el) { return el && el.closest ? el.closest("form[data-autosave-form]") : null; }
  document.addEventListener("htmx:confirm", function (e) {
    var form = formOf(e.target);
    if (!form) return;
    if (e.target === form) form.dataset.sending = "1";
    else if (form.dataset.sending) e.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = formOf(e.target);
    var leaving = e.detail && e.detail.xhr && e.detail.xhr.getResponseHeader("HX-Redirect");
    if (form && e.target === form && !leaving) delete form.dataset.sending;
  });
})();
