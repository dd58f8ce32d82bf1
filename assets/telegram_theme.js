// The page's palette from the theme Telegram sends, loaded right after Telegram's telegram-web-app.js.
//
// Telegram gives the theme as `themeParams` (the --tg-theme-* CSS variables) and `colorScheme`; clients send
// different subsets of the keys (Telegram Web A sends six, older clients lack section_header_text_color,
// accent_text_color, secondary_bg_color ...). Every colour the page uses is an --app-* variable: here each is
// taken from the key Telegram sent or, when it is missing, derived from the keys present and from Telegram's
// own colour scheme, never from the operating system's light/dark setting (the OS may be light while Telegram
// is dark). Text colours are then made legible: each keeps at least WCAG AA contrast (4.5:1) on the page and on
// the cards, moved toward black or white just as far as needed (official themes ship hints at ~3:1).
//
// <html data-tg-scheme="light|dark"> says which scheme the palette follows; miniapp.css keys its static
// fallbacks and the native controls' `color-scheme` (date pickers, scrollbars) on it. Outside Telegram (no
// theme) the attribute is absent and the CSS follows the OS. The palette follows `themeChanged`, and then
// fires "lunch:theme" on document (the bridge repaints Telegram's header and bars).
// `window.lunchColor` shares the colour arithmetic with telegram_bridge.js.
(function () {
  var MIN_CONTRAST = 4.5;
  var TINT = 0.14;  // the strongest tint of a colour behind text in miniapp.css/dashboard.css (badges, pills)
  var OK_TINT = "#34c759";  // the green behind "sent"/"confirmed" statuses
  var BASE = {  // a scheme's colours for keys a client left out
    light: { bg: "#ffffff", text: "#000000", link: "#2481cc", danger: "#e53935", ok: "#2e9e4f" },
    dark: { bg: "#17212b", text: "#f5f5f5", link: "#6ab3f3", danger: "#ec3942", ok: "#4cd964" }
  };
  var ROLES = ["bg", "card", "text", "hint", "link", "accent", "header", "danger", "ok", "button", "button-text"];

  function parse(value) {  // "#rgb", "#rrggbb", "rgb(a)(...)", "color(srgb r g b / a)" → [r, g, b, a] (0-255, a 0-1)
    var s = String(value || "").trim(), m;
    if ((m = /^#([0-9a-f]{3})$/i.exec(s))) s = "#" + m[1].replace(/./g, "$&$&");
    if ((m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s))) {
      return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), 1];
    }
    if ((m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/i.exec(s))) {
      return [+m[1], +m[2], +m[3], alpha(m[4])];
    }
    if ((m = /^color\(srgb\s+([-\d.e]+)\s+([-\d.e]+)\s+([-\d.e]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/i.exec(s))) {
      return [m[1] * 255, m[2] * 255, m[3] * 255, alpha(m[4])];
    }
    return null;
  }
  function alpha(text) {
    if (text === undefined) return 1;
    return /%$/.test(text) ? parseFloat(text) / 100 : parseFloat(text);
  }
  function hex(rgb) {
    return "#" + rgb.slice(0, 3).map(function (v) {
      var c = Math.max(0, Math.min(255, Math.round(v)));
      return (c < 16 ? "0" : "") + c.toString(16);
    }).join("");
  }
  function mix(a, b, t) {  // a toward b by t (0..1), in sRGB like CSS color-mix(in srgb, ...)
    var x = parse(a), y = parse(b);
    return hex([0, 1, 2].map(function (i) { return x[i] + (y[i] - x[i]) * t; }));
  }
  function luminance(color) {  // WCAG 2.x relative luminance
    var c = parse(color).slice(0, 3).map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function worst(color, surfaces) {
    return Math.min.apply(null, surfaces.map(function (s) { return contrast(color, s); }));
  }
  function legible(color, surfaces, tinted) {
    // The colour itself when it reads well on every surface; else the least step toward black or white that does.
    // `tinted`: it is also shown on pills of its own colour (color-mix of it at up to TINT over a surface).
    var away = worst("#ffffff", surfaces) >= worst("#000000", surfaces) ? "#ffffff" : "#000000";
    for (var step = 0; step <= 40; step++) {
      var candidate = mix(color, away, step / 40), under = surfaces;
      if (tinted) under = surfaces.concat(surfaces.map(function (s) { return mix(s, candidate, TINT); }));
      if (worst(candidate, under) >= MIN_CONTRAST) return candidate;
    }
    return away;
  }
  function clean(theme) {  // only the keys that are valid colours, as #rrggbb
    var out = {};
    for (var key in theme || {}) {
      var rgb = parse(theme[key]);
      if (rgb) out[key] = hex(rgb);
    }
    return out;
  }

  // The palette for a theme as Telegram sent it (keys may be missing) and its colour scheme.
  function palette(sent, scheme) {
    var tp = clean(sent), base = BASE[scheme];
    var bg = tp.bg_color || base.bg;
    var text = tp.text_color || (contrast(base.text, bg) >= MIN_CONTRAST ? base.text : legible(base.text, [bg]));
    // Cards sit on the page; the page is the secondary background (slightly off the main one when not sent).
    var card = tp.section_bg_color || bg;
    var page = tp.secondary_bg_color || (scheme === "light" ? mix(bg, text, 0.05)
      : luminance(bg) > 0.01 ? mix(bg, "#000000", 0.4) : mix(bg, text, 0.1));
    var surfaces = [page, card];
    var link = tp.link_color || tp.accent_text_color || tp.button_color || base.link;
    var accent = tp.accent_text_color || link;
    var button = tp.button_color || link;
    var buttonText = tp.button_text_color
      || (contrast("#ffffff", button) >= contrast("#000000", button) ? "#ffffff" : "#000000");
    return {
      bg: page,
      card: card,
      text: legible(text, surfaces),
      hint: legible(tp.hint_color || tp.subtitle_text_color || mix(text, bg, 0.45), surfaces, true),
      // Links also sit on button-tinted pills (secondary buttons, "placed" statuses).
      link: legible(link, surfaces.concat(surfaces.map(function (s) { return mix(s, button, TINT); })), true),
      accent: legible(accent, surfaces, true),
      header: legible(tp.section_header_text_color || accent, surfaces),
      danger: legible(tp.destructive_text_color || base.danger, surfaces, true),
      ok: legible(base.ok, surfaces.concat(surfaces.map(function (s) { return mix(s, OK_TINT, TINT); }))),
      // A button's label reads on it: where the pair is too faint the button colour gives way, not the label.
      button: legible(button, [buttonText]),
      "button-text": buttonText
    };
  }

  var root = document.documentElement;
  function apply() {
    var w = window.Telegram && window.Telegram.WebApp;
    var sent = (w && w.themeParams) || {};
    if (!Object.keys(clean(sent)).length) {  // no Telegram theme (a plain browser): the CSS follows the OS
      root.removeAttribute("data-tg-scheme");
      ROLES.forEach(function (role) { root.style.removeProperty("--app-" + role); });
    } else {
      // Telegram derives colorScheme from bg_color; without it, the theme's text colour tells (light text: dark).
      var tp = clean(sent), scheme = w.colorScheme === "dark" ? "dark" : "light";
      if (!tp.bg_color) scheme = luminance(tp.text_color || "#000000") > 0.5 ? "dark" : "light";
      var p = palette(sent, scheme);
      root.setAttribute("data-tg-scheme", scheme);
      ROLES.forEach(function (role) { root.style.setProperty("--app-" + role, p[role]); });
    }
    try { document.dispatchEvent(new Event("lunch:theme")); } catch (e) {}
  }

  window.lunchColor = { parse: parse, hex: hex, mix: mix, contrast: contrast, palette: palette };
  apply();
  var w = window.Telegram && window.Telegram.WebApp;
  if (w && w.onEvent) w.onEvent("themeChanged", apply);
})();
