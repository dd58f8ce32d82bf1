"""The manager dashboard in headless Chromium: SPEC §11 scenario 14, the one-time sign-in link, screenshots.

The app is the production build started by tests/miniapp_fixtures.py (`miniapp_url`: the run's PostgreSQL
database, the test bot token, Telegram's real WebApp script). Inside "Telegram" the dashboard signs in with
initData validated on the server; on a "desktop" with the bot's one-time link. Screenshots of every tab at
phone (390×844) and desktop (1440×900) sizes go to artifacts/screenshots/dashboard-*.png.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, update

from lunch_app import db
from lunch_app.clock import get_clock
from lunch_app.domain import access, links, orders, schedule
from lunch_app.domain.dashboard_links import issue_dashboard_token
from lunch_app.models import (
    AccessRequest,
    Cafe,
    Category,
    DashboardToken,
    MenuItem,
    MenuItemOption,
    Order,
    RequestStatus,
    Role,
    Schedule,
    User,
)
from lunch_app.telegram_auth import TelegramUser
from tests.app_fixtures import chromium
from tests.miniapp_fixtures import (
    DARK_THEME,
    LIGHT_THEME,
    OFFICE,
    SCREENSHOTS,
    MiniMenu,
    add_user,
    build_menu,
    init_data,
    launch_url,
    miniapp_gemini,
    miniapp_url,
    reset_tables,
    telegram_script_url,
)
from tests.office_fixtures import NSK, office_in, serve_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["chromium", "miniapp_gemini", "miniapp_url", "telegram_script_url"]  # fixtures used via pytest

TIMEOUT = 30_000
MANAGER = 9_000_000_001
NEWCOMER = 9_000_000_002
COLLEAGUES = [9_000_000_100 + n for n in range(8)]
NAMES = ["Анна Смирнова", "Борис Кузнецов", "Вера Попова", "Глеб Соколов", "Дарья Лебедева", "Егор Козлов",
         "Жанна Новикова", "Зоя Морозова"]  # fmt: skip
TABS = ("today", "orders", "users", "requests", "cafes", "menu", "schedule", "calendar", "reports", "audit")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


# ------------------------------------------------------------------------------------------ data


async def seed(menu: MiniMenu) -> dict[str, int]:
    """A manager, colleagues with orders for today at the first cafe, a cafe without a schedule, a pending access
    request and a pending chat link request."""
    async with db.session_scope() as s:
        moscow = await office_in(s, OFFICE)
        s.add(User(tgid=MANAGER, name="Мария Менеджер", office_id=moscow, role=Role.manager))
        lagman = Cafe(name="Лагман-хаус", description="Среднеазиатская кухня")
        s.add(lagman)
        await s.flush()
        assert lagman.id is not None
        await serve_in(s, lagman.id, [moscow])
        await office_in(s, "Новосибирск", timezone=NSK, address="Красный проспект, 1")
        s.add(MenuItem(cafe_id=lagman.id, name="Лагман", category=Category.main, price=Decimal("11.00")))
    for tgid, name in zip(COLLEAGUES, NAMES, strict=True):
        await add_user(tgid, name, limit="100.00" if tgid % 2 else None)
    today = get_clock().today()
    for tgid in COLLEAGUES[:5]:
        async with db.session_scope() as s:
            await orders.place_order(
                s,
                user_tgid=tgid,
                draft={
                    "cafe_id": menu.cafe_id,
                    "order_date": today.isoformat(),
                    "combo": {
                        "combo_id": menu.combo,
                        "dishes": [
                            {"menu_item_id": menu.soup},
                            {"menu_item_id": menu.main},
                            {"menu_item_id": menu.salad},
                        ],
                    },
                    "items": [{"menu_item_id": menu.coffee, "quantity": 1 + tgid % 2}],
                    "notes": "Без лука" if tgid % 3 == 0 else "",
                },
            )
    async with db.session_scope() as s:
        await access.request_access(
            s,
            tg_user=TelegramUser(id=NEWCOMER, first_name="Никита", last_name="Новиков", username="nikita_new"),
            name="Никита Новиков",
            office_id=await office_in(s, OFFICE),
        )
        await links.request_link(
            s,
            cafe_id=lagman.id,
            chat_id=-1001234,
            chat_title="Лагман-хаус: заказы",
            requested_by=777,
            requested_by_username="lagman_admin",
        )
    return {"lagman": lagman.id}


@pytest.fixture
async def world(engine: object) -> tuple[MiniMenu, dict[str, int]]:
    await reset_tables()
    menu = await build_menu()
    return menu, await seed(menu)


# ------------------------------------------------------------------------------------------ browser helpers


@pytest.fixture
async def browser_context(chromium: Any) -> AsyncIterator[Any]:
    contexts: list[Any] = []

    async def make(viewport: dict[str, int] = PHONE, **kw: Any) -> Any:
        context = await chromium.new_context(
            viewport=viewport, device_scale_factor=2 if viewport is PHONE else 1, locale="ru-RU", accept_downloads=True
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()


def dashboard_url(base_url: str, data: str, *, dark: bool = False) -> str:
    params = {
        "tgWebAppData": data,
        "tgWebAppThemeParams": json.dumps(DARK_THEME if dark else LIGHT_THEME),
        "tgWebAppColorScheme": "dark" if dark else "light",
        "tgWebAppVersion": "8.0",
    }
    return f"{base_url}/manager#{urllib.parse.urlencode(params)}"


async def wait_screen(page: Any, screen: str) -> None:
    await page.wait_for_function(
        "s => { const r = document.getElementById('dashboard'); return r && r.dataset.screen === s; }", arg=screen
    )


async def open_tab(page: Any, tab: str) -> None:
    await page.locator(f"#dash-tab-{tab}").click()
    await page.wait_for_function("t => document.getElementById('dashboard').dataset.tab === t", arg=tab)
    await page.locator(f"#view-{tab}").wait_for()


async def notice(page: Any) -> str:
    text = page.locator("#dash-notice > span").first
    await text.wait_for()
    return str(await text.inner_text())


async def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=False)


async def choose(page: Any, selector: str, label: str) -> None:
    await page.locator(selector).select_option(label=label)


async def pick_lagman_week(page: Any) -> None:
    """On the Schedule tab, picks Лагман-хаус and waits for its week: 7 rows like the first cafe's, but none on
    (it has no delivery day yet), so what the test types next is not overwritten by the reload."""
    await choose(page, "#schedule-cafe", "Лагман-хаус")
    await page.wait_for_function(
        "() => { const s = document.querySelectorAll('.sched-enabled .ma-switch');"
        " return s.length === 7 && [...s].every(b => !b.classList.contains('on')); }"
    )


async def watch_forms(page: Any) -> None:
    """Count the forms the browser submits and note the fields it flags as invalid (it submits only valid forms)."""
    await page.evaluate(
        """() => { if (window.__watching) return; window.__watching = true;
        window.__submits = 0; window.__invalid = [];
        document.addEventListener('submit', () => { window.__submits += 1; }, true);
        const name = t => t.id || [...t.classList].filter(c => !c.startsWith('css-')).join(' ');
        document.addEventListener('invalid', e => { window.__invalid.push(name(e.target)); }, true);
        }"""
    )


async def try_submit(page: Any, button: str) -> tuple[int, list[str]]:
    """Click a form's submit button: (forms the browser submitted, fields it refused). Both happen within the click
    itself (the browser validates before it dispatches `submit`), so nothing here depends on timing."""
    await page.evaluate("() => { window.__submits = 0; window.__invalid = []; }")
    await page.locator(button).click()
    submitted, invalid = await page.evaluate("() => [window.__submits, window.__invalid]")
    return int(submitted), list(invalid)


# ------------------------------------------------------------------------------------------ scenario 14


async def test_scenario_14_request_dish_schedule_report(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    _menu, ids = world
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    assert await page.locator("#dash-manager").inner_text() == "Мария Менеджер"

    # 1. Approve the pending access request.
    await open_tab(page, "requests")
    card = page.locator(".request-card", has_text="Никита Новиков")
    await card.get_by_role("button", name="Одобрить").click()
    assert await notice(page) == "Заявка одобрена."
    async with db.session_scope() as s:
        newcomer = await s.get(User, NEWCOMER)
        request = (await s.execute(select(AccessRequest).where(AccessRequest.tgid == NEWCOMER))).scalar_one()
    assert newcomer is not None and newcomer.is_active and newcomer.role == Role.employee
    assert request.status == RequestStatus.approved and request.processed_by == MANAGER

    # 2. Add a dish with a required option to the cafe that has no schedule yet.
    await open_tab(page, "menu")
    await choose(page, "#menu-cafe", "Лагман-хаус")
    await page.locator(".dish-card", has_text="Лагман").first.wait_for()
    await page.locator("#menu-add-dish").click()
    await page.locator("#dish-name").fill("Плов")
    await page.locator("#dish-category").select_option("main")
    await page.locator("#dish-price").fill("12.50")
    await page.locator("#dish-add-option").click()
    await page.locator(".option-name").fill("Порция")
    await page.locator(".option-values").fill("Большая, Малая")
    await page.locator(".db-opt .ma-chip").click()  # required
    await page.locator("#dish-save").click()
    assert await notice(page) == "Сохранено."
    await page.locator(".dish-card", has_text="Плов").wait_for()
    assert "Порция *: Большая, Малая" in await page.locator(".dish-card", has_text="Плов").inner_text()

    # 3. The schedule of that cafe: all 7 weekdays shown; invalid input refused by the browser; then saved.
    await open_tab(page, "schedule")
    await pick_lagman_week(page)
    for weekday in range(7):
        await page.locator(".sched-enabled button").nth(weekday).click()
        await page.locator(".sched-time").nth(weekday).fill("23:59")
    await page.locator(".sched-days").nth(0).fill("9")
    await watch_forms(page)
    assert await try_submit(page, "#schedule-save") == (0, ["ma-input sched-days"])
    assert await page.locator(".sched-days").nth(0).evaluate("e => e.validity.rangeOverflow && e.validationMessage")
    async with db.session_scope() as s:
        assert (await s.execute(select(Schedule).where(Schedule.cafe_id == ids["lagman"]))).first() is None
    await page.locator(".sched-days").nth(0).fill("0")
    await page.locator("#schedule-save").click()
    assert await notice(page) == "Сохранено."
    async with db.session_scope() as s:
        rows = (await s.execute(select(Schedule).where(Schedule.cafe_id == ids["lagman"]))).scalars().all()
    assert sorted(row.weekday for row in rows) == list(range(7)) and all(row.is_enabled for row in rows)

    # The approved newcomer sees the new dish in the Mini App, with its required option, and orders it.
    mini = await browser_context(PHONE)
    await mini.goto(launch_url(miniapp_url, init_data(NEWCOMER, first_name="Никита")))
    await mini.wait_for_function("() => (document.querySelector('.ma-root')||{dataset:{}}).dataset.screen === 'app'")
    await mini.locator("#cafe-select").select_option(label="Лагман-хаус")
    await mini.locator(".dish", has_text="Плов").click()
    sheet = mini.locator("#dish-sheet")
    await sheet.wait_for()
    await sheet.locator("#add-dish").click()  # the required option is missing: refused
    await sheet.locator(".ma-error").wait_for()
    await sheet.locator(".option[data-option='Порция'] .ma-chip", has_text="Большая").click()
    await sheet.locator("#add-dish").click()
    await sheet.wait_for(state="detached")
    await mini.locator("#place-order").click()
    await mini.wait_for_function("() => !document.getElementById('cart-total')")

    # 4. The day report of that cafe on screen, then as CSV and XLSX downloads.
    await open_tab(page, "reports")
    await choose(page, "#reports-cafe", "Лагман-хаус")
    await page.locator("#view-reports .db-row", has_text="Никита Новиков").wait_for()
    async with page.expect_download() as csv_download:
        await page.locator("#download-csv").click()
    download = await csv_download.value
    assert download.suggested_filename == f"report_cafe{ids['lagman']}_{get_clock().today().isoformat()}.csv"
    content = (await download_bytes(download)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    flat = [cell for row in rows for cell in row]
    assert "Плов" in flat and "Никита Новиков" in flat and any("Порция: Большая" in cell for cell in flat)
    assert any("12.50" in cell or "12,50" in cell for cell in flat)
    async with page.expect_download() as xlsx_download:
        await page.locator("#download-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(await download_bytes(await xlsx_download.value)))
    cells = [str(cell) for sheet_ in book.worksheets for row in sheet_.iter_rows(values_only=True) for cell in row]
    assert "Плов" in cells and "Никита Новиков" in cells


# ------------------------------------------------------------------------------------------ forms


async def test_forms_are_checked_in_the_browser_before_submit(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    """Limits read from the domain become HTML5 constraints: an invalid weekly limit, dish price, cut-off time or
    days-before never leaves the browser and nothing is stored; a rule only the domain knows is still refused on
    submit with its message inside the form."""
    _menu, ids = world
    page = await browser_context(DESKTOP)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    await watch_forms(page)

    # Weekly limit: more than two decimals, negative, above the domain's maximum, not a number.
    await open_tab(page, "users")
    await page.locator(".user-card", has_text=NAMES[0]).get_by_role("button", name="Изменить").click()
    limit = page.locator("#user-limit")
    for bad in ("12.345", "-5", "1000000.01", "сто"):
        await limit.fill(bad)
        assert await try_submit(page, "#user-save") == (0, ["user-limit"]), bad
        assert await limit.evaluate("e => e.validity.patternMismatch")
    async with db.session_scope() as s:
        assert (await s.get(User, COLLEAGUES[0])).weekly_limit is None  # type: ignore[union-attr]
    await limit.fill("150,50")
    assert await try_submit(page, "#user-save") == (1, [])
    assert await notice(page) == "Сохранено."
    async with db.session_scope() as s:
        assert (await s.get(User, COLLEAGUES[0])).weekly_limit == Decimal("150.50")  # type: ignore[union-attr]

    # Dish price: above 100000, more than two decimals, negative. Then a rule only the domain checks (repeated
    # option values): submitted, refused, the message shown inside the form, nothing stored.
    await open_tab(page, "menu")
    await choose(page, "#menu-cafe", "Лагман-хаус")
    await page.locator(".dish-card", has_text="Лагман").first.wait_for()
    await page.locator("#menu-add-dish").click()
    await page.locator("#dish-name").fill("Шурпа")
    for bad in ("100000.01", "12.345", "-1"):
        await page.locator("#dish-price").fill(bad)
        assert await try_submit(page, "#dish-save") == (0, ["dish-price"]), bad
    await page.locator("#dish-price").fill("12.50")
    await page.locator("#dish-add-option").click()
    await page.locator(".option-name").fill("Порция")
    await page.locator(".option-values").fill("Большая, Большая")
    assert await try_submit(page, "#dish-save") == (1, [])
    error = page.locator(".ma-sheet .ma-error")
    await error.wait_for()
    assert await error.inner_text() == "В опции «Порция» значения повторяются."
    async with db.session_scope() as s:
        assert (await s.execute(select(MenuItem).where(MenuItem.name == "Шурпа"))).first() is None
    await page.locator(".option-values").fill("Большая, Малая")
    assert await try_submit(page, "#dish-save") == (1, [])
    assert await notice(page) == "Сохранено."
    async with db.session_scope() as s:
        dish = (await s.execute(select(MenuItem).where(MenuItem.name == "Шурпа"))).scalar_one()
    assert dish.price == Decimal("12.50")

    # Schedule: an emptied cut-off time, days-before out of 0–6.
    await open_tab(page, "schedule")
    await pick_lagman_week(page)
    await page.locator(".sched-enabled button").nth(0).click()
    await page.locator(".sched-time").nth(0).fill("")
    assert await try_submit(page, "#schedule-save") == (0, ["ma-input sched-time"])
    await page.locator(".sched-time").nth(0).fill("12:00")
    for bad in ("7", "-1"):
        await page.locator(".sched-days").nth(0).fill(bad)
        assert await try_submit(page, "#schedule-save") == (0, ["ma-input sched-days"]), bad
    async with db.session_scope() as s:
        assert (await s.execute(select(Schedule).where(Schedule.cafe_id == ids["lagman"]))).first() is None
    await page.locator(".sched-days").nth(0).fill("1")
    assert await try_submit(page, "#schedule-save") == (1, [])
    assert await notice(page) == "Сохранено."
    async with db.session_scope() as s:
        rows = (await s.execute(select(Schedule).where(Schedule.cafe_id == ids["lagman"]))).scalars().all()
    assert [(r.weekday, r.cutoff_time.strftime("%H:%M"), r.cutoff_days_before) for r in rows] == [(0, "12:00", 1)]


async def test_manager_edits_an_orders_combo_options_and_adds_a_dish_with_a_required_option(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    menu, _ids = world
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    await watch_forms(page)
    await open_tab(page, "orders")
    await page.locator("#view-orders .ma-section", has_text=NAMES[0]).get_by_role("button", name="Изменить").click()
    soup_slot = page.locator(".order-slot[data-category='soup']")
    await soup_slot.wait_for()
    await soup_slot.select_option(label="Грибной крем-суп")
    await page.locator("#order-add-pick").select_option(label="Стейк · 10,00\u00a0₽")
    await page.locator("#order-add-line").click()
    steak = page.locator(".order-line[data-dish='Стейк']")
    await steak.wait_for()
    # The required option is not chosen yet, then a quantity above the domain's maximum: the browser refuses both.
    assert await try_submit(page, "#order-save") == (0, ["ma-select order-option"])
    await steak.locator("select[data-option='Прожарка']").select_option("Medium")
    await steak.locator(".order-quantity").fill(str(orders.MAX_QUANTITY + 1))
    assert await try_submit(page, "#order-save") == (0, ["ma-input order-quantity"])
    await steak.locator(".order-quantity").fill("2")
    await steak.locator("select[data-option='Соус']").select_option("Грибной")
    assert await try_submit(page, "#order-save") == (1, [])
    assert await notice(page) == "Заказ изменён, сотрудник уведомлён."
    async with db.session_scope() as s:
        order = (await s.execute(select(Order).where(Order.user_tgid == COLLEAGUES[0]))).scalar_one()
    assert order.combo_id == menu.combo
    assert [(line["name"], line["quantity"], line["options"]) for line in order.lines] == [
        ("Грибной крем-суп", 1, {}),
        ("Котлета по-киевски", 1, {}),
        ("Оливье", 1, {}),
        ("Кофе", 1, {}),
        ("Стейк", 2, {"Прожарка": "Medium", "Соус": "Грибной"}),
    ]
    assert order.total == Decimal("37.50")  # combo 15 + coffee 2.50 + 2 × steak 10


async def test_destructive_actions_ask_first_and_keep_changes_nothing(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    """The confirm-then-act question, as a manager meets it: "keep" closes it and nothing happens; the question
    names the row it is about; "yes" does it (cancelling an order here)."""
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    await open_tab(page, "users")
    user = page.locator(".user-card", has_text=NAMES[1])
    await user.get_by_role("button", name="Удалить").click()
    question = page.get_by_role("dialog")
    await question.get_by_text("Удалить сотрудника?").wait_for()
    assert NAMES[1] in await question.inner_text()
    await shot(page, "users-delete-question-phone")
    await question.get_by_role("button", name="Не надо").click()
    await question.wait_for(state="detached")
    async with db.session_scope() as s:
        assert await s.get(User, COLLEAGUES[1]) is not None

    await open_tab(page, "orders")
    card = page.locator("#view-orders .ma-section", has_text=NAMES[0])
    await card.get_by_role("button", name="Отменить заказ").click()
    await question.get_by_text("Отменить заказ?").wait_for()
    await question.get_by_role("button", name="Не надо").click()
    await question.wait_for(state="detached")
    await card.get_by_role("button", name="Отменить заказ").click()
    await question.get_by_role("button", name="Отменить заказ").click()
    assert await notice(page) == "Заказ отменён, сотрудник уведомлён."
    await question.wait_for(state="detached")
    async with db.session_scope() as s:
        statuses = {o.user_tgid: o.status.value for o in (await s.execute(select(Order))).scalars()}
    assert statuses[COLLEAGUES[0]] == "cancelled"
    assert [statuses[tgid] for tgid in COLLEAGUES[1:5]] == ["placed"] * 4


async def download_bytes(download: Any) -> bytes:
    path = await download.path()
    with open(path, "rb") as file:
        return file.read()


# ------------------------------------------------------------------------------------------ one-time link


async def issue(tgid: int = MANAGER) -> str:
    async with db.session_scope() as s:
        return await issue_dashboard_token(s, manager_tgid=tgid)


async def test_one_time_link_works_once_then_is_refused(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    token = await issue()
    page = await browser_context(DESKTOP)
    await page.goto(f"{miniapp_url}/manager/login?token={token}")
    await wait_screen(page, "app")
    await page.wait_for_url(f"{miniapp_url}/manager")  # the token left the address bar
    assert await page.locator("#dash-manager").inner_text() == "Мария Менеджер"
    await open_tab(page, "users")
    await page.locator(".user-card", has_text="Анна Смирнова").wait_for()

    again = await browser_context(DESKTOP)
    await again.goto(f"{miniapp_url}/manager/login?token={token}")
    await wait_screen(again, "link_invalid")
    assert "Ссылка недействительна" in await again.locator("#dash-link-invalid").inner_text()
    # Without a session, /manager outside Telegram explains how to get in and shows no data.
    await again.goto(f"{miniapp_url}/manager")
    await wait_screen(again, "outside")
    assert await again.locator(".user-card").count() == 0


async def test_expired_link_is_refused(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    token = await issue()
    async with db.session_scope() as s:
        await s.execute(update(DashboardToken).values(expires_at=get_clock().utcnow() - timedelta(seconds=1)))
    page = await browser_context(DESKTOP)
    await page.goto(f"{miniapp_url}/manager/login?token={token}")
    await wait_screen(page, "link_invalid")


async def test_an_employee_inside_telegram_is_refused(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(COLLEAGUES[0])))
    await wait_screen(page, "denied")
    assert await page.locator(".db-top").count() == 0


# ------------------------------------------------------------------------------------------ screenshots


async def _fill_for_screenshots() -> None:
    """Leave something to see on every tab: a linked cafe, a dish with options, an audit trail."""
    async with db.session_scope() as s:
        cafe = (await s.execute(select(Cafe).where(Cafe.name == "Лагман-хаус"))).scalar_one()
        cafe.tg_chat_id = -100999
        cafe.tg_chat_title = "Лагман-хаус: заказы"
        item = (await s.execute(select(MenuItem).where(MenuItem.name == "Лагман"))).scalar_one()
        s.add(MenuItemOption(menu_item_id=item.id, name="Острота", values=["Без остроты", "Острый"], is_required=True))
    async with db.session_scope() as s:
        await access.update_user(s, actor_tgid=MANAGER, tgid=COLLEAGUES[1], data={"weekly_limit": "150"})
        await access.set_user_active(s, actor_tgid=MANAGER, tgid=COLLEAGUES[7], active=False)
        await schedule.set_week_schedule(
            s,
            actor_tgid=MANAGER,
            cafe_id=cafe.id,  # type: ignore[arg-type]
            rows=[
                {"weekday": w, "cutoff_time": "10:30", "cutoff_days_before": 1, "is_enabled": w < 5} for w in range(7)
            ],
        )


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_screenshots_of_every_tab(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]], size: str
) -> None:
    page = await browser_context(PHONE if size == "phone" else DESKTOP)
    await _fill_for_screenshots()
    token = await issue()
    await page.goto(f"{miniapp_url}/manager/login?token={token}")
    await wait_screen(page, "app")
    await page.locator(".today-cafe").first.wait_for()
    for tab in TABS:
        await open_tab(page, tab)
        if tab == "orders":
            await page.locator("#view-orders .ma-section").first.wait_for()
        if tab == "menu":
            await choose(page, "#menu-cafe", "Столовая №1")
            await page.locator(".dish-card", has_text="Стейк").wait_for()
        if tab == "reports":
            await choose(page, "#reports-cafe", "Столовая №1")
            await page.locator("#view-reports .db-row", has_text="Анна Смирнова").wait_for()
        await shot(page, f"{tab}-{size}")
    await open_tab(page, "orders")
    await page.locator("#view-orders .ma-section").first.get_by_role("button", name="Изменить").click()
    await page.locator("#order-add-pick").wait_for()
    await shot(page, f"orders-edit-{size}")
    await page.locator(".ma-sheet-close").click()
    await open_tab(page, "menu")
    await page.locator("#menu-add-dish").click()
    await page.locator("#dish-add-option").click()
    await shot(page, f"menu-dish-form-{size}")


async def test_screenshot_inside_telegram_dark_theme(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария"), dark=True))
    await wait_screen(page, "app")
    await page.locator(".today-cafe").first.wait_for()
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(239, 239, 244)"  # the Telegram dark theme, not the light fallback
    await shot(page, "today-phone-dark")
    await open_tab(page, "menu")
    await choose(page, "#menu-cafe", "Столовая №1")
    await page.locator(".dish-card", has_text="Стейк").wait_for()
    await shot(page, "menu-phone-dark")


# ------------------------------------------------------------------------------------------ offices (issue 11)

PEOPLE_CSV = (
    "Telegram ID;Имя;Офис;Роль;Недельный лимит\r\n"
    "9000000201;Олег Новый;Москва, Тверская 7;;2500\r\n"
    "9000000202;Полина Новая;новосибирск;менеджер;\r\n"
    "abc;Без номера;Марс;;\r\n"
)


async def test_people_import_upload_preview_then_apply(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]], tmp_path: Any
) -> None:
    """Bulk onboarding as a manager does it: upload the HR file, read the preview with every row's problem, apply
    (nothing changes before), and the people are there."""
    page = await browser_context(DESKTOP)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    await open_tab(page, "users")
    await page.locator("#users-import").click()
    sheet = page.locator("#import-sheet")
    await sheet.wait_for()
    bad = tmp_path / "hr.csv"
    bad.write_bytes(b"\xef\xbb\xbf" + PEOPLE_CSV.encode())
    await page.locator("#users-import-upload input[type=file]").set_input_files(str(bad))
    await page.locator("#import-preview").wait_for()
    assert await page.locator("#import-summary").inner_text() == (
        "Новых: 2 · изменится: 0 · без изменений: 0 · с ошибками: 1"
    )
    assert await page.locator("#import-problems li").all_inner_texts() == [
        "Строка 4: «abc» — не Telegram ID (нужно целое положительное число)",
        "Строка 4: офиса «Марс» нет",
    ]
    assert [await row.get_attribute("data-action") for row in await page.locator(".import-row").all()] == [
        "create",
        "create",
        "invalid",
    ]
    await shot(page, "users-import-preview-desktop")
    assert await page.locator("#import-apply").count() == 0  # a file with errors is not imported whole
    async with db.session_scope() as s:
        assert await s.get(User, 9000000201) is None  # the preview changed nothing

    good = tmp_path / "hr-fixed.csv"
    good.write_bytes(PEOPLE_CSV.rsplit("abc", 1)[0].encode())
    await page.locator("#users-import-upload input[type=file]").set_input_files(str(good))
    await page.wait_for_function("() => document.querySelectorAll('.import-row').length === 2")
    await page.locator("#import-apply").click()
    assert await notice(page) == "Импорт выполнен: новых 2, изменено 0, без изменений 0."
    await sheet.wait_for(state="detached")
    async with db.session_scope() as s:
        oleg, polina = await s.get(User, 9000000201), await s.get(User, 9000000202)
    assert oleg is not None and oleg.weekly_limit == Decimal("2500.00") and oleg.is_active
    assert polina is not None and polina.role == Role.manager
    await page.locator("#users-office").select_option(label="Новосибирск")
    await page.wait_for_function("() => document.querySelectorAll('.user-card').length === 1")
    assert "Полина Новая" in await page.locator(".user-card").inner_text()


async def test_calendar_holiday_over_orders_asks_with_the_count_and_cancels(
    miniapp_url: str, browser_context: Any, world: tuple[MiniMenu, dict[str, int]]
) -> None:
    page = await browser_context(PHONE)
    await page.goto(dashboard_url(miniapp_url, init_data(MANAGER, first_name="Мария")))
    await wait_screen(page, "app")
    await open_tab(page, "calendar")
    await page.locator("#calendar-office-pick").select_option(label=OFFICE)
    await page.locator("#calendar-week").wait_for()
    await shot(page, "calendar-phone")
    today = get_clock().today().isoformat()
    await page.locator("#holiday-add").click()
    await page.locator("#entry-start").fill(today)
    await page.locator("#entry-end").fill(today)
    await page.locator("#entry-name").fill("День компании")
    await page.locator("#entry-save").click()
    question = page.get_by_role("dialog").filter(has_text="Эти дни уже заказаны")
    await question.wait_for()
    assert "Будет отменено заказов: 5" in await question.inner_text()  # the five colleagues' orders for today
    await shot(page, "calendar-confirm-phone")
    await question.get_by_role("button", name="Применить").click()
    assert await notice(page) == "Календарь сохранён. Отменено заказов: 5."
    await page.locator(".calendar-holiday", has_text="День компании").wait_for()
    async with db.session_scope() as s:
        statuses = {o.status.value for o in (await s.execute(select(Order))).scalars()}
    assert statuses == {"cancelled"}
