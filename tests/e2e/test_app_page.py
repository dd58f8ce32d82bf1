"""The app as a user gets it: the production build, a seeded database, headless Chromium on a phone screen."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from lunch_app.demo_data import CAFES
from tests.app_fixtures import SCREENSHOTS, AppServer, chromium, seeded_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]  # the first test builds the app
CAFES_ROUTE = "/cafes"  # the Mini App itself is at "/"
__all__ = ["chromium", "seeded_app"]  # fixtures used by the tests below


def test_health_route_checks_database_and_redis(seeded_app: AppServer) -> None:
    with urllib.request.urlopen(f"{seeded_app.base_url}/api/health", timeout=10) as response:
        assert response.status == 200
        body = json.loads(response.read())
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_start_page_lists_the_seeded_cafes(seeded_app: AppServer, chromium: Any) -> None:
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = await context.new_page()
    try:
        await page.goto(seeded_app.base_url + CAFES_ROUTE)
        await page.wait_for_selector(".cafe-name", timeout=30_000)

        names = await page.locator(".cafe-name").all_inner_texts()
        assert sorted(names) == sorted(cafe.name for cafe in CAFES)
        assert await page.title() == "Обеды в офисе"
        cards = page.locator(".cafe-card")
        canteen = cards.filter(has_text="Столовая №1")
        assert "Бизнес-ланч — 450,00\u00a0₽" in await canteen.inner_text()
        assert "заказ до 11:00" in await canteen.inner_text()
        georgian = cards.filter(has_text="Грузинский дворик")
        assert "накануне до 18:00" in await georgian.inner_text()

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "cafes_390x844.png"), full_page=True)
    finally:
        await context.close()


async def test_a_cafe_added_later_shows_up_on_reload(seeded_app: AppServer, chromium: Any) -> None:
    """The list is read from the database on every load (no build-time data)."""
    import sqlite3

    with sqlite3.connect(seeded_app.database_file) as conn:
        conn.execute(
            "INSERT INTO cafes (name, description, is_active, notifications_enabled, created_at, timezone) "
            "VALUES ('Суши Мастер', '', 1, 1, '2026-01-01 00:00:00', 'Asia/Novosibirsk')"
        )
    try:
        page = await chromium.new_page(viewport={"width": 390, "height": 844})
        await page.goto(seeded_app.base_url + CAFES_ROUTE)
        await page.wait_for_selector(".cafe-name >> text=Суши Мастер", timeout=30_000)
        assert len(await page.locator(".cafe-name").all_inner_texts()) == len(CAFES) + 1
        await page.close()
    finally:
        with sqlite3.connect(seeded_app.database_file) as conn:
            conn.execute("DELETE FROM cafes WHERE name = 'Суши Мастер'")
