"""The Mini App in every Telegram client, with Telegram's real telegram-web-app.js (npm @twa-dev/sdk, pinned).

Opened as the clients open it (tests/telegram_clients.py): the launch parameters in the URL hash, and the events
the app posts received by
- a native client (Android): `window.TelegramWebviewProxy`;
- Telegram Web / Desktop: the Mini App in an iframe posting to its parent page; the parent on the app's own site,
  and on another site (as web.telegram.org is) in a Chromium that denies third-party storage, where
  `sessionStorage` throws SecurityError (shown here to be so, and to break the app without the fallback).
Covered: sign-in; an order through the native MainButton (progress while placing, a second press ignored, an
error with progress hidden and the message shown); BackButton; theme changes; Telegram's header, background and
bottom bar colours on each screen; an older client (Bot API 6.0, 6.4) without console noise; every official theme
with the operating system in the other scheme (contrast of headings and hints measured: the WCAG 2 ratio from
computed styles; screenshots in artifacts/screenshots/telegram-*.png); the dashboard's date picker on a dark theme.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lunch_app import db
from lunch_app.models import Order, Role, User
from tests.app_fixtures import CHROMIUM, CHROMIUM_ARGS, chromium
from tests.miniapp_fixtures import (
    EMPLOYEE,
    LIMITED,
    SCREENSHOTS,
    MiniMenu,
    add_user,
    build_menu,
    init_data,
    miniapp_gemini,
    miniapp_url,
    reset_tables,
    telegram_script_url,
)
from tests.office_fixtures import office_in
from tests.telegram_clients import (
    DARK_THEMES,
    OFFICIAL_THEMES,
    TelegramSession,
    add_native_client,
    app_url,
    launch_params,
    open_native,
    open_web,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["chromium", "miniapp_gemini", "miniapp_url", "telegram_script_url"]

TIMEOUT = 30_000
PHONE = {"width": 390, "height": 844}
MANAGER = 9_100_000_001
REFLEX_TOKEN_KEY = "token"  # where Reflex's frontend keeps its client token (sessionStorage)
BACKDROP_ALPHA = 0.45  # .ma-backdrop in assets/miniapp.css: rgba(0, 0, 0, .45)
# Telegram's header and background have the page's colour (a[0]), its bottom bar the colour under it (a[1]).
CHROME_MATCHES = "s.header === a[0] && s.background === a[0] && s.bottom === a[1]"

PageFactory = Callable[..., Awaitable[Any]]


@pytest.fixture
async def menu(engine: object) -> MiniMenu:
    await reset_tables()
    return await build_menu()


@pytest.fixture
async def phone(chromium: Any) -> AsyncIterator[PageFactory]:
    """Makes phone-sized pages: `native=True` inside a native Telegram client; `color_scheme` is the OS's."""
    contexts: list[Any] = []

    async def make(*, native: bool, color_scheme: str = "light") -> Any:
        context = await chromium.new_context(
            viewport=PHONE, device_scale_factor=2, locale="ru-RU", color_scheme=color_scheme
        )
        contexts.append(context)
        if native:
            await add_native_client(context)
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def storage_denied(chromium: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """A page of a Chromium profile that blocks third-party cookies: the preference behind "Block third-party
    cookies" in chrome://settings/cookies (profile.cookie_controls_mode = 1). Chromium then also denies Web
    Storage to a cross-site iframe (window.sessionStorage throws SecurityError); same-site frames keep it."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": 1}}))
    context = await chromium.browser_type.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        device_scale_factor=2,
        locale="ru-RU",
    )
    try:
        page = context.pages[0] if context.pages else await context.new_page()
        page.set_default_timeout(TIMEOUT)
        yield page
    finally:
        await context.close()


# ------------------------------------------------------------------------------------------ helpers


async def wait_screen(frame: Any) -> str:
    await frame.wait_for_function(
        "() => { const r = document.querySelector('.ma-root'); return r && r.dataset.screen !== 'loading'; }"
    )
    return str(await frame.locator(".ma-root").get_attribute("data-screen"))


async def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)  # sheet and fade animations
    await page.screenshot(path=str(SCREENSHOTS / f"telegram-{name}.png"))


def rgb(color: str) -> tuple[float, float, float, float]:
    """A computed CSS colour (rgb()/rgba()/color(srgb ...)) or #rrggbb as (r, g, b, alpha), 0–255."""
    color = color.strip()
    if color.startswith("#"):
        return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16), 1.0)
    inner = color[color.index("(") + 1 : color.rindex(")")].replace(",", " ").replace("/", " ").split()
    if color.startswith("color("):
        r, g, b = (float(v) * 255 for v in inner[1:4])
        rest = inner[4:]
    else:
        r, g, b = (float(v) for v in inner[:3])
        rest = inner[3:]
    alpha = (float(rest[0][:-1]) / 100 if rest[0].endswith("%") else float(rest[0])) if rest else 1.0
    return (r, g, b, alpha)


