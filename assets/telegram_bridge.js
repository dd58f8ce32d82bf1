// Bridges Telegram's native chrome (BackButton, MainButton, haptics, closing confirmation) to the page.
// Native buttons click hidden page buttons, so every action still goes through the normal Reflex events.
(function () {
  function webApp() { return window.Telegram && window.Telegram.WebApp; }
  function click(id) { var el = document.getElementById(id); if (el) el.click(); }
  var wired = false;
  function wire(w) {
    if (wired) return;
    wired = true;
    try { w.BackButton.onClick(function () { click("tg-back"); }); } catch (e) {}
    try { w.MainButton.onClick(function () { click("place-order"); }); } catch (e) {}
  }
  window.lunchTg = {
    sync: function (s) {
      var w = webApp();
      if (!w) return;
      wire(w);
      try { s.back ? w.BackButton.show() : w.BackButton.hide(); } catch (e) {}
      var native = !!(w.platform && w.platform !== "unknown" && w.initData);
      try {
        if (s.main && native) { w.MainButton.setText(s.main); w.MainButton.show(); } else { w.MainButton.hide(); }
      } catch (e) {}
      document.body.classList.toggle("tg-main", !!(s.main && native));
      try { s.confirmClose ? w.enableClosingConfirmation() : w.disableClosingConfirmation(); } catch (e) {}
    },
    haptic: function (kind) {
      var w = webApp();
      try {
        if (kind) w.HapticFeedback.notificationOccurred(kind); else w.HapticFeedback.impactOccurred("light");
      } catch (e) {}
    }
  };

  // Live cut-off countdown on the date strip. The server sends each open day's cut-off instant (data-cutoff, Unix ms)
  // and its own time (data-now on #days); the browser ticks locally, corrected by the server clock, so no server
  // event is sent per second. When a cut-off passes, #days-refresh asks the server for the strip once.
  var skew = 0, seenNow = null, fired = {};
  function fill(tpl, p) { return tpl.replace(/\{(\w+)\}/g, function (m, k) { return k in p ? p[k] : m; }); }
  function setText(el, text) {
    var n = el.firstChild;  // change React's own text node, so later renders keep working
    if (n && n.nodeType === 3 && !n.nextSibling) { if (n.nodeValue !== text) n.nodeValue = text; }
    else if (el.textContent !== text) el.textContent = text;
  }
  function tick() {
    var strip = document.getElementById("days");
    if (!strip) return;
    var now = Number(strip.dataset.now || 0);
    if (now && now !== seenNow) { seenNow = now; skew = now - Date.now(); }
    var clock = Date.now() + skew;
    var notes = strip.querySelectorAll("[data-cutoff]");
    for (var i = 0; i < notes.length; i++) {
      var el = notes[i], cutoff = Number(el.dataset.cutoff || 0);
      if (!cutoff) continue;
      var left = Math.floor((cutoff - clock) / 1000);
      if (left <= 0) {
        setText(el, strip.dataset.closed || "");
        if (!fired[cutoff]) {
          fired[cutoff] = true;  // once per cut-off; jitter spreads the users whose cut-off is the same instant
          setTimeout(function () { click("days-refresh"); }, Math.floor(Math.random() * 1500));
        }
      } else if (left < 6 * 3600) {
        var minutes = Math.ceil(left / 60), hours = Math.floor(minutes / 60);
        var format = !hours ? "" : minutes % 60 ? strip.dataset.fmtHours : strip.dataset.fmtWholeHours;
        setText(el, hours ? fill(format || "", { hours: hours, minutes: minutes % 60 })
                          : fill(strip.dataset.fmtMinutes || "", { minutes: minutes }));
      } else {
        setText(el, el.dataset.note || "");  // far from the cut-off: the server's "until HH:MM"
      }
    }
  }
  setInterval(tick, 1000);
})();
