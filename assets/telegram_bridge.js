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
})();