def hex_of(color: tuple[float, ...]) -> str:
    """#rrggbb, each channel rounded half up as JavaScript's Math.round does (the bridge's own rounding)."""
    return "#" + "".join(f"{max(0, min(255, math.floor(c + 0.5))):02x}" for c in color[:3])


def over(top: tuple[float, ...], bottom: tuple[float, ...]) -> tuple[float, float, float, float]:
    """`top` (with its alpha) painted over the opaque `bottom`."""
    a = top[3]
    return (*(t * a + b * (1 - a) for t, b in zip(top[:3], bottom[:3], strict=True)), 1.0)


def luminance(color: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = []
    for value in color[:3]:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Text elements of a screen with their colour and the background layers under them (innermost first; a layer
# with a gradient lists each of its colours). Dimmed elements (opacity < 1: closed days, disabled buttons) are
# left out: WCAG exempts inactive controls.
TEXT_SAMPLES_JS = """(selectors) => {
  const colours = s => (s.match(/(?:rgba?|color)\\([^()]*\\)/g) || []);
  const out = [];
  for (const [role, selector] of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || !el.textContent.trim()) continue;
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
      if (opacity < 1) continue;
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        const gradient = colours(style.backgroundImage);
        if (gradient.length) layers.push(gradient);
        const background = style.backgroundColor;
        if (!/^rgba\\(0, 0, 0, 0\\)$/.test(background)) layers.push([background]);
        if (/^rgb\\(/.test(background) && !gradient.length) break;  // opaque: nothing below shows
      }
      out.push({role, selector, text: el.textContent.trim().slice(0, 40), color: getComputedStyle(el).color, layers});
    }
  }
  return out;
}"""
HEADINGS = [("heading", ".ma-h"), ("heading", ".ma-title"), ("heading", ".ma-sheet-title")]
HINTS = [
    ("hint", ".ma-row-sub"),
    ("hint", ".ma-row-desc"),
    ("hint", ".ma-subtitle"),
    ("hint", ".ma-muted"),
    ("hint", ".ma-day-wd"),
    ("hint", ".ma-combo-parts"),
    ("hint", ".ma-label"),
    ("hint", ".ma-tab:not(.on)"),
]
OTHER_TEXT = [
    ("text", ".ma-row-title"),
    ("text", ".ma-price"),
    ("text", ".ma-select"),
    ("accent", ".ma-day-note"),
    ("accent", ".ma-tab.on"),
    ("accent", ".ma-badge"),
    ("link", ".ma-link"),
    ("button", ".ma-btn:not(.secondary):not(.danger)"),
    ("button", ".ma-chip.on"),
]


async def text_contrasts(frame: Any, selectors: list[tuple[str, str]]) -> list[tuple[str, str, str, float]]:
    """(role, selector, text, worst contrast ratio) of every visible text element matching `selectors`."""
    samples = await frame.evaluate(TEXT_SAMPLES_JS, selectors)
    results = []
    for sample in samples:
        layers = [[rgb(c) for c in layer] for layer in sample["layers"]]
        worst = 21.0
        for picks in itertools.product(*layers):  # each combination of gradient stops
            background: tuple[float, ...] = (255.0, 255.0, 255.0, 1.0)
            for layer in reversed(picks):  # outermost first
                background = over(layer, background)
            worst = min(worst, contrast(over(rgb(sample["color"]), background), background))
        results.append((sample["role"], sample["selector"], sample["text"], round(worst, 2)))
    return results


async def painted(frame: Any, selector: str) -> str:
    return hex_of(rgb(await frame.evaluate(f"getComputedStyle(document.querySelector('{selector}')).backgroundColor")))


async def add_coffee(app: Any) -> None:
    await app.locator(".dish", has_text="Кофе").click()
    await app.locator("#dish-sheet").wait_for()
    await app.locator("#add-dish").click()
    await app.locator("#dish-sheet").wait_for(state="detached")


async def orders_of(tgid: int) -> list[Order]:
    async with db.session_scope() as session:
        return list((await session.execute(select(Order).where(Order.user_tgid == tgid))).scalars())  # type: ignore[arg-type]


async def order_through_telegram(session: TelegramSession, *, dark: str) -> None:
    """Sign-in, native colours, BackButton, an order through the MainButton (pressed twice), a theme change."""
    app = session.app
    assert await wait_screen(app) == "app"
    await app.locator(".dish").first.wait_for()
    events = [kind for kind, _ in await session.events()]
    assert "web_app_ready" in events and "web_app_expand" in events

    # Telegram's header and background take the page's colour, its bottom bar the tab bar's under it.
    page_colour, tabs_colour = await painted(app, "body"), await painted(app, ".ma-tabs")
    await session.wait_state(CHROME_MATCHES, [page_colour, tabs_colour])

    # A sheet dims the page: the header follows the backdrop; Telegram's BackButton closes it.
    await app.locator(".dish", has_text="Кофе").click()
    await app.locator("#dish-sheet").wait_for()
    dimmed = hex_of(over((0, 0, 0, BACKDROP_ALPHA), rgb(page_colour)))
    await session.wait_state("s.back && s.header === a", dimmed)
    await session.press("back")
    await app.locator("#dish-sheet").wait_for(state="detached")
    await session.wait_state("!s.back && s.header === a", page_colour)

    # In the cart: Telegram's MainButton places the order, the page's own button gives way to it.
    await add_coffee(app)
    await session.wait_state("s.main.is_visible && s.main.is_active && s.main.text.includes('2,50')")
    assert not await app.locator("#place-order").is_visible()
    assert (await session.state())["closingConfirmation"]
    before = len(await session.events())
    await session.press("main")
    await session.press("main")  # a second tap while placing
    await app.locator("#tab-orders").wait_for()
    await session.wait_state("!s.main.is_visible")
    setups = (await session.events())[before:]
    buttons = [data for kind, data in setups if kind == "web_app_setup_main_button"]
    placing = [i for i, b in enumerate(buttons) if b.get("is_progress_visible") and b.get("is_active") is False]
    hidden = [i for i, b in enumerate(buttons) if not b.get("is_visible")]
    assert placing and hidden and placing[0] < hidden[-1], buttons  # progress, inactive, from the press to the end
    assert ["web_app_trigger_haptic_feedback", {"type": "notification", "notification_type": "success"}] in setups
    orders = await orders_of(EMPLOYEE)
    assert len(orders) == 1 and orders[0].total == Decimal("2.50")

    # My orders is an inner screen: Telegram's BackButton returns to the menu.
    await session.wait_state("s.back")
    await session.press("back")
    await app.locator("#tab-order").wait_for()
    await session.wait_state("!s.back")

    # Telegram switches to a dark theme: the page, and Telegram's header and bars with it, follow at once.
    before_theme = await painted(app, "body")
    theme = OFFICIAL_THEMES[dark]
    await session.change_theme(theme)
    await app.wait_for_function("() => document.documentElement.dataset.tgScheme === 'dark'")
    page_colour = await painted(app, "body")
    assert page_colour == theme.get("secondary_bg_color", page_colour) != before_theme
    tabs_colour = await painted(app, ".ma-tabs")
    await session.wait_state(CHROME_MATCHES, [page_colour, tabs_colour])
    faint = [sample for sample in await text_contrasts(app, HEADINGS + HINTS) if sample[3] < 4.5]
    assert faint == [], faint


# ------------------------------------------------------------------------------------------ clients


async def test_android_sign_in_order_back_button_theme_and_colours(
    miniapp_url: str, phone: PageFactory, menu: MiniMenu
) -> None:
    await add_user(EMPLOYEE, "Анна Иванова")
    page = await phone(native=True)
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES["android-day"], platform="android")
    session = await open_native(page, app_url(miniapp_url, params))
    await order_through_telegram(session, dark="android-night")
    await shot(page, "android-after-theme-change")
    assert await page.evaluate("window.lunchMemoryStorage") == []  # the webview's own storage works


async def test_telegram_web_in_a_same_site_frame(
    miniapp_url: str, telegram_script_url: str, phone: PageFactory, menu: MiniMenu
) -> None:
    await add_user(EMPLOYEE, "Анна Иванова")
    page = await phone(native=False)
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES["weba-light"], platform="weba")
    session = await open_web(page, telegram_script_url, app_url(miniapp_url, params), cross_site=False)
    await order_through_telegram(session, dark="weba-dark")
    assert await session.app.evaluate("window.lunchMemoryStorage") == []


