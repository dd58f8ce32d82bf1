"""Demo sign-in in a plain browser (DEMO_MODE), headless Chromium at 390×844.

With DEMO_MODE on (`seeded_app`: the demo data, as scripts/run.sh starts it) the Mini App opened without
Telegram's launch data shows a picker of the active users in the database; tapping one signs in as that user.
The manager dashboard (`/manager`) likewise shows a picker of the active managers; tapping one opens the Today
tab as that manager. With DEMO_MODE off (`miniapp_url`) the same browser gets the "open it from the bot" page
and no picker. That a hand-sent `demo_sign_in` is refused when DEMO_MODE is off (and, on the dashboard, for
anyone but an active manager) is checked on the states themselves in tests/integration/test_miniapp_events.py
and tests/integration/test_dashboard_events.py.

DEMO_MODE is read once per app process, so each setting is its own running app; both fixtures are the
session-wide apps the other browser tests use already, so this module starts none of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from lunch_app.demo_data import PEOPLE
from lunch_app.i18n import format_money
from lunch_app.models import Role
from lunch_app.settings import get_settings
from tests.app_fixtures import SCREENSHOTS, AppServer, chromium, seeded_app
from tests.miniapp_fixtures import (
    EMPLOYEE,
    add_user,
    miniapp_gemini,
    miniapp_url,
    reset_tables,
    telegram_script_url,
)
from tests.telegram_clients import telegram_sdk_script

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]  # may be the first to build the app
__all__ = ["chromium", "miniapp_gemini", "miniapp_url", "seeded_app", "telegram_script_url"]

TIMEOUT = 30_000
TELEGRAM_SCRIPTS = "https://telegram.org/js/**"


@pytest.fixture
async def browser_page(chromium: Any) -> AsyncIterator[Any]:
    """A phone-sized page of a plain browser: Telegram's script loads, but there is no launch data in the URL."""
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="ru-RU")
    # No internet here: the seeded app's default, telegram.org's script, is answered with the same script from npm.
    script = str(telegram_sdk_script())
    await context.route(TELEGRAM_SCRIPTS, lambda route: route.fulfill(path=script, content_type="text/javascript"))
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        yield page
    finally:
        await context.close()


async def open_outside_telegram(page: Any, base_url: str) -> str:
    await page.goto(f"{base_url}/")
    await page.wait_for_function(
        "document.querySelector('.ma-root') && document.querySelector('.ma-root').dataset.screen !== 'loading'"
    )
    assert await page.evaluate("window.Telegram.WebApp.initData") == ""
    return str(await page.locator(".ma-root").get_attribute("data-screen"))


def active_users(app: AppServer) -> list[tuple[int, str, str]]:
    with sqlite3.connect(app.database_file) as conn:
        rows = conn.execute(
            "SELECT u.tgid, u.name, o.name FROM users u JOIN offices o ON o.id = u.office_id"
            " WHERE u.is_active ORDER BY u.name"
        ).fetchall()
    return [(int(tgid), str(name), str(office)) for tgid, name, office in rows]


def set_active(app: AppServer, tgid: int, active: bool) -> None:
    with sqlite3.connect(app.database_file) as conn:
        conn.execute("UPDATE users SET is_active = ? WHERE tgid = ?", (active, tgid))


def active_managers(app: AppServer) -> list[tuple[int, str, str]]:
    with sqlite3.connect(app.database_file) as conn:
        rows = conn.execute(
            "SELECT u.tgid, u.name, o.name FROM users u JOIN offices o ON o.id = u.office_id"
            " WHERE u.is_active AND u.role = 'manager' ORDER BY u.name"
        ).fetchall()
    return [(int(tgid), str(name), str(office)) for tgid, name, office in rows]


def set_role(app: AppServer, tgid: int, role: str) -> None:
    with sqlite3.connect(app.database_file) as conn:
        conn.execute("UPDATE users SET role = ? WHERE tgid = ?", (role, tgid))


async def dashboard_screen(page: Any, screen: str) -> None:
    await page.wait_for_function(
        "s => { const r = document.getElementById('dashboard'); return r && r.dataset.screen === s; }", arg=screen
    )


async def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / f"miniapp-demo-{name}.png"))


