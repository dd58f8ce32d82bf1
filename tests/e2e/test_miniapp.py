"""The employee Mini App in headless Chromium at 390×844: SPEC §11 scenario 13 and the access screens of scenario 2.

The app is the production build with Telegram's real telegram-web-app.js, opened as inside a native Telegram
client (tests/telegram_clients.py: the client records what the app posts and presses the native buttons); sign-in
uses initData signed with the test bot token and validated by the server (tests/miniapp_fixtures.py).
Screenshots of every screen in light and dark go to artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from lunch_app import db
from lunch_app.models import AccessRequest, Cafe, Category, MenuItem, Order, OrderStatus, RequestStatus, Schedule, User
from tests.app_fixtures import chromium
from tests.miniapp_fixtures import (
    DISABLED,
    EMPLOYEE,
    ENGLISH,
    LIMITED,
    NEWCOMER,
    OFFICE,
    REJECTED,
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
from tests.office_fixtures import NSK, office, office_in, serve_in
from tests.telegram_clients import add_native_client

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["chromium", "miniapp_gemini", "miniapp_url", "telegram_script_url"]

TIMEOUT = 30_000


@pytest.fixture
async def menu(engine: object) -> MiniMenu:
    await reset_tables()
    return await build_menu()


@pytest.fixture
async def phone(chromium: Any) -> AsyncIterator[Any]:
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="ru-RU")
    await add_native_client(context)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        yield page
    finally:
        await context.close()


async def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.wait_for_timeout(350)  # let sheet/fade animations finish
    await page.screenshot(path=str(SCREENSHOTS / f"miniapp-{name}.png"))


async def open_app(page: Any, base_url: str, data: str, *, dark: bool = False, platform: str | None = None) -> None:
    if page.url.startswith(base_url):
        await page.evaluate("sessionStorage.clear()")  # a new Telegram webview: a fresh Reflex client token
    await page.goto("about:blank")  # a hash-only change would not reload the app
    await page.goto(launch_url(base_url, data, dark=dark, platform=platform))
    await page.wait_for_function(
        "document.querySelector('.ma-root') && document.querySelector('.ma-root').dataset.screen !== 'loading'"
    )


async def screen_of(page: Any) -> str:
    return str(await page.locator(".ma-root").get_attribute("data-screen"))


async def wait_total(page: Any, text: str) -> None:
    await page.wait_for_function(
        "t => (document.getElementById('cart-total')||{}).textContent === t", arg=text, timeout=TIMEOUT
    )


async def add_combo(page: Any, soup: str, main: str, salad: str, *, closes: bool = True) -> None:
    await page.locator(".ma-combo").first.click()
    sheet = page.locator("#combo-sheet")
    await sheet.wait_for()
    for category, name in (("soup", soup), ("main", main), ("salad", salad)):
        await sheet.locator(f".combo-slot[data-category={category}] .ma-chip", has_text=name).click()
    await sheet.locator("#add-combo").click()
    if closes:
        await sheet.wait_for(state="detached")


async def add_dish(page: Any, name: str, *, options: dict[str, str] | None = None, quantity: int = 1) -> None:
    await page.locator(".dish", has_text=name).first.click()
    sheet = page.locator("#dish-sheet")
    await sheet.wait_for()
    for option, value in (options or {}).items():
        await sheet.locator(f".option[data-option='{option}'] .ma-chip", has_text=value).click()
    for _ in range(quantity - 1):
        await sheet.locator("#qty-plus").click()
    await page.wait_for_function("q => document.getElementById('qty').textContent === String(q)", arg=quantity)
    await sheet.locator("#add-dish").click()
    await sheet.wait_for(state="detached")


async def test_scenario_13_order_edit_cancel_in_my_orders(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    """Combo + à-la-carte with options → server total → placed → My orders → edit → cancel."""
    await add_user(EMPLOYEE, "Анна Иванова", limit="100.00")
    page = phone
    await open_app(page, miniapp_url, init_data(EMPLOYEE))
    assert await screen_of(page) == "app"
    await page.locator(".dish").first.wait_for()
    await shot(page, "order-light")

    # Combo A: soup + main + salad = 15.00; then 2 × Стейк (10.00, required option) = 20.00 → 35.00.
    await add_combo(page, "Борщ", "Котлета по-киевски", "Оливье")
    await wait_total(page, "15,00\u00a0₽")
    await page.locator(".dish", has_text="Стейк").click()
    await page.locator("#dish-sheet").wait_for()
    await page.locator("#qty-plus").click()
    await page.locator("#add-dish").click()  # the required option is missing: refused in the sheet
    await page.locator("#dish-sheet .ma-error").wait_for()
    assert "Прожарка" in await page.locator("#dish-sheet .ma-error").inner_text()
    await page.locator(".option[data-option='Прожарка'] .ma-chip", has_text="Medium").click()
    await page.locator(".option[data-option='Соус'] .ma-chip", has_text="Перечный").click()
    await shot(page, "dish-sheet-light")
    await page.locator("#add-dish").click()
    await page.locator("#dish-sheet").wait_for(state="detached")
    await wait_total(page, "35,00\u00a0₽")
    assert "65,00" in await page.locator("#cart-remaining").inner_text()  # 100 − 35 left of the weekly limit
    cart = await page.locator("#cart").inner_text()
    assert "Комплекс «Комплекс А»" in cart and "2 × Стейк" in cart and "Прожарка: Medium, Соус: Перечный" in cart
    events = await page.evaluate("window.__tgClient.events")
    assert ["web_app_trigger_haptic_feedback", {"type": "impact", "impact_style": "light"}] in events  # on add
    assert await page.evaluate("window.__tgClient.state.closingConfirmation")  # the cart is not empty
    await page.locator("#cart-notes").fill("Без лука")
    await page.locator("#cart").scroll_into_view_if_needed()
    await shot(page, "cart-light")

    await page.locator("#place-order").click()
    await page.locator("#tab-orders").wait_for()
    assert "оформлен" in await page.locator("#notice").inner_text()
    card = page.locator("#orders-upcoming .ma-order").first
    assert "35,00" in await card.inner_text()
    assert "Оформлен" in await card.inner_text()
    assert "Без лука" in await card.inner_text()
    await shot(page, "orders-light")
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()
    assert order.total == 35 and order.user_tgid == EMPLOYEE and order.notes == "Без лука"

    # Edit: the order comes back into the cart; drop the combo, add a coffee → 22.50.
    await card.locator(".order-edit").click()
    await page.locator("#editing").wait_for()
    await wait_total(page, "35,00\u00a0₽")
    await page.locator(".cart-line", has_text="Комплекс").locator("button").click()
    await wait_total(page, "20,00\u00a0₽")
    await add_dish(page, "Кофе", options={"Молоко": "Овсяное"})
    await wait_total(page, "22,50\u00a0₽")
    assert "Сохранить" in await page.locator("#place-order").inner_text()
    await page.locator("#place-order").click()
    await page.locator("#tab-orders").wait_for()
    card = page.locator(f"#orders-upcoming .ma-order[data-order='{order.id}']")
    assert "22,50" in await card.inner_text()
    assert "Кофе (Молоко: Овсяное)" in await card.inner_text()

    # Cancel (asks once more first).
    await card.locator(".order-cancel").click()
    await card.locator(".order-cancel", has_text="Точно").click()
    await page.locator(f".ma-order[data-order='{order.id}'][data-status='cancelled']").wait_for()
    async with db.session_scope() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None and stored.status == OrderStatus.cancelled and stored.total == 22.5


async def test_refusals_show_the_message_and_keep_the_cart(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    await add_user(LIMITED, "Пётр Лимитов", limit="12.00")
    page = phone
    await open_app(page, miniapp_url, init_data(LIMITED))
    await add_combo(page, "Борщ", "Котлета по-киевски", "Оливье")
    await wait_total(page, "15,00\u00a0₽")

    await page.locator("#place-order").click()  # 15.00 > 12.00 weekly limit
    await page.locator("#cart-error").wait_for()
    assert "недельный лимит" in (await page.locator("#cart-error").inner_text()).lower()
    assert await page.locator(".cart-line").count() == 1
    await shot(page, "refused-limit-light")

    # Raise the limit, but the cut-off of every day passes meanwhile: refused, cart still there.
    async with db.session_scope() as session:
        await session.execute(update(User).where(User.tgid == LIMITED).values(weekly_limit=100))  # type: ignore[arg-type]
        await session.execute(update(Schedule).values(cutoff_days_before=6))
    await page.locator("#place-order").click()
    await page.wait_for_function(
        "() => /закрыт/i.test((document.getElementById('cart-error')||{}).textContent||'')", timeout=TIMEOUT
    )
    assert await page.locator(".cart-line").count() == 1
    async with db.session_scope() as session:
        assert (await session.execute(select(Order))).first() is None


async def test_forged_or_stale_init_data_stays_on_the_sign_in_screen(
    miniapp_url: str, phone: Any, menu: MiniMenu
) -> None:
    await add_user(EMPLOYEE, "Анна Иванова")
    page = phone
    for data in (
        init_data(EMPLOYEE, token="424242:not-the-bot-token"),  # forged signature
        init_data(EMPLOYEE, age_seconds=25 * 3600),  # older than INIT_DATA_MAX_AGE
        init_data(EMPLOYEE).replace("8000000001", "8000000002"),  # another user id under the same hash
    ):
        await open_app(page, miniapp_url, data)
        assert await screen_of(page) == "failed"
        assert await page.locator("#tab-order").count() == 0
    await shot(page, "signin-failed-light")

    await open_app(page, miniapp_url, "")  # outside Telegram
    assert await screen_of(page) == "outside"
    await shot(page, "outside-light")


async def test_access_screens_request_pending_rejected_disabled(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    await office("Новосибирск", timezone=NSK)  # two offices: the newcomer must choose
    page = phone
    await open_app(page, miniapp_url, init_data(NEWCOMER, first_name="Ольга"))
    assert await screen_of(page) == "request"
    assert await page.locator("#request-name").input_value() == "Ольга Иванова"  # prefilled from Telegram
    options = await page.locator("#request-office option").all_inner_texts()
    assert options == ["Выберите офис", "Москва, Тверская 7", "Новосибирск"]
    await page.locator("#request-submit").click()  # office is required
    await page.locator("#request-error").wait_for()
    await page.locator("#request-office").select_option(label="Москва, Тверская 7")  # the active offices
    await shot(page, "request-light")
    await page.locator("#request-submit").click()
    await page.locator("#screen-pending").wait_for()
    await shot(page, "pending-light")
    async with db.session_scope() as session:
        request = (await session.execute(select(AccessRequest))).scalar_one()
    assert (request.tgid, request.name, request.office_id, request.status) == (
        NEWCOMER,
        "Ольга Иванова",
        await office(OFFICE),
        RequestStatus.pending,
    )
    await open_app(page, miniapp_url, init_data(NEWCOMER, first_name="Ольга"))  # reopening: still pending
    assert await screen_of(page) == "pending"

    async with db.session_scope() as session:
        request = (await session.execute(select(AccessRequest))).scalar_one()
        session.add(
            AccessRequest(
                tgid=REJECTED,
                name="Иван",
                office_id=request.office_id,
                status=RequestStatus.rejected,
                created_at=request.created_at,
            )
        )
    await open_app(page, miniapp_url, init_data(REJECTED))
    assert await screen_of(page) == "rejected"
    await shot(page, "rejected-light")

    await add_user(DISABLED, "Сергей", active=False)
    await open_app(page, miniapp_url, init_data(DISABLED), dark=True)
    assert await screen_of(page) == "disabled"
    await shot(page, "disabled-dark")


async def test_dark_theme_english_user_and_native_back_button(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    await add_user(ENGLISH, "John Smith", limit="50.00", lang="en")
    page = phone
    await open_app(page, miniapp_url, init_data(ENGLISH, first_name="John", lang="en"), dark=True)
    assert await page.locator(".ma-root").get_attribute("data-lang") == "en"
    await page.locator(".dish").first.wait_for()
    assert "set lunches" in (await page.inner_text("body")).lower()
    await shot(page, "order-dark")

    await page.locator(".ma-chip[data-tag='vegetarian']").click()  # dietary filter
    await page.wait_for_function("() => document.querySelectorAll('.dish').length === 3")
    names = await page.locator(".dish .ma-row-title").all_inner_texts()
    assert sorted(names) == sorted(["Грибной крем-суп", "Греческий салат", "Медовик"])
    await page.locator(".ma-chip[data-tag='vegetarian']").click()

    await add_combo(page, "Борщ", "Стейк", "Греческий салат", closes=False)  # Стейк needs «Прожарка»
    await page.locator("#combo-sheet .ma-error").wait_for()
    await page.locator("#combo-sheet .option[data-option='Прожарка'] .ma-chip", has_text="Well done").click()
    await shot(page, "combo-sheet-dark")
    await page.locator("#add-combo").click()
    await wait_total(page, "₽15.00")
    await page.locator("#cart").scroll_into_view_if_needed()
    await shot(page, "cart-dark")

    await page.locator(".dish", has_text="Медовик").click()
    await page.locator("#dish-sheet").wait_for()
    await shot(page, "dish-sheet-dark")
    assert await page.evaluate("window.__tgClient.state.back")  # inner screen: Telegram shows its BackButton
    await page.evaluate("window.__tgClient.press('back')")  # the user taps it
    await page.locator("#dish-sheet").wait_for(state="detached")

    await page.locator("#wheel-open").click()
    await page.locator("#wheel-spin").click()
    await page.locator("#wheel-result").wait_for()
    await page.wait_for_timeout(3200)
    await shot(page, "wheel-dark")
    await page.locator("#wheel-add").click()
    await page.locator("#dish-sheet").wait_for()
    await page.locator("#dish-sheet .ma-sheet-close").click()

    await page.locator("#place-order").click()
    await page.locator("#tab-orders").wait_for()
    await shot(page, "orders-dark")
    await page.locator("#tab-button-profile").click()
    await page.locator("#week-text").wait_for()
    assert "₽15.00 of ₽50.00" in await page.locator("#week-text").inner_text()
    await shot(page, "profile-dark")
    await page.locator("#reminders-switch").click()
    await page.wait_for_function("() => !document.getElementById('reminders-switch').classList.contains('on')")
    async with db.session_scope() as session:
        user = await session.get(User, ENGLISH)
    assert user is not None and user.reminders_enabled is False


async def test_profile_light(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    await add_user(EMPLOYEE, "Анна Иванова", limit="100.00")
    page = phone
    await open_app(page, miniapp_url, init_data(EMPLOYEE))
    await page.locator("#tab-button-profile").click()
    await page.locator("#week-text").wait_for()
    assert "0,00" in await page.locator("#week-text").inner_text()
    await shot(page, "profile-light")


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_every_screen_in_both_themes(miniapp_url: str, phone: Any, menu: MiniMenu, theme: str) -> None:
    """Screenshots of each screen (checked by eye) and a basic layout check: nothing wider than the phone."""
    from datetime import date

    from lunch_app.clock import get_clock
    from lunch_app.domain import orders as orders_domain

    dark = theme == "dark"
    await add_user(EMPLOYEE, "Анна Иванова", limit="100.00")
    await add_user(DISABLED, "Сергей", active=False)
    async with db.session_scope() as session:
        office_id = await office_in(session, OFFICE)
        session.add(AccessRequest(tgid=REJECTED, name="Иван", office_id=office_id, status=RequestStatus.rejected))
        session.add(AccessRequest(tgid=NEWCOMER + 10, name="Ольга", office_id=office_id, status=RequestStatus.pending))
    today: date = get_clock().today()  # the server runs on real time too
    async with db.session_scope() as session:
        await orders_domain.place_order(
            session,
            user_tgid=EMPLOYEE,
            draft={
                "cafe_id": menu.cafe_id,
                "order_date": today.isoformat(),
                "combo": {
                    "combo_id": menu.combo,
                    "dishes": [{"menu_item_id": i, "options": {}} for i in (menu.soup, menu.main, menu.salad)],
                },
                "items": [{"menu_item_id": menu.coffee, "quantity": 2, "options": {"Молоко": "Овсяное"}}],
                "notes": "Позвонить на ресепшен",
            },
        )

    page = phone
    screens = {
        "outside": "",
        "signin-failed": init_data(EMPLOYEE, token="1:forged"),
        "request": init_data(NEWCOMER),
        "pending": init_data(NEWCOMER + 10),
        "rejected": init_data(REJECTED),
        "disabled": init_data(DISABLED),
    }
    for name, data in screens.items():
        await open_app(page, miniapp_url, data, dark=dark)
        await shot(page, f"{name}-{theme}")
    await open_app(page, miniapp_url, init_data(EMPLOYEE), dark=dark)
    await page.locator(".dish").first.wait_for()
    await shot(page, f"order-{theme}")
    await page.locator("#tab-button-orders").click()
    await page.locator("#tab-orders .ma-order").first.wait_for()
    await shot(page, f"orders-{theme}")
    await page.locator("#tab-button-profile").click()
    await page.locator("#week-text").wait_for()
    await shot(page, f"profile-{theme}")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


async def test_profile_tips_generate_now_in_the_background(
    miniapp_url: str, miniapp_gemini: Any, phone: Any, menu: MiniMenu
) -> None:
    """5 orders in 30 days → "generate now" calls Gemini (stand-in) → tips shown; a second try is rate-limited."""
    from datetime import timedelta

    from lunch_app.clock import get_clock

    await add_user(EMPLOYEE, "Анна Иванова", limit="100.00")
    today = get_clock().today()
    line = {"kind": "item", "menu_item_id": menu.soup, "name": "Борщ", "category": "soup"}
    async with db.session_scope() as session:
        for days_ago in range(1, 6):
            session.add(
                Order(
                    user_tgid=EMPLOYEE,
                    user_name="Анна Иванова",
                    cafe_id=menu.cafe_id,
                    order_date=today - timedelta(days=days_ago),
                    status=OrderStatus.sent,
                    lines=[{**line, "unit_price": "7.00", "quantity": 1, "options": {}}],
                    notes="",
                    total=Decimal("7.00"),
                    created_at=get_clock().utcnow(),
                    updated_at=get_clock().utcnow(),
                )
            )
    import redis.asyncio as aioredis

    from lunch_app.settings import get_settings

    client = aioredis.from_url(get_settings().redis_url)
    await client.delete(f"reco:manual:{EMPLOYEE}", f"reco:tips:{EMPLOYEE}")
    await client.aclose()
    miniapp_gemini.set_latency(1.5)  # slow enough to see the progress state
    page = phone
    try:
        await open_app(page, miniapp_url, init_data(EMPLOYEE))
        await page.locator("#tab-button-profile").click()
        await page.locator("#tips-generate").wait_for()
        assert "Советов пока нет" in await page.locator("#tab-profile").inner_text()
        await page.locator("#tips-generate").click()
        await page.wait_for_function("() => document.getElementById('tips-generate').disabled")  # in progress
        assert "Генерируем" in await page.locator("#tips-generate").inner_text()
        await page.locator("#tab-profile li").first.wait_for()
        text = await page.locator("#tab-profile").inner_text()
        assert "You mostly order soups" in text and "Try a new main dish this week." in text
        await shot(page, "profile-tips-light")
        calls = miniapp_gemini.calls()
        assert len(calls) == 1 and "Борщ" in calls[0].prompt and "Анна" not in calls[0].prompt

        await page.locator("#tips-generate").click()  # again within the hour: refused
        await page.locator("#tips-error").wait_for()
        assert len(miniapp_gemini.calls()) == 1
    finally:
        miniapp_gemini.set_latency(0)


async def test_native_main_button_on_a_real_platform_places_the_order(
    miniapp_url: str, phone: Any, menu: MiniMenu
) -> None:
    """Inside a native Telegram client (platform "ios") the order is placed with Telegram's MainButton."""
    await add_user(EMPLOYEE, "Анна Иванова")
    page = phone
    await open_app(page, miniapp_url, init_data(EMPLOYEE), platform="ios")
    assert await screen_of(page) == "app"
    await page.locator(".dish").first.wait_for()
    main = "window.__tgClient.state.main"  # Telegram's MainButton as the client shows it
    assert not await page.evaluate(f"{main}.is_visible")  # nothing in the cart yet
    await add_dish(page, "Кофе")
    await wait_total(page, "2,50\u00a0₽")
    await page.wait_for_function(f"() => {main}.is_visible && {main}.text.includes('2,50')")
    assert await page.evaluate("document.body.classList.contains('tg-main')")
    assert not await page.locator("#place-order").is_visible()  # the page's own button gives way to the native one
    await page.evaluate("window.__tgClient.press('main')")  # the user taps Telegram's MainButton
    await page.locator("#tab-orders").wait_for()
    await page.wait_for_function(f"() => !{main}.is_visible")
    async with db.session_scope() as session:
        order = (await session.execute(select(Order))).scalar_one()
    assert order.user_tgid == EMPLOYEE and order.total == Decimal("2.50")


