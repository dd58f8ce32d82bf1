"""Fixtures of the Mini App tests: a menu with real-time schedules, signed initData, the app with Telegram's script.

The browser tests run the production build (`reflex run --env prod`) against the run's PostgreSQL test database
with the test bot token, and serve Telegram's real telegram-web-app.js (from the npm package @twa-dev/sdk, see
tests/telegram_clients.py) as the WebApp script: it takes `initData` and the theme from the URL hash, so sign-in
goes through the real server-side validation.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from lunch_app import db
from lunch_app.models import Cafe, Category, Combo, MenuItem, MenuItemOption, Role, Schedule, Tag, User
from lunch_app.telegram_auth import sign_init_data
from tests.app_fixtures import _answers, _stop, _tail, free_port
from tests.conftest import ROOT, TABLES, TEST_BOT_TOKEN
from tests.fakes.gemini import FakeGemini
from tests.office_fixtures import office_in, serve_in
from tests.telegram_clients import app_url, launch_params, serve_telegram_files

WEB_DIR = ROOT / "artifacts" / "e2e-web-miniapp"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
START_TIMEOUT = 900
GEMINI_KEY = "e2e-gemini-key"

EMPLOYEE = 8_000_000_001
LIMITED = 8_000_000_002
DISABLED = 8_000_000_003
NEWCOMER = 8_000_000_004
REJECTED = 8_000_000_005
ENGLISH = 8_000_000_006

LIGHT_THEME = {
    "bg_color": "#ffffff",
    "secondary_bg_color": "#efeff4",
    "text_color": "#000000",
    "hint_color": "#8e8e93",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#6d6d72",
    "destructive_text_color": "#e53935",
}
DARK_THEME = {
    "bg_color": "#17212b",
    "secondary_bg_color": "#0e1621",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "section_bg_color": "#17212b",
    "section_header_text_color": "#6ab3f3",
    "destructive_text_color": "#ec3942",
}


@dataclass
class MiniMenu:
    cafe_id: int
    soup: int
    main: int
    salad: int
    steak: int
    coffee: int
    combo: int


async def reset_tables() -> None:
    async with db.session_scope() as session:
        await session.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


OFFICE = "Москва, Тверская 7"


async def add_user(
    tgid: int,
    name: str,
    *,
    limit: str | None = None,
    active: bool = True,
    lang: str = "ru",
    office: str = OFFICE,
    timezone: str = "Europe/Moscow",
) -> None:
    async with db.session_scope() as session:
        session.add(
            User(
                tgid=tgid,
                name=name,
                office_id=await office_in(session, office, timezone=timezone),
                role=Role.employee,
                is_active=active,
                language=lang,
                weekly_limit=Decimal(limit) if limit is not None else None,
            )
        )


async def build_menu(*, cutoff: dtime = dtime(23, 59), days_before: int = 0) -> MiniMenu:
    """One cafe delivering every day (cut-off on the day at 23:59 by default), so real time always has open days."""
    async with db.session_scope() as session:
        cafe = Cafe(name="Столовая №1", description="Домашняя кухня")
        session.add(cafe)
        await session.flush()
        assert cafe.id is not None
        await serve_in(session, cafe.id, [await office_in(session, OFFICE)])
        for weekday in range(7):
            session.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=cutoff, cutoff_days_before=days_before))

        def dish(name: str, category: Category, price: str | None, description: str = "", tags: Any = ()) -> MenuItem:
            item = MenuItem(
                cafe_id=cafe.id,  # type: ignore[arg-type]
                name=name,
                description=description,
                category=category,
                price=Decimal(price) if price is not None else None,
                tags=[str(tag) for tag in tags],
            )
            session.add(item)
            return item

        soup = dish("Борщ", Category.soup, "7.00", "Со сметаной и зеленью", [Tag.gluten_free])
        dish("Грибной крем-суп", Category.soup, "6.50", "Шампиньоны, сливки", [Tag.vegetarian])
        main = dish("Котлета по-киевски", Category.main, "9.00", "С маслом и зеленью")
        steak = dish("Стейк", Category.main, "10.00", "Говядина, 200 г", [Tag.gluten_free, Tag.lactose_free])
        salad = dish("Оливье", Category.salad, "5.00")
        dish("Греческий салат", Category.salad, "5.50", "Фета, оливки, овощи", [Tag.vegetarian, Tag.gluten_free])
        dish("Медовик", Category.dessert, "4.00", "", [Tag.vegetarian])
        coffee = dish("Кофе", Category.drink, "2.50", "Американо 250 мл", [Tag.vegan])
        combo = Combo(cafe_id=cafe.id, name="Комплекс А", categories=["soup", "main", "salad"], price=Decimal("15.00"))
        session.add(combo)
        await session.flush()
        assert steak.id is not None and coffee.id is not None
        session.add(
            MenuItemOption(menu_item_id=steak.id, name="Прожарка", values=["Medium", "Well done"], is_required=True)
        )
        session.add(
            MenuItemOption(menu_item_id=steak.id, name="Соус", values=["Перечный", "Грибной"], is_required=False)
        )
        session.add(
            MenuItemOption(menu_item_id=coffee.id, name="Молоко", values=["Без молока", "Овсяное"], is_required=False)
        )
        return MiniMenu(
            cafe_id=cafe.id,
            soup=soup.id,  # type: ignore[arg-type]
            main=main.id,  # type: ignore[arg-type]
            salad=salad.id,  # type: ignore[arg-type]
            steak=steak.id,  # type: ignore[arg-type]
            coffee=coffee.id,  # type: ignore[arg-type]
            combo=combo.id,  # type: ignore[arg-type]
        )


def init_data(
    tgid: int, *, first_name: str = "Анна", lang: str = "ru", age_seconds: int = 0, token: str = TEST_BOT_TOKEN
) -> str:
    user = {"id": tgid, "first_name": first_name, "last_name": "Иванова", "language_code": lang}
    auth_date = int(datetime.now(UTC).timestamp()) - age_seconds
    return sign_init_data(user, bot_token=token, auth_date=auth_date)


def launch_url(base_url: str, data: str, *, dark: bool = False, platform: str | None = None) -> str:
    """What Telegram opens: the Mini App URL with the launch parameters in the hash.

    `platform` ("ios", "android", "tdesktop", ...) is what a real Telegram client reports; the page then uses
    Telegram's native MainButton instead of its own place button.
    """
    params = launch_params(data, theme=DARK_THEME if dark else LIGHT_THEME, platform=platform)
    return app_url(base_url, params)


@pytest.fixture(scope="session")
def telegram_script_url() -> Iterator[str]:
    """Telegram's WebApp script (the real one, from @twa-dev/sdk) served on a local port."""
    yield from serve_telegram_files()


@pytest.fixture(scope="session")
async def miniapp_gemini() -> AsyncIterator[FakeGemini]:
    """The Gemini stand-in the app's "generate now" talks to (served from the test process)."""
    fake = FakeGemini()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture(scope="session")
def miniapp_url(
    database_url: str, telegram_script_url: str, engine: object, miniapp_gemini: FakeGemini
) -> Iterator[str]:
    """The production build of the app on a free port, on the run's PostgreSQL database and the test bot token."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_WEBAPP_SCRIPT_URL": telegram_script_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DEMO_MODE": "0",
        "GEMINI_API_KEYS": GEMINI_KEY,
        "GEMINI_BASE_URL": miniapp_gemini.base_url,
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
    }
    log_file = ROOT / "artifacts" / "e2e-miniapp.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", 'source scripts/env.sh && exec reflex run --env prod --frontend-port "$0"', str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{base_url}/ping"):
            if process.poll() is not None:
                pytest.fail(f"the app exited with {process.returncode} during start-up:\n{_tail(log_file)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer within {START_TIMEOUT} s:\n{_tail(log_file)}")
            time.sleep(0.5)
        yield base_url
    finally:
        _stop(process)