PROBE_STORAGE_JS = """() => {
  // A fresh frame of the app's own origin inside it: its window.sessionStorage is the browser's, untouched.
  const frame = document.createElement('iframe');
  document.body.appendChild(frame);
  try { frame.contentWindow.sessionStorage.getItem('x'); return 'allowed'; }
  catch (e) { return e.name; }
  finally { frame.remove(); }
}"""


async def test_telegram_web_cross_site_with_third_party_storage_denied(
    miniapp_url: str, telegram_script_url: str, storage_denied: Any, menu: MiniMenu
) -> None:
    """web.telegram.org frames the app from another site; this browser denies storage there."""
    await add_user(EMPLOYEE, "Анна Иванова")
    page = storage_denied
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES["desktop-day"], platform="weba")
    url = app_url(miniapp_url, params)

    # Without the fallback (its script not served) the frontend dies on the denied storage.
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    await page.route("**/storage_fallback.js", lambda route: route.abort())
    session = await open_web(page, telegram_script_url, url, cross_site=True)
    await session.app.get_by_text("Application Error").wait_for()
    assert any("SecurityError" in error and "Storage" in error for error in errors), errors
    assert await session.app.evaluate(PROBE_STORAGE_JS) == "SecurityError"
    await shot(page, "web-cross-site-without-fallback")
    await page.unroute("**/storage_fallback.js")

    session = await open_web(page, telegram_script_url, url, cross_site=True)
    assert await wait_screen(session.app) == "app"
    assert await session.app.evaluate(PROBE_STORAGE_JS) == "SecurityError"  # still denied by the browser
    assert await session.app.evaluate("window.lunchMemoryStorage") == ["sessionStorage", "localStorage"]
    token = await session.app.evaluate(f"sessionStorage.getItem('{REFLEX_TOKEN_KEY}')")
    assert token  # Reflex's client token, in the memory storage
    await order_through_telegram(session, dark="desktop-night")
    await shot(page, "web-cross-site")
    assert await session.app.evaluate(f"sessionStorage.getItem('{REFLEX_TOKEN_KEY}')") == token  # one session


