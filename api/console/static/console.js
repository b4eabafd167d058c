// The console's few behaviours (the CSP allows no inline script): live countdowns and
// telling the presence poll what the person is doing.
(function () {
  "use strict";

  function words(seconds) {
    var units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    var parts = [];
    var rest = Math.abs(Math.trunc(seconds));
    for (var i = 0; i < units.length && parts.length < 2; i++) {
      var size = units[i][1];
      if (rest >= size || (units[i][0] === "s" && parts.length === 0)) {
        parts.push(Math.floor(rest / size) + units[i][0]);
        rest = rest % size;
      }
    }
    var text = parts.join(" ");
    return seconds < 0 ? text + " ago" : "in " + text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown").forEach(function (el) {
      if (el.dataset.static === "true") return;
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      el.textContent = words((due - now) / 1000);
      var state = el.dataset.state;
      if (state !== "pending" && state !== "warning" && state !== "breached") return;
      var warn = el.dataset.warn ? Date.parse(el.dataset.warn) : NaN;
      el.dataset.state = now >= due ? "breached" : (!isNaN(warn) && now >= warn ? "warning" : "pending");
    });
  }

  function writing(event) {
    var form = event.target.closest("form[data-action]");
    var field = document.getElementById("presence-activity");
    var presence = document.getElementById("presence");
    if (!form || !field || !presence) return;
    var activity = "writing:" + form.dataset.action;
    if (field.value !== activity) {
      field.value = activity;
      if (window.htmx) window.htmx.trigger(presence, "presence");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    document.addEventListener("input", writing);
  });
})();
