"""The offices migration (0001 → 0002, issue 11) on a database with free-text offices: every person and request
is attached to an office row, nothing anyone could order changes, no order changes; and back down again.

Runs on a PostgreSQL database of its own and on an SQLite file (the embedded default)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.config import Config

from alembic import command
from tests.conftest import PG_ADMIN_DSN, ROOT

PEOPLE = [  # tgid, name, free-text office
    (1, "Анна", "Москва, Лесная 5"),
    (2, "Борис", "  москва,   лесная 5 "),  # the same office written differently
    (3, "Вера", "Новосибирск"),
    (4, "Глеб", ""),  # blank: the most common office
    (5, "Дина", "   "),
    (6, "Ева", "Москва, Лесная 5"),
]
REQUESTS = [(10, "Жанна", "Казань"), (11, "Зоя", ""), (12, "Ира", "новосибирск")]


def _config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    return cfg


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(async URL for alembic, sync URL for the checks) of an empty database of this test's own."""
    if request.param == "sqlite":
        path = tmp_path / "migration.db"
        yield f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
        return
    name = f"lunch_migration_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
            f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        )
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(engine: sa.Engine) -> None:
    now = "2026-11-20 09:00:00+00"
    with engine.begin() as conn:
        for tgid, name, office in PEOPLE:
            conn.execute(
                sa.text(
                    "INSERT INTO users (tgid, name, office, role, is_active, language, reminders_enabled, created_at,"
                    " updated_at) VALUES (:tgid, :name, :office, 'employee', true, 'ru', true, :now, :now)"
                ),
                {"tgid": tgid, "name": name, "office": office, "now": now},
            )
        for tgid, name, office in REQUESTS:
            conn.execute(
                sa.text(
                    "INSERT INTO access_requests (tgid, name, office, language, status, created_at)"
                    " VALUES (:tgid, :name, :office, 'ru', 'pending', :now)"
                ),
                {"tgid": tgid, "name": name, "office": office, "now": now},
            )
        for cafe_id in (1, 2):
            conn.execute(
                sa.text(
                    "INSERT INTO cafes (id, name, description, is_active, notifications_enabled, created_at)"
                    " VALUES (:id, :name, '', true, true, :now)"
                ),
                {"id": cafe_id, "name": f"Кафе {cafe_id}", "now": now},
            )
        for weekday in (0, 1, 2, 3, 4, 5):  # cafe 2 also delivers on Saturdays; Sunday's row is disabled
            conn.execute(
                sa.text(
                    "INSERT INTO schedules (cafe_id, weekday, cutoff_time, cutoff_days_before, is_enabled)"
                    " VALUES (:cafe, :weekday, '11:00', 0, true)"
                ),
                {"cafe": 2 if weekday == 5 else 1, "weekday": weekday},
            )
        conn.execute(
            sa.text(
                "INSERT INTO schedules (cafe_id, weekday, cutoff_time, cutoff_days_before, is_enabled)"
                " VALUES (1, 6, '11:00', 0, false)"
            )
        )
        for n, (tgid, name, _) in enumerate(PEOPLE):
            conn.execute(
                sa.text(
                    "INSERT INTO orders (user_tgid, user_name, cafe_id, order_date, status, lines, notes, total,"
                    " created_at, updated_at)"
                    " VALUES (:tgid, :name, :cafe, :day, :status, :lines, '', :total, :now, :now)"
                ),
                {
                    "tgid": tgid,
                    "name": name,
                    "cafe": 1 + n % 2,
                    "day": f"2026-12-0{1 + n % 5}",
                    "status": ("placed", "sent", "confirmed", "cancelled")[n % 4],
                    "lines": '[{"kind": "item", "name": "Борщ", "quantity": 1}]',
                    "total": f"{100 + n}.50",
                    "now": now,
                },
            )
        conn.execute(
            sa.text("INSERT INTO reminders (user_tgid, cafe_id, date, created_at) VALUES (1, 1, '2026-12-01', :now)"),
            {"now": now},
        )


