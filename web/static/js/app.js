// Small progressive enhancements; every page reads and works without this file.
(function () {
  "use strict";
  var lang = function () { return document.documentElement.lang || undefined; };
  var browserZone = function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  };
  var fmt = function (d, zone) {
    return d.toLocaleString(lang(), { dateStyle: "medium", timeStyle: "short", timeZone: zone });
  };
  // "Shanghai, UTC+8", as the server names zones (it uses the city in the page's language)
  var zoneLabel = function (d, zone) {
    if (zone === "UTC" || zone === "Etc/UTC") return "UTC";
    var offset = "";
    try {
      var part = new Intl.DateTimeFormat("en", { timeZone: zone, timeZoneName: "shortOffset" })
        .formatToParts(d).filter(function (p) { return p.type === "timeZoneName"; })[0];
      offset = part ? part.value.replace("GMT", "UTC").replace("-", "\u2212") : "";
    } catch (e) { offset = ""; }
    if (offset === "UTC") offset = "UTC+0";
    var city = zone.split("/").pop().replace(/_/g, " ");
    return offset ? city + ", " + offset : city;
  };

  // The server shows times in the viewer's zone once it knows it: tell it the browser's.
  function rememberZone() {
    var zone = browserZone();
    if (!zone || document.cookie.indexOf("kaizen_tz=" + encodeURIComponent(zone)) !== -1) return;
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "kaizen_tz=" + encodeURIComponent(zone) + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  // Until then, each <time data-local> also shows the viewer's time where their zone differs.
  function localise(root) {
    var zone = browserZone();
    if (!zone) return;
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      if (el.dataset.done || el.dataset.zone === zone) return;
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var span = document.createElement("span");
      span.className = "viewer-time";
      var label = el.dataset.label || "{time}";
      span.textContent = " · " + label.replace("{time}", fmt(d, zone) + " (" + zoneLabel(d, zone) + ")");
      el.after(span);
      el.dataset.done = "1";
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

  // The account page's "use my browser's time zone" names the zone the browser reports.
  function browserZoneChoice(root) {
    var zone = browserZone();
    if (!zone) return;
    root.querySelectorAll("option[data-browser-zone]").forEach(function (el) {
      el.textContent = el.dataset.browserZone.replace("{zone}", zone);
    });
  }

  function enhance(root) { localise(root); browserZoneChoice(root); tick(); }
  document.addEventListener("DOMContentLoaded", function () {
    rememberZone();
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

// The entry form's autosave never loses text. A save that the connection or the server (5xx)
// failed is tried again with growing delays, and the saved-state area (#save-status, whose
// translated texts the page renders as data attributes) says so; after the last try it tells the
// member that the text is still there to copy or save by hand. A save refused because a teammate
// saved a newer version (409 with X-Entry-Conflict) is never retried: the answer shows what they
// changed, and autosave pauses until the member, having merged, saves by hand.
(function () {
  "use strict";
  var DELAYS = [2000, 5000, 10000, 20000];
  var tries = 0, timer = null;
  function entryForm(el) {
    var form = el && el.closest ? el.closest("form[data-autosave-form]") : null;
    return form && form.querySelector("fieldset.entry-fields") ? form : null;
  }
  function isAutosave(el) { return el && el.matches && el.matches("fieldset.entry-fields"); }
  function say(key) {
    var el = document.getElementById("save-status");
    if (el && el.dataset[key]) el.textContent = el.dataset[key];
  }
  document.addEventListener("htmx:confirm", function (e) {
    var form = entryForm(e.target);
    if (form && isAutosave(e.target) && form.dataset.conflict) e.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = entryForm(e.target);
    var xhr = e.detail && e.detail.xhr;
    if (!form || !xhr || (e.target !== form && !isAutosave(e.target))) return;
    var status = xhr.status;
    if (status === 0 || status >= 500) {
      if (isAutosave(e.target) && tries < DELAYS.length) {
        say("retrying");
        window.clearTimeout(timer);
        var fieldset = e.target;
        timer = window.setTimeout(function () { window.htmx.trigger(fieldset, "autosave-retry"); }, DELAYS[tries]);
        tries += 1;
      } else {
        tries = 0;
        say("failed");
      }
      return;
    }
    tries = 0;
    window.clearTimeout(timer);
    if (status === 409 && xhr.getResponseHeader("X-Entry-Conflict")) form.dataset.conflict = "1";
    else if (e.target === form) delete form.dataset.conflict;
  });
})();

// A "Print" button (dashboard report, innovation record): the browser's print dialog, which also
// saves as PDF; the print stylesheet (css/print.css) lays the page out for paper.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    if (e.target && e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();
