// Bridges Telegram's native chrome to the page: BackButton, MainButton (with its progress), haptics, closing
// confirmation, and the colours of Telegram's header, background and bottom bar.
// Native buttons click hidden page buttons, so every action still goes through the normal Reflex events.
// Each call is made only on clients whose Bot API version has it (`isVersionAtLeast`): an older client
// (tgWebAppVersion 6.0) keeps working with the page's own buttons and no warnings in the console.
(function () {
  function webApp() { return window.Telegram && window.Telegram.WebApp; }
  function click(id) { var el = document.getElementById(id); if (el) el.click(); }
  function has(w, version) {
    try { return typeof w.isVersionAtLeast === "function" && w.isVersionAtLeast(version); } catch (e) { return false; }
  }
  function inTelegram(w) { return !!(w && w.initData); }
  // A native client (not a plain browser given launch parameters): its MainButton replaces the page's own.
  function nativeClient(w) { return !!(w && w.platform && w.platform !== "unknown" && w.initData); }

  var wired = false;
  function wire(w) {
    if (wired) return;
    wired = true;
    if (has(w, "6.1")) try { w.BackButton.onClick(function () { click("tg-back"); }); } catch (e) {}
    try {
      w.MainButton.onClick(function () {
        // Progress at once, before the server answers: the button is inactive, so a second press is ignored.
        try { w.MainButton.showProgress(false); } catch (e) {}
        click("place-order");
      });
    } catch (e) {}
  }

  window.lunchTg = {
    // s: {back: bool, main: "" | button text, progress: bool (an order is being placed), confirmClose: bool}
    sync: function (s) {
      var w = webApp();
      if (!w) return;
      wire(w);
      if (has(w, "6.1")) try { s.back ? w.BackButton.show() : w.BackButton.hide(); } catch (e) {}
      var main = false;  // the native button is up: the page's own place button gives way
      if (s.main && nativeClient(w)) {
        try {
          w.MainButton.setParams({ text: s.main, is_visible: true });
          s.progress ? w.MainButton.showProgress(false) : w.MainButton.hideProgress();
          main = true;
        } catch (e) {}
      }
      if (!main) try { w.MainButton.hideProgress(); w.MainButton.hide(); } catch (e) {}
      document.body.classList.toggle("tg-main", main);
      if (has(w, "6.2")) {
        try { s.confirmClose ? w.enableClosingConfirmation() : w.disableClosingConfirmation(); } catch (e) {}
      }
    },
    haptic: function (kind) {
      var w = webApp();
      if (!w || !has(w, "6.1")) return;
      try {
        if (kind) w.HapticFeedback.notificationOccurred(kind); else w.HapticFeedback.impactOccurred("light");
      } catch (e) {}
    }
  };

  // Telegram's header, background and bottom bar take the colours the page shows next to them, on every
  // screen: the top and bottom rows of the viewport as painted (a sheet's dimmed backdrop included), and the
  // page background. Repainted after DOM changes, animations and theme changes; only changes are sent.
  var sent = {};
  function layerColor(el) {
    var style = getComputedStyle(el), rgb = window.lunchColor.parse(style.backgroundColor);
    if (!rgb) return null;
    rgb[3] *= parseFloat(style.opacity || "1");
    return rgb;
  }
  function paintedAt(y, fallback) {
    var x = Math.floor(window.innerWidth / 2), layers = [], stack = document.elementsFromPoint(x, y);
    for (var i = 0; i < stack.length; i++) {  // topmost first, down to the first opaque layer
      var rgb = layerColor(stack[i]);
      if (!rgb || rgb[3] <= 0) continue;
      layers.push(rgb);
      if (rgb[3] >= 1) break;
    }
    var color = window.lunchColor.parse(fallback) || [255, 255, 255, 1];
    for (var j = layers.length - 1; j >= 0; j--) {
      var a = layers[j][3];
      color = [0, 1, 2].map(function (k) { return layers[j][k] * a + color[k] * (1 - a); });
    }
    return window.lunchColor.hex(color);
  }
  function themeKey(w, color) {  // clients before 6.9 accept only the theme's own background keys
    var tp = w.themeParams || {}, keys = ["bg_color", "secondary_bg_color"].filter(function (k) { return tp[k]; });
    if (!keys.length) return null;
    function distance(k) {
      var a = window.lunchColor.parse(tp[k]), b = window.lunchColor.parse(color);
      return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
    }
    return keys.sort(function (a, b) { return distance(a) - distance(b); })[0];
  }
  function send(name, value, call) {
    if (!value || sent[name] === value) return;
    try { call(value); sent[name] = value; } catch (e) {}
  }
  function paintChrome() {
    var w = webApp();
    if (!inTelegram(w) || !document.body || !window.lunchColor) return;
    var body = window.lunchColor.parse(getComputedStyle(document.body).backgroundColor);
    var page = window.lunchColor.hex(body || [255, 255, 255]);
    var top = paintedAt(0, page), bottom = paintedAt(window.innerHeight - 1, page);
    if (has(w, "6.9")) send("header", top, function (c) { w.setHeaderColor(c); });
    else if (has(w, "6.1")) send("header", themeKey(w, top), function (k) { w.setHeaderColor(k); });
    if (has(w, "6.1")) send("background", page, function (c) { w.setBackgroundColor(c); });
    if (has(w, "7.10")) send("bottom", bottom, function (c) { w.setBottomBarColor(c); });
  }
  var scheduled = false;
  function schedulePaint() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; paintChrome(); });
  }
  function watch() {
    new MutationObserver(schedulePaint).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["class", "style", "data-screen", "data-tab"]
    });
    document.addEventListener("animationend", schedulePaint, true);
    document.addEventListener("transitionend", schedulePaint, true);
    window.addEventListener("resize", schedulePaint);
    schedulePaint();
  }
  document.addEventListener("lunch:theme", schedulePaint);
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);

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
