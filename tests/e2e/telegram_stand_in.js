// A stand-in for https://telegram.org/js/telegram-web-app.js in browser tests.
// Like the real script it reads the launch parameters from the URL hash (#tgWebAppData=...&tgWebAppThemeParams=...),
// exposes window.Telegram.WebApp, and sets the --tg-theme-* CSS variables. Calls are recorded in window.__tgCalls.
(function () {
  var params = new URLSearchParams((location.hash || "").replace(/^#/, ""));
  var theme = {};
  try { theme = JSON.parse(params.get("tgWebAppThemeParams") || "{}"); } catch (e) {}
  var calls = (window.__tgCalls = []);
  function rec(name) { return function () { calls.push([name].concat([].slice.call(arguments))); }; }
  var root = document.documentElement;
  Object.keys(theme).forEach(function (key) {
    root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
  });
  var scheme = params.get("tgWebAppColorScheme") || "light";
  root.style.setProperty("--tg-color-scheme", scheme);
  function button(name) {
    return {
      isVisible: false, text: "",
      show: function () { this.isVisible = true; calls.push([name + ".show"]); return this; },
      hide: function () { this.isVisible = false; calls.push([name + ".hide"]); return this; },
      setText: function (t) { this.text = t; calls.push([name + ".setText", t]); return this; },
      onClick: function (f) { this["_click"] = f; calls.push([name + ".onClick"]); return this; },
      offClick: rec(name + ".offClick"),
    };
  }
  window.Telegram = {
    WebApp: {
      initData: params.get("tgWebAppData") || "",
      initDataUnsafe: {},
      platform: params.get("tgWebAppPlatform") || "unknown",
      colorScheme: scheme,
      themeParams: theme,
      version: "8.0",
      ready: rec("ready"),
      expand: rec("expand"),
      close: rec("close"),
      enableClosingConfirmation: rec("enableClosingConfirmation"),
      disableClosingConfirmation: rec("disableClosingConfirmation"),
      BackButton: button("BackButton"),
      MainButton: button("MainButton"),
      HapticFeedback: {
        impactOccurred: rec("HapticFeedback.impactOccurred"),
        notificationOccurred: rec("HapticFeedback.notificationOccurred"),
        selectionChanged: rec("HapticFeedback.selectionChanged"),
      },
    },
  };
})();