async def test_same_site_frame_keeps_the_browsers_storage(
    miniapp_url: str, telegram_script_url: str, storage_denied: Any, menu: MiniMenu
) -> None:
    """Third-party storage denial touches only cross-site frames: same-site, the browser's storage is used."""
    await add_user(EMPLOYEE, "Анна Иванова")
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES["desktop-day"], platform="weba")
    session = await open_web(storage_denied, telegram_script_url, app_url(miniapp_url, params), cross_site=False)
    assert await wait_screen(session.app) == "app"
    assert await session.app.evaluate(PROBE_STORAGE_JS) == "allowed"
    assert await session.app.evaluate("window.lunchMemoryStorage") == []


@pytest.mark.parametrize("version", ["6.0", "6.4"])
async def test_an_older_client_works_without_console_noise(
    miniapp_url: str, phone: PageFactory, menu: MiniMenu, version: str
) -> None:
    """Bot API 6.0 has no BackButton, haptics, header colour or closing confirmation; 6.4 only header colour keys,
    no bottom bar colour. The app calls only what the client has, so Telegram's script warns about nothing."""
    await add_user(EMPLOYEE, "Анна Иванова")
    page = await phone(native=True)
    noise: list[str] = []
    page.on("console", lambda m: noise.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    page.on("pageerror", lambda error: noise.append(f"pageerror: {error}"))
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES["ios-day"], platform="ios", version=version)
    session = await open_native(page, app_url(miniapp_url, params))
    assert await wait_screen(session.app) == "app"
    await add_coffee(page)
    await session.wait_state("s.main.is_visible")
    await page.locator(".dish", has_text="Борщ").click()  # a sheet: where 6.1+ would show the BackButton
    await page.locator("#dish-sheet .ma-sheet-close").click()
    await session.wait_state("s.main.is_visible")
    await session.press("main")
    await page.locator("#tab-orders").wait_for()
    await page.wait_for_timeout(500)
    assert len(await orders_of(EMPLOYEE)) == 1
    assert noise == []

    events = await session.events()
    kinds = [kind for kind, _ in events]
    headers = [data for kind, data in events if kind == "web_app_set_header_color"]
    if version == "6.0":
        for unsupported in ("web_app_setup_back_button", "web_app_trigger_haptic_feedback"):
            assert unsupported not in kinds
        assert "web_app_setup_closing_behavior" not in kinds
        assert headers == [{"color_key": "bg_color"}]  # only Telegram's script's own default at start
    else:
        assert "web_app_setup_back_button" in kinds and "web_app_trigger_haptic_feedback" in kinds
        assert {"color_key": "secondary_bg_color"} in headers  # the page colour, as a theme key before 6.9
        bottoms = [data for kind, data in events if kind == "web_app_set_bottom_bar_color"]
        assert len(bottoms) == 1  # Telegram's script's own at start; setBottomBarColor needs 7.10