def _events(frames: list[str]) -> list[str]:
    """Socket.IO event packets the page sent (pings and other control frames left out)."""
    return [frame for frame in frames if frame.startswith("42")]


async def test_cutoff_countdown_ticks_in_the_browser_and_refreshes_from_the_server_at_zero(
    miniapp_url: str, phone: Any, menu: MiniMenu
) -> None:
    await add_user(EMPLOYEE, "Анна Иванова")
    page = phone
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    # The browser's clock is moved by `__shift` ms (the server keeps real time; the page's timers stay real).
    await page.add_init_script(
        "(() => { const real = Date.now; window.__shift = 0; Date.now = () => real() + window.__shift; })()"
    )

    async def browser_time(shift_ms: int, expected: str) -> str:
        """Move the browser's clock; the note's text once a tick shows `expected` (or after 5 s, whatever it is)."""
        await page.evaluate("ms => { window.__shift = ms; }", shift_ms)
        for _ in range(50):  # the countdown ticks every second
            text = (await note.inner_text()).replace("\u00a0", " ")  # the time's parts are joined by no-break spaces
            if text == expected:
                break
            await page.wait_for_timeout(100)
        return text

    await open_app(page, miniapp_url, init_data(EMPLOYEE))
    note = page.locator("#days .ma-day-note:not([data-cutoff='0'])").first  # the first day still open
    await note.wait_for()
    cutoff = int(await note.get_attribute("data-cutoff") or 0)
    server_now = int(await page.locator("#days").get_attribute("data-now") or 0)
    left_ms = cutoff - server_now
    assert left_ms > 0
    await page.wait_for_timeout(1500)  # a tick has seen the server's time; the sign-in events are sent
    before = len(_events(sent))

    # The browser's clock moved to 90 min less 30 s before the cut-off (back or forward, whatever the hour now).
    assert await browser_time(left_ms - 90 * 60_000 + 30_000, "осталось 1 ч 30 мин") == "осталось 1 ч 30 мин"
    assert await browser_time(left_ms - 90 * 60_000 + 90_000, "осталось 1 ч 29 мин") == "осталось 1 ч 29 мин"
    assert await browser_time(left_ms - 120 * 60_000 + 30_000, "осталось 2 ч") == "осталось 2 ч"  # whole hours
    assert await browser_time(left_ms - 150_000, "осталось 3 мин") == "осталось 3 мин"  # 2.5 min left, rounded up
    assert len(_events(sent)) == before  # the countdown sent no server event

    assert await browser_time(left_ms + 1_000, "закрыто") == "закрыто"  # past the cut-off by the browser's clock
    for _ in range(50):
        if any("refresh_days" in frame for frame in _events(sent)[before:]):
            break
        await page.wait_for_timeout(100)
    # It asked the server once; the server (real time) says the day is still open and re-synchronises the clock.
    assert len([f for f in _events(sent)[before:] if "refresh_days" in f]) == 1
    for _ in range(50):
        if await note.inner_text() != "закрыто":
            break
        await page.wait_for_timeout(100)
    assert await note.inner_text() != "закрыто"
    assert await page.locator("#days .ma-day.closed").count() == 0
    assert len([f for f in _events(sent)[before:] if "refresh_days" in f]) == 1


