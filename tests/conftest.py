"""Test harness: a fresh PostgreSQL database per run (migrated with Alembic), real Redis, a movable clock.

Every test starts from empty tables. Settings come from the environment set here, before anything
reads them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.redis_db import claim_redis_url

pytest_plugins = ["tests.fakes.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DB_NAME = f"lunch_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_BOT_TOKEN = "424242:test-bot-token-for-the-stand-in"

os.environ.update(
    {
        "ENVIRONMENT": "test",
        "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{TEST_DB_NAME}",
        # A Redis database of this run's own (the machine's Redis is shared with other runs).
        "REDIS_URL": os.environ.get("TEST_REDIS_URL") or claim_redis_url("tests"),
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "APP_TIMEZONE": "Europe/Moscow",
        "MANAGER_TGIDS": "",
        "GEMINI_API_KEYS": "",
        "DEMO_MODE": "0",
        "LOG_LEVEL": "WARNING",
    }
)

from lunch_app import db  # noqa: E402
from lunch_app.clock import MovableClock, set_clock  # noqa: E402
from lunch_app.settings import reset_settings_cache  # noqa: E402

MSK = ZoneInfo("Europe/Moscow")
# Monday 30 November 2026, 09:00 Moscow time: the default "now" of every test.
DEFAULT_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=MSK)


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)


def migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    _admin_execute(f'CREATE DATABASE "{TEST_DB_NAME}"')
    url = os.environ["DATABASE_URL"]
    try:
        migrate(url)
        yield url
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[object]:
    reset_settings_cache()
    eng = db.configure(url=database_url)
    yield eng
    await db.dispose()


TABLES = (
    "audit_log, outbox, reminders, dashboard_tokens, dispatches, reports, orders, schedules, combos, "
    "menu_item_options, menu_items, cafe_link_requests, cafe_closures, cafe_offices, holidays, extra_workdays, cafes, "
    "access_requests, users, offices"
)


@pytest.fixture
async def clean_db(engine: object) -> AsyncIterator[None]:
    from sqlalchemy import text

    async with db.session_scope() as session:
        await session.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    yield


@pytest.fixture
def clock() -> Iterator[MovableClock]:
    movable = MovableClock(DEFAULT_NOW)
    previous = set_clock(movable)
    yield movable
    set_clock(previous)


@pytest.fixture
async def db_ready(clean_db: None, clock: MovableClock) -> MovableClock:
    """Empty tables and a movable clock; tests open transactions with `db.session_scope()`."""
    return clock


@pytest.fixture
async def redis_client() -> AsyncIterator[object]:
    import redis.asyncio as aioredis

    from lunch_app.settings import get_settings

    client = aioredis.from_url(get_settings().redis_url)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()
