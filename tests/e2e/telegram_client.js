// The Telegram client's side of the Mini App protocol, for browser tests. The page runs Telegram's real
// telegram-web-app.js (from the npm package @twa-dev/sdk); this plays the app around it, as the clients do:
//   - native clients (Android, iOS, Desktop) inject window.TelegramWebviewProxy; the script posts each event
//     to its postEvent(type, jsonString) and the client answers with Telegram.WebView.receiveEvent(type, data);
//   - Telegram Web opens the Mini App in an iframe: the script posts {eventType, eventData} JSON strings to the
//     parent window, and the parent answers with the same shape posted into the iframe (telegram_web.html).
// The client records every event, keeps what the user would see (the MainButton and BackButton as set up, the
// header, background and bottom bar colours, closing confirmation), answers theme and viewport requests, and
// lets a test press the native buttons or change the theme. `new TelegramClient(deliver, theme)`, where
// deliver(type, data) hands an event to the Mini App.
(function () {
  function TelegramClient(deliver, theme) {
    this.deliver = deliver;
    this.theme = theme || {};
    this.events = [];
    this.state = {
      main: { is_visible: false }, back: false, header: null, background: null, bottom: null,
      closingConfirmation: false, ready: false
    };
  }
  TelegramClient.prototype.handle = function (type, data) {
    this.events.push([type, data === undefined ? null : data]);
    var st = this.state;
    data = data || {};
    switch (type) {
      case "web_app_ready": st.ready = true; break;
      case "web_app_setup_main_button": st.main = data; break;
      case "web_app_setup_back_button": st.back = !!data.is_visible; break;
      case "web_app_set_header_color": st.header = data.color || data.color_key || null; break;
      case "web_app_set_background_color": st.background = data.color || null; break;
      case "web_app_set_bottom_bar_color": st.bottom = data.color || null; break;
      case "web_app_setup_closing_behavior": st.closingConfirmation = !!data.need_confirmation; break;
      case "web_app_request_theme": this.send("theme_changed", { theme_params: this.theme }); break;
      case "web_app_request_viewport":
        this.send("viewport_changed", {
          height: window.innerHeight, width: window.innerWidth, is_expanded: true, is_state_stable: true
        });
        break;
    }
  };
  TelegramClient.prototype.send = function (type, data) {  // asynchronously, as a client answers
    var deliver = this.deliver;
    setTimeout(function () { deliver(type, data === undefined ? null : data); }, 0);
  };
  TelegramClient.prototype.press = function (button) {  // "main" | "back"
    this.send(button === "back" ? "back_button_pressed" : "main_button_pressed");
  };
  TelegramClient.prototype.changeTheme = function (theme) {
    this.theme = theme;
    this.send("theme_changed", { theme_params: theme });
  };
  TelegramClient.themeFromHash = function (hash) {
    var params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    try { return JSON.parse(params.get("tgWebAppThemeParams") || "{}"); } catch (e) { return {}; }
  };
  window.TelegramClient = TelegramClient;
})();