async def test_a_refused_order_hides_the_progress_and_shows_why(
    miniapp_url: str, phone: PageFactory, menu: MiniMenu
) -> None:
    await add_user(LIMITED, "Пётр Лимитов", limit="2.00")
    page = await phone(native=True)
    params = launch_params(init_data(LIMITED), theme=OFFICIAL_THEMES["ios-night"], platform="ios")
    session = await open_native(page, app_url(miniapp_url, params))
    assert await wait_screen(session.app) == "app"
    await add_coffee(page)  # 2.50 > the weekly limit of 2.00
    await session.wait_state("s.main.is_visible")
    before = len(await session.events())
    await session.press("main")
    await page.locator("#cart-error").wait_for()
    assert "недельный лимит" in (await page.locator("#cart-error").inner_text()).lower()
    assert await page.locator("#cart-error").is_visible()  # above the tab bar, though the page's button is hidden
    await session.wait_state("s.main.is_visible && s.main.is_active && !s.main.is_progress_visible")
    after = (await session.events())[before:]
    buttons = [data for kind, data in after if kind == "web_app_setup_main_button"]
    assert any(b.get("is_progress_visible") and b.get("is_active") is False for b in buttons)
    assert ["web_app_trigger_haptic_feedback", {"type": "notification", "notification_type": "error"}] in after
    assert await orders_of(LIMITED) == []
    assert await page.locator(".cart-line").count() == 1  # nothing lost
    await shot(page, "ios-night-refused")


# ------------------------------------------------------------------------------------------ themes