async def test_opening_the_app_does_not_shift_the_layout(miniapp_url: str, phone: Any, menu: MiniMenu) -> None:
    """No layout jumps on load: the browser's own layout-shift measure (CLS) from the first paint to the menu."""
    await add_user(EMPLOYEE, "Анна Иванова")
    page = phone
    await page.add_init_script(
        "(() => { window.__shifts = []; new PerformanceObserver(list => { for (const e of list.getEntries()) {"
        " if (!e.hadRecentInput) window.__shifts.push(e.value); } }).observe({type: 'layout-shift', buffered: true});"
        " })()"
    )
    await open_app(page, miniapp_url, init_data(EMPLOYEE))
    await page.locator(".dish").first.wait_for()
    await page.wait_for_timeout(1500)  # fonts, the countdown's first ticks, late updates
    shifts = await page.evaluate("window.__shifts")
    observed = await page.evaluate("PerformanceObserver.supportedEntryTypes.includes('layout-shift')")
    assert observed, "this Chromium does not report layout shifts"
    assert sum(shifts) < 0.1, f"cumulative layout shift {sum(shifts):.3f} ({len(shifts)} shifts): {shifts}"
    # The measure works here: content pushed down by a late block is seen as a shift.
    await page.evaluate(
        "() => { const b = document.createElement('div'); b.style.height = '160px';"
        " document.querySelector('.ma-root').prepend(b); }"
    )
    await page.wait_for_function("() => window.__shifts.length > 0")


