// Akiba: what HTML alone cannot do. Live alerts on the dashboard; counting shortcuts.
"use strict";
(function () {
  var box = document.getElementById("alerts");
  if (box && window.EventSource) {
    var status = document.getElementById("live-status");
    var busy = false;
    var source = new EventSource(box.dataset.live);
    source.addEventListener("alerts", function () {
      if (busy) return;
      busy = true;
      fetch(box.dataset.fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { if (!r.ok || r.redirected) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          box.innerHTML = html;
          box.dataset.version = String(Date.now());
          if (status) status.textContent = status.dataset.message;
        })
        .catch(function () { /* the next event or a reload shows them */ })
        .finally(function () { busy = false; });
    });
  }
  // Count list: Enter moves to the next count (a tablet's numeric keyboard has no Tab).
  var counts = document.querySelectorAll("input.count");
  counts.forEach(function (input, i) {
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      var next = counts[i + 1];
      if (next) { e.preventDefault(); next.focus(); next.select(); }
    });
  });
})();