@pytest.mark.parametrize("name", list(OFFICIAL_THEMES))
async def test_official_theme_with_the_os_in_the_other_scheme(
    miniapp_url: str, phone: PageFactory, menu: MiniMenu, name: str
) -> None:
    """Telegram's theme wins over the OS; headings and hints (and the other text) read at 4.5:1 or more."""
    await add_user(EMPLOYEE, "Анна Иванова")
    dark = name in DARK_THEMES
    page = await phone(native=True, color_scheme="light" if dark else "dark")
    params = launch_params(init_data(EMPLOYEE), theme=OFFICIAL_THEMES[name], platform="android")
    session = await open_native(page, app_url(miniapp_url, params))
    assert await wait_screen(session.app) == "app"
    await page.locator(".dish").first.wait_for()
    assert await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is not dark
    assert await page.evaluate("document.documentElement.dataset.tgScheme") == ("dark" if dark else "light")
    assert await page.evaluate("getComputedStyle(document.documentElement).colorScheme") == (
        "dark" if dark else "light"
    )
    await shot(page, f"{name}-order")
    measured = await text_contrasts(page, HEADINGS + HINTS + OTHER_TEXT)
    await page.locator("#tab-button-profile").click()
    await page.locator("#week-text").wait_for()
    await shot(page, f"{name}-profile")
    measured += await text_contrasts(page, HEADINGS + HINTS + OTHER_TEXT)
    roles = {role for role, *_ in measured}
    assert {"heading", "hint", "text", "accent"} <= roles, roles
    faint = [sample for sample in measured if sample[3] < 4.5]
    assert faint == [], faint


async def test_dashboard_date_picker_on_a_dark_theme_with_the_os_light(
    miniapp_url: str, phone: PageFactory, menu: MiniMenu
) -> None:
    """The native date picker's icon is drawn for Telegram's dark scheme, not the OS's light one."""
    async with db.session_scope() as session:
        session.add(User(tgid=MANAGER, name="Мария Менеджер", office_id=await office_in(session), role=Role.manager))
    page = await phone(native=True, color_scheme="light")
    params = launch_params(
        init_data(MANAGER, first_name="Мария"), theme=OFFICIAL_THEMES["desktop-night"], platform="tdesktop"
    )
    await open_native(page, app_url(miniapp_url, params, path="/manager"))
    await page.wait_for_function("() => document.getElementById('dashboard')?.dataset.screen === 'app'")
    picker = page.locator("#today-day")
    await picker.wait_for()
    assert await picker.evaluate("el => getComputedStyle(el).colorScheme") == "dark"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "telegram-dashboard-desktop-night.png"))
    icon = await icon_brightness(page, picker)
    assert icon > 0.6, f"the calendar icon is dark on the dark field (brightest pixel {icon:.2f})"
    # The measure tells the two apart: in the OS's scheme (what Reflex sets) the icon is black.
    await page.evaluate("document.documentElement.removeAttribute('data-tg-scheme')")
    assert await icon_brightness(page, picker) < 0.35


async def icon_brightness(page: Any, field: Any) -> float:
    """The brightest pixel (relative luminance 0–1) of the field's right end, where the calendar icon is."""
    box = await field.bounding_box()
    png = await page.screenshot(
        clip={"x": box["x"] + box["width"] - 40, "y": box["y"] + 6, "width": 32, "height": box["height"] - 12}
    )
    return float(
        await page.evaluate(
            """async b64 => {
              const img = new Image(); img.src = 'data:image/png;base64,' + b64; await img.decode();
              const canvas = document.createElement('canvas'); canvas.width = img.width; canvas.height = img.height;
              const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
              const px = ctx.getImageData(0, 0, img.width, img.height).data;
              const lin = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
              let best = 0;
              for (let i = 0; i < px.length; i += 4)
                best = Math.max(best, 0.2126 * lin(px[i]) + 0.7152 * lin(px[i + 1]) + 0.0722 * lin(px[i + 2]));
              return best;
            }""",
            base64.b64encode(png).decode(),
        )
    )
