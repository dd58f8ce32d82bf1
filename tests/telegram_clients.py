"""Telegram's real Mini App script and the Telegram clients around it, for the browser tests.

The page loads Telegram's own `telegram-web-app.js`, the copy vendored in the npm package `@twa-dev/sdk`
(pinned below; installed from the npm registry on first use into artifacts/twa-sdk, so a fresh clone needs
nothing by hand) and served from a local port, where the app's `TELEGRAM_WEBAPP_SCRIPT_URL` points. The same
server serves the client's side of the protocol (tests/e2e/telegram_client.js) and a Telegram Web page that
frames the Mini App (tests/e2e/telegram_web.html).

A Mini App is opened as Telegram clients open one: its URL with the launch parameters in the hash, and
- `open_native`: a native client (Android, iOS, Desktop): `window.TelegramWebviewProxy` receives the events;
- `open_web`: Telegram Web: the Mini App in an iframe of a parent page of another site (as web.telegram.org)
  or of the app's own site, events over `postMessage`.
Either way the test gets a `TelegramSession`: the app's frame, and the client (events recorded, buttons pressed,
theme changed).
"""

from __future__ import annotations

import functools
import http.server
import json
import socketserver
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

TWA_SDK_VERSION = "8.0.2"
SDK_DIR = ROOT / "artifacts" / "twa-sdk"
SDK_PACKAGE = SDK_DIR / "node_modules" / "@twa-dev" / "sdk"
SDK_SCRIPT = SDK_PACKAGE / "src" / "telegram-web-apps.js"  # Telegram's telegram-web-app.js, as vendored
E2E_DIR = Path(__file__).resolve().parent / "e2e"
CLIENT_SCRIPT = E2E_DIR / "telegram_client.js"
WEB_PAGE = E2E_DIR / "telegram_web.html"
SCRIPT_NAME = "telegram-web-app.js"

# Official themes as the clients send them in tgWebAppThemeParams (their default day and night themes). Clients
# differ in the keys they send: Telegram Web A sends six, without section or secondary colours.
OFFICIAL_THEMES: dict[str, dict[str, str]] = {
    "ios-day": {
        "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#8e8e93", "link_color": "#007aff",
        "button_color": "#007aff", "button_text_color": "#ffffff", "secondary_bg_color": "#efeff4",
        "header_bg_color": "#f8f8f8", "accent_text_color": "#007aff", "section_bg_color": "#ffffff",
        "section_header_text_color": "#6d6d72", "subtitle_text_color": "#8e8e93", "destructive_text_color": "#ff3b30",
    },
    "ios-night": {
        "bg_color": "#000000", "text_color": "#ffffff", "hint_color": "#98989e", "link_color": "#3e88f7",
        "button_color": "#3e88f7", "button_text_color": "#ffffff", "secondary_bg_color": "#1c1c1d",
        "header_bg_color": "#1a1a1a", "accent_text_color": "#3e88f7", "section_bg_color": "#2c2c2e",
        "section_header_text_color": "#8d8e93", "subtitle_text_color": "#98989e", "destructive_text_color": "#eb5545",
    },
    "android-day": {
        "bg_color": "#ffffff", "section_bg_color": "#ffffff", "secondary_bg_color": "#f0f0f0",
        "text_color": "#222222", "hint_color": "#a8a8a8", "link_color": "#2678b6", "button_color": "#50a8eb",
        "button_text_color": "#ffffff", "header_bg_color": "#527da3", "accent_text_color": "#1c93e3",
        "section_header_text_color": "#3a95d5", "subtitle_text_color": "#82868a", "destructive_text_color": "#cc2929",
    },
    "android-night": {
        "bg_color": "#212d3b", "section_bg_color": "#1d2733", "secondary_bg_color": "#151e27",
        "text_color": "#ffffff", "hint_color": "#7d8b99", "link_color": "#5eabe1", "button_color": "#5eabe1",
        "button_text_color": "#ffffff", "header_bg_color": "#242d39", "accent_text_color": "#64b5ef",
        "section_header_text_color": "#79c4fc", "subtitle_text_color": "#7e8b99", "destructive_text_color": "#ee686f",
    },
    "desktop-day": {
        "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999", "link_color": "#168acd",
        "button_color": "#40a7e3", "button_text_color": "#ffffff", "secondary_bg_color": "#f1f1f1",
        "header_bg_color": "#ffffff", "accent_text_color": "#168acd", "section_bg_color": "#ffffff",
        "section_header_text_color": "#168acd", "subtitle_text_color": "#999999", "destructive_text_color": "#d14e4e",
    },
    "desktop-night": {
        "bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "link_color": "#6ab3f3",
        "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c",
        "header_bg_color": "#17212b", "accent_text_color": "#6ab2f2", "section_bg_color": "#17212b",
        "section_header_text_color": "#6ab3f3", "subtitle_text_color": "#708499", "destructive_text_color": "#ec3942",
    },
    "weba-light": {
        "bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
        "button_color": "#3390ec", "button_text_color": "#ffffff",
    },
    "weba-dark": {
        "bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
        "button_color": "#8774e1", "button_text_color": "#ffffff",
    },
}  # fmt: skip
DARK_THEMES = frozenset({"ios-night", "android-night", "desktop-night", "weba-dark"})

_install_lock = threading.Lock()