async def test_demo_picker_lists_the_active_users_and_signs_in_as_the_one_tapped(
    seeded_app: AppServer, browser_page: Any
) -> None:
    page = browser_page
    users = active_users(seeded_app)
    inactive = [person for person in PEOPLE if not person.is_active]
    assert len(users) >= 2 and inactive  # the demo data: several employees, one of them deactivated
    maria = next(person for person in PEOPLE if person.weekly_limit is not None)

    assert await open_outside_telegram(page, seeded_app.base_url) == "demo"
    rows = page.locator("#screen-demo .demo-user")
    await rows.first.wait_for()
    assert await rows.locator(".ma-row-title").all_inner_texts() == [name for _, name, _ in users]
    assert await rows.locator(".ma-row-sub").all_inner_texts() == [office for _, _, office in users]
    assert not set(await rows.locator(".ma-row-title").all_inner_texts()) & {person.name for person in inactive}
    await shot(page, "picker")

    # Someone deactivated after the list was shown is refused; the picker stays, with the reason.
    gone_tgid, gone_name, _ = next(user for user in users if user[0] != maria.tgid)
    set_active(seeded_app, gone_tgid, False)
    try:
        await rows.filter(has_text=gone_name).click()
        await page.locator("#screen-demo .ma-banner.bad").wait_for()
        assert await page.locator(".ma-root").get_attribute("data-screen") == "demo"
    finally:
        set_active(seeded_app, gone_tgid, True)

    await rows.filter(has_text=maria.name).click()
    await page.locator("#screen-app").wait_for()
    await page.locator("#cafe-select").wait_for()
    assert await page.locator("#error").count() == 0  # the earlier refusal is not carried into the app
    with sqlite3.connect(seeded_app.database_file) as conn:  # the active cafes serving her office
        cafes = {
            name
            for (name,) in conn.execute(
                "SELECT c.name FROM cafes c JOIN cafe_offices co ON co.cafe_id = c.id JOIN users u"
                " ON u.office_id = co.office_id WHERE c.is_active AND u.tgid = ?",
                (maria.tgid,),
            )
        }
    assert cafes and set(await page.locator("#cafe-select option").all_inner_texts()) == cafes
    await shot(page, "signed-in")

    await page.locator("#tab-button-profile").click()
    await page.locator("#tab-profile").wait_for()
    assert await page.locator("#profile-name").inner_text() == maria.name
    maria_office = next(office for tgid, _, office in users if tgid == maria.tgid)
    assert maria_office in await page.locator("#tab-profile").inner_text()
    limit = format_money(Decimal(str(maria.weekly_limit)), "ru")
    await page.wait_for_function(
        "t => (document.getElementById('week-text')||{}).textContent.endsWith(t)", arg=limit, timeout=TIMEOUT
    )


async def test_without_demo_mode_a_plain_browser_is_sent_to_the_bot(
    engine: object, miniapp_url: str, browser_page: Any
) -> None:
    await reset_tables()
    await add_user(EMPLOYEE, "Анна Иванова")  # an active user the picker would list
    page = browser_page

    assert await open_outside_telegram(page, miniapp_url) == "outside"
    screen = page.locator("#screen-outside")
    bot = get_settings().telegram_bot_username
    assert f"@{bot}" in await screen.inner_text()
    assert await screen.locator("a").get_attribute("href") == f"https://t.me/{bot}"
    assert await page.locator(".demo-user").count() == 0
    assert "Анна Иванова" not in await page.locator(".ma-root").inner_text()
    await shot(page, "off")


async def open_dashboard_picker(page: Any, base_url: str) -> Any:
    """/manager in a plain browser: the demo screen; returns its rows."""
    await page.goto(f"{base_url}/manager")
    await dashboard_screen(page, "demo")
    assert await page.evaluate("window.Telegram.WebApp.initData") == ""
    rows = page.locator("#dash-demo .demo-manager")
    await rows.first.wait_for()
    return rows


async def listed(rows: Any) -> list[tuple[str, str]]:
    titles = await rows.locator(".ma-row-title").all_inner_texts()
    return list(zip(titles, await rows.locator(".ma-row-sub").all_inner_texts(), strict=True))


async def test_dashboard_demo_picker_lists_the_active_managers_and_signs_in_as_the_one_tapped(
    seeded_app: AppServer, browser_page: Any
) -> None:
    page = browser_page
    managers = active_managers(seeded_app)
    assert managers  # the demo data has a manager
    rows = await open_dashboard_picker(page, seeded_app.base_url)
    assert await listed(rows) == [(name, office) for _, name, office in managers]
    assert not {name for name, _ in await listed(rows)} & {p.name for p in PEOPLE if p.role != Role.manager}
    await page.wait_for_timeout(350)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "dashboard-demo-phone.png"))

    # The list is read from the database on every open: an employee made manager shows up, in name order.
    promoted = next(p for p in PEOPLE if p.is_active and p.role != Role.manager and p.name < managers[0][1])
    set_role(seeded_app, promoted.tgid, "manager")
    try:
        managers = active_managers(seeded_app)
        assert managers[0][0] == promoted.tgid and len(managers) >= 2
        rows = await open_dashboard_picker(page, seeded_app.base_url)
        assert await listed(rows) == [(name, office) for _, name, office in managers]
    finally:
        set_role(seeded_app, promoted.tgid, "employee")

    _, name, _ = next(manager for manager in managers if manager[0] != promoted.tgid)
    await rows.filter(has_text=name).click()
    await dashboard_screen(page, "app")
    assert await page.locator("#dashboard").get_attribute("data-tab") == "today"
    await page.locator("#view-today").wait_for()
    assert await page.locator("#dash-manager").inner_text() == name
    await page.wait_for_timeout(350)
    await page.screenshot(path=str(SCREENSHOTS / "dashboard-demo-signed-in-phone.png"))

    # Signing out in the demo goes back to the picker (there is no Telegram to come back from).
    await page.get_by_role("button", name="Выйти").click()
    await dashboard_screen(page, "demo")
    assert await listed(page.locator("#dash-demo .demo-manager")) == [
        (name, office) for _, name, office in active_managers(seeded_app)
    ]