def _rows(engine: sa.Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


ORDERS = "SELECT id, user_tgid, user_name, cafe_id, order_date, status, lines, notes, total FROM orders ORDER BY id"


def test_free_text_offices_become_office_rows_and_no_order_changes(database: tuple[str, str]) -> None:
    url, sync_url = database
    command.upgrade(_config(url), "0001")
    engine = sa.create_engine(sync_url)
    try:
        _seed(engine)
        orders_before = _rows(engine, ORDERS)
        reminders_before = _rows(engine, "SELECT user_tgid, cafe_id, date FROM reminders")

        command.upgrade(_config(url), "head")

        offices = {
            name: (office_id, zone, weekdays)
            for office_id, name, zone, weekdays in _rows(
                engine, "SELECT id, name, timezone, working_weekdays FROM offices ORDER BY id"
            )
        }
        # One row per office, spelled as first seen; the most common one first (it took the blank offices).
        assert list(offices) == ["Москва, Лесная 5", "Новосибирск", "Казань"]
        assert {zone for _, zone, _ in offices.values()} == {"Europe/Moscow"}  # APP_TIMEZONE
        weekdays = offices["Новосибирск"][2]  # every weekday some cafe delivers: what was orderable stays orderable
        assert (weekdays if isinstance(weekdays, list) else json.loads(str(weekdays))) == [0, 1, 2, 3, 4, 5]
        ids = {name: office_id for name, (office_id, _, _) in offices.items()}
        people = dict(_rows(engine, "SELECT tgid, office_id FROM users"))
        assert people == {
            1: ids["Москва, Лесная 5"],
            2: ids["Москва, Лесная 5"],
            3: ids["Новосибирск"],
            4: ids["Москва, Лесная 5"],
            5: ids["Москва, Лесная 5"],
            6: ids["Москва, Лесная 5"],
        }
        requests = dict(_rows(engine, "SELECT tgid, office_id FROM access_requests"))
        assert requests == {10: ids["Казань"], 11: ids["Москва, Лесная 5"], 12: ids["Новосибирск"]}
        served = sorted(_rows(engine, "SELECT cafe_id, office_id FROM cafe_offices"))
        assert served == sorted((cafe, office) for cafe in (1, 2) for office in ids.values())  # as before: everyone
        assert _rows(engine, "SELECT DISTINCT timezone FROM cafes") == [("Europe/Moscow",)]
        assert _rows(engine, ORDERS) == orders_before  # no order changed
        assert _rows(engine, "SELECT user_tgid, cafe_id, date FROM reminders") == reminders_before
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # the office is required now
            conn.execute(
                sa.text(
                    "INSERT INTO users (tgid, name, role, is_active, language, reminders_enabled, created_at,"
                    " updated_at) VALUES (99, 'X', 'employee', true, 'ru', true, '2026-01-01', '2026-01-01')"
                )
            )

        command.downgrade(_config(url), "0001")
        assert dict(_rows(engine, "SELECT tgid, office FROM users")) == {
            1: "Москва, Лесная 5",
            2: "Москва, Лесная 5",
            3: "Новосибирск",
            4: "Москва, Лесная 5",
            5: "Москва, Лесная 5",
            6: "Москва, Лесная 5",
        }
        assert dict(_rows(engine, "SELECT tgid, office FROM access_requests"))[10] == "Казань"
        assert _rows(engine, ORDERS) == orders_before
        assert _rows(engine, "SELECT user_tgid, cafe_id, date FROM reminders") == reminders_before
        command.upgrade(_config(url), "head")  # and up again
        assert len(_rows(engine, "SELECT id FROM offices")) == 3
        assert _rows(engine, ORDERS) == orders_before
    finally:
        engine.dispose()


def test_an_empty_database_gets_no_office_until_one_is_needed(database: tuple[str, str]) -> None:
    url, sync_url = database
    command.upgrade(_config(url), "head")
    engine = sa.create_engine(sync_url)
    try:
        assert _rows(engine, "SELECT count(*) FROM offices") == [(0,)]
    finally:
        engine.dispose()