def telegram_sdk_script() -> Path:
    """Telegram's script from `@twa-dev/sdk` at TWA_SDK_VERSION, installed with npm when it is not there yet."""
    with _install_lock:
        manifest = SDK_PACKAGE / "package.json"
        installed = json.loads(manifest.read_text())["version"] if manifest.is_file() else None
        if installed != TWA_SDK_VERSION or not SDK_SCRIPT.is_file():
            SDK_DIR.mkdir(parents=True, exist_ok=True)
            command = (
                'source scripts/env.sh && exec npm install --prefix "$0" --no-save --omit=peer --no-audit --no-fund'
                f' "@twa-dev/sdk@{TWA_SDK_VERSION}"'
            )
            result = subprocess.run(
                ["bash", "-c", command, str(SDK_DIR)], cwd=ROOT, capture_output=True, text=True, timeout=300
            )
            if result.returncode != 0 or not SDK_SCRIPT.is_file():
                failure = f"{result.stdout}\n{result.stderr}"
                raise RuntimeError(f"npm install @twa-dev/sdk@{TWA_SDK_VERSION} failed:\n{failure}")
    return SDK_SCRIPT


class _Files(http.server.SimpleHTTPRequestHandler):
    """Serves Telegram's script, the client and the Telegram Web page, nothing else."""

    routes: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        name = urllib.parse.urlsplit(path).path.lstrip("/")
        return str(self.routes.get(name, E2E_DIR / "__missing__"))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def _handler() -> type[_Files]:
    routes = {SCRIPT_NAME: telegram_sdk_script(), CLIENT_SCRIPT.name: CLIENT_SCRIPT, WEB_PAGE.name: WEB_PAGE}
    return type("TelegramFiles", (_Files,), {"routes": routes})


def serve_telegram_files() -> Iterator[str]:
    """A local server for the files above; yields the URL of Telegram's script on it (at 127.0.0.1)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{SCRIPT_NAME}"
    finally:
        server.shutdown()
        server.server_close()


def launch_params(
    data: str, *, theme: dict[str, str], platform: str | None = None, version: str = "8.0"
) -> dict[str, str]:
    """The launch parameters a Telegram client puts in the Mini App URL's hash."""
    params = {"tgWebAppData": data, "tgWebAppThemeParams": json.dumps(theme), "tgWebAppVersion": version}
    if platform is not None:
        params["tgWebAppPlatform"] = platform
    return params


def app_url(base_url: str, params: dict[str, str], path: str = "/") -> str:
    return f"{base_url}{path}#{urllib.parse.urlencode(params)}"


# A native client: the webview proxy Telegram injects, wired to the client; its answers go to receiveEvent.
NATIVE_PROXY = """(() => {
  const client = window.__tgClient = new TelegramClient(
    (type, data) => window.Telegram.WebView.receiveEvent(type, data), TelegramClient.themeFromHash(location.hash));
  window.TelegramWebviewProxy = { postEvent: (type, json) => client.handle(type, json ? JSON.parse(json) : null) };
})()"""


async def add_native_client(context: Any) -> None:
    """Every page of `context` opens as inside a native Telegram client (Android, iOS, Desktop)."""
    await context.add_init_script(path=str(CLIENT_SCRIPT))
    await context.add_init_script(script=NATIVE_PROXY)


@dataclass
class TelegramSession:
    """An open Mini App: `app` is its frame (for locators and scripts), `client` the frame with the Telegram
    client (`window.__tgClient`): the app's own page for native clients, the parent page for Telegram Web."""

    page: Any
    app: Any
    client: Any

    async def events(self, name: str | None = None) -> list[Any]:
        """Events the app posted (each [type, data]), or the data of those named `name`."""
        events = await self.client.evaluate("window.__tgClient.events")
        return [data for kind, data in events if kind == name] if name else list(events)

    async def state(self) -> dict[str, Any]:
        return dict(await self.client.evaluate("window.__tgClient.state"))

    async def press(self, button: str) -> None:
        await self.client.evaluate("b => window.__tgClient.press(b)", button)

    async def change_theme(self, theme: dict[str, str]) -> None:
        await self.client.evaluate("t => window.__tgClient.changeTheme(t)", theme)

    async def wait_state(self, expression: str, arg: Any = None) -> None:
        """Waits until `expression` (JS, `s` is the client's state, `a` the argument) holds."""
        script = f"a => {{ const s = window.__tgClient.state; return {expression}; }}"
        await self.client.wait_for_function(script, arg=arg)


async def open_native(page: Any, url: str) -> TelegramSession:
    """Opens `url` in a page whose context has `add_native_client`."""
    await page.goto("about:blank")  # a hash-only change would not reload the app
    await page.goto(url)
    return TelegramSession(page=page, app=page.main_frame, client=page.main_frame)


def web_parent_url(script_url: str, url: str, *, cross_site: bool) -> str:
    """Telegram Web's page framing `url`: on another site (localhost, the app being at 127.0.0.1) or the same."""
    origin = script_url.rsplit("/", 1)[0]
    if cross_site:
        origin = origin.replace("//127.0.0.1:", "//localhost:")
    return f"{origin}/{WEB_PAGE.name}#{urllib.parse.quote(url, safe='')}"


async def open_web(page: Any, script_url: str, url: str, *, cross_site: bool) -> TelegramSession:
    await page.goto("about:blank")
    await page.goto(web_parent_url(script_url, url, cross_site=cross_site))
    frame = await (await page.wait_for_selector("#mini-app")).content_frame()
    return TelegramSession(page=page, app=frame, client=page.main_frame)