async def test_an_employee_of_the_second_office_sees_only_its_cafes_and_its_own_cutoff_time(
    miniapp_url: str, phone: Any, menu: MiniMenu
) -> None:
    """Novosibirsk is four hours ahead of Moscow. Its employee is offered only the cafes serving Novosibirsk (not
    the Moscow office's "Столовая №1"); a cafe keeping its schedule in Moscow time with a 10:00 cut-off reads
    "до 14:00" there, and the strip starts at Novosibirsk's today."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    async with db.session_scope() as session:
        siberia = await office_in(session, "Новосибирск", timezone=NSK)
        cafe = Cafe(
            name="Сибирская кухня", description="Доставка в офис на Красном проспекте", timezone="Europe/Moscow"
        )
        session.add(cafe)
        await session.flush()
        assert cafe.id is not None
        await serve_in(session, cafe.id, [siberia])
        for weekday in range(7):
            session.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=time(10, 0)))
        session.add(MenuItem(cafe_id=cafe.id, name="Пельмени сибирские", category=Category.main, price=Decimal("9.00")))
    await add_user(EMPLOYEE + 50, "Борис Новосибирский", office="Новосибирск", timezone=NSK)
    page = phone
    await open_app(page, miniapp_url, init_data(EMPLOYEE + 50, first_name="Борис"))
    assert await screen_of(page) == "app"
    await page.locator(".dish", has_text="Пельмени сибирские").wait_for()
    assert await page.locator("#cafe-select option").all_inner_texts() == ["Сибирская кухня"]
    notes = await page.locator("#days .ma-day-note").all_inner_texts()
    assert len(notes) == 7 and "до 14:00" in notes[1:] and not any("10:00" in note for note in notes)
    first = await page.locator("#days .ma-day").first.get_attribute("data-date")
    assert first == datetime.now(ZoneInfo(NSK)).date().isoformat()
    await shot(page, "second-office")
