"""The operator CLI, run as a real subprocess: migrate, seed-demo, create-manager, ensure-managers, check-config."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from tests.conftest import ROOT

CLI = [sys.executable, "-m", "lunch_app.cli"]


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI from an empty directory (no stray .env) with the given environment overrides."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([*CLI, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=180)


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "ENVIRONMENT": "development"}


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def _query(db_file: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_file) as conn:
        return conn.execute(sql).fetchall()


def test_migrate_seed_demo_and_if_empty_on_sqlite(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    db_file = tmp_path / "cli.db"
    assert "up to date" in _ok(run_cli("migrate", cwd=tmp_path, **sqlite_env))
    assert "4 cafes" in _ok(run_cli("seed-demo", cwd=tmp_path, **sqlite_env))

    counts = {
        table: _query(db_file, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("cafes", "menu_items", "combos", "schedules", "users", "orders", "menu_item_options")
    }
    assert counts["cafes"] == 4
    assert counts["menu_items"] >= 40
    assert counts["combos"] >= 4
    assert counts["users"] == 9
    assert counts["orders"] > 30
    assert counts["menu_item_options"] > 10

    # --if-empty is a no-op on a seeded database; without it the command refuses readably.
    again = _ok(run_cli("seed-demo", "--if-empty", cwd=tmp_path, **sqlite_env))
    assert "nothing to do" in again
    refused = run_cli("seed-demo", cwd=tmp_path, **sqlite_env)
    assert refused.returncode == 1
    assert "already has cafes" in refused.stderr and "Traceback" not in refused.stderr
    after = {table: _query(db_file, f"SELECT count(*) FROM {table}")[0][0] for table in counts}
    assert after == counts

    # Migrating a migrated database changes nothing.
    _ok(run_cli("migrate", cwd=tmp_path, **sqlite_env))


def test_demo_data_is_consistent(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    db_file = tmp_path / "cli.db"
    _ok(run_cli("migrate", cwd=tmp_path, **sqlite_env))
    _ok(run_cli("seed-demo", cwd=tmp_path, **sqlite_env))
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()

    roles = dict(_query(db_file, "SELECT tgid, role FROM users"))
    assert roles[100001] == "manager"
    assert _query(db_file, "SELECT is_active FROM users WHERE tgid = 100009") == [(0,)]
    assert _query(db_file, "SELECT weekly_limit FROM users WHERE tgid = 100003") == [(3000,)]
    assert _query(db_file, "SELECT status FROM access_requests") == [("pending",)]
    assert _query(db_file, "SELECT count(*) FROM menu_items WHERE price IS NULL")[0][0] >= 3
    cutoffs = set(_query(db_file, "SELECT cutoff_time, cutoff_days_before FROM schedules"))
    assert ("11:00:00.000000", 0) in cutoffs and ("18:00:00.000000", 1) in cutoffs

    orders = _query(
        db_file, "SELECT user_tgid, order_date, status, combo_price, lines, total, cafe_id, combo_id FROM orders"
    )
    statuses = {row[2] for row in orders}
    assert statuses <= {"placed", "sent", "confirmed", "cancelled"} and {"confirmed", "cancelled"} <= statuses
    upcoming = [row for row in orders if row[2] == "placed"]
    assert upcoming, "no live orders for the next days: My orders and Today would start empty"
    for row in upcoming:  # placed through the ordering rules, for the next open days
        assert today <= date.fromisoformat(str(row[1])) <= today + timedelta(days=2)
    spent: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    live: set[tuple[int, int, date]] = set()
    for user_tgid, order_date, status, combo_price, lines_json, total, cafe_id, combo_id in orders:
        day = date.fromisoformat(str(order_date))
        assert today - timedelta(days=21) <= day < today or (status == "placed" and day >= today)
        lines = json.loads(str(lines_json))
        assert lines, "an order without lines"
        computed = Decimal(str(combo_price or 0)) + sum(
            Decimal(line["unit_price"]) * line["quantity"] for line in lines
        )
        assert computed == Decimal(str(total)).quantize(Decimal("0.01"))
        for line in lines:
            assert set(line) == {"kind", "menu_item_id", "name", "category", "unit_price", "quantity", "options"}
            assert line["kind"] in {"combo_dish", "item"}
            if line["kind"] == "combo_dish":
                assert line["unit_price"] == "0.00" and combo_id is not None
        if status != "cancelled":
            key = (int(str(user_tgid)), int(str(cafe_id)), day)
            assert key not in live, "two live orders for one user, cafe and day"
            live.add(key)
            spent[(int(str(user_tgid)), day - timedelta(days=day.weekday()))] += Decimal(str(total))
    # Two offices four hours apart; every order is from a cafe serving its person's office; a holiday and a closure.
    offices = dict(_query(db_file, "SELECT name, timezone FROM offices"))
    assert offices == {"Москва": "Europe/Moscow", "Новосибирск": "Asia/Novosibirsk"}
    people = dict(_query(db_file, "SELECT u.tgid, o.name FROM users u JOIN offices o ON o.id = u.office_id"))
    assert set(people.values()) == {"Москва", "Новосибирск"}
    served = defaultdict(set)
    for cafe_id, office_name in _query(
        db_file, "SELECT co.cafe_id, o.name FROM cafe_offices co JOIN offices o ON o.id = co.office_id"
    ):
        served[int(str(cafe_id))].add(office_name)
    assert sorted(len(names) for names in served.values()) == [1, 1, 2, 2]  # cafes serving one or both offices
    assert all(people[int(str(row[0]))] in served[int(str(row[6]))] for row in orders)
    zones = {name: zone for name, zone in _query(db_file, "SELECT name, timezone FROM cafes")}
    assert zones["Green Bowl"] == "Asia/Novosibirsk" and zones["Столовая №1"] == "Europe/Moscow"
    holidays = _query(db_file, "SELECT o.name, h.name FROM holidays h JOIN offices o ON o.id = h.office_id")
    assert ("Москва", "Новогодние каникулы") in holidays and ("Новосибирск", "День компании") in holidays
    assert _query(db_file, "SELECT note FROM cafe_closures") == [("Ремонт кухни",)]

    limited = [amount for (tgid, _week), amount in spent.items() if tgid == 100003]
    assert limited and max(limited) <= Decimal("3000.00")
    assert all(row[0] != 100009 for row in orders), "the inactive employee has no orders"


def test_create_manager_and_ensure_managers(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    db_file = tmp_path / "cli.db"
    _ok(run_cli("migrate", cwd=tmp_path, **sqlite_env))

    created = _ok(
        run_cli("create-manager", "--tgid", "5000000001", "--name", "Анна Петрова", cwd=tmp_path, **sqlite_env)
    )
    assert "created" in created
    assert _query(db_file, "SELECT name, role, is_active FROM users WHERE tgid = 5000000001") == [
        ("Анна Петрова", "manager", 1)
    ]
    assert _query(db_file, "SELECT name FROM offices") == [("Основной офис",)]  # the default office
    unknown = run_cli(
        "create-manager", "--tgid", "5000000001", "--name", "Анна", "--office", "Лесная", cwd=tmp_path, **sqlite_env
    )
    assert unknown.returncode == 1 and "Лесная" in unknown.stderr and "Traceback" not in unknown.stderr
    _ok(run_cli("add-office", "Лесная", "--timezone", "Europe/Moscow", cwd=tmp_path, **sqlite_env))
    again = _ok(
        run_cli(
            "create-manager", "--tgid", "5000000001", "--name", "Анна", "--office", "лесная", cwd=tmp_path, **sqlite_env
        )
    )
    assert "already an active manager" in again
    assert _query(db_file, "SELECT count(*) FROM users")[0][0] == 1
    assert _query(db_file, "SELECT o.name FROM users u JOIN offices o ON o.id = u.office_id") == [("Лесная",)]

    empty_name = run_cli("create-manager", "--tgid", "7", "--name", "  ", cwd=tmp_path, **sqlite_env)
    assert empty_name.returncode == 1 and "--name" in empty_name.stderr
    bad_tgid = run_cli("create-manager", "--tgid", "many", "--name", "X", cwd=tmp_path, **sqlite_env)
    assert bad_tgid.returncode == 2 and "invalid int value" in bad_tgid.stderr
    assert _query(db_file, "SELECT count(*) FROM users")[0][0] == 1

    ensured = _ok(run_cli("ensure-managers", cwd=tmp_path, MANAGER_TGIDS="5000000001, 42", **sqlite_env))
    assert "42" in ensured
    assert dict(_query(db_file, "SELECT tgid, role FROM users")) == {5000000001: "manager", 42: "manager"}
    assert "nothing to do" in _ok(run_cli("ensure-managers", cwd=tmp_path, MANAGER_TGIDS="", **sqlite_env))


def test_dashboard_link_is_issued_for_managers_only(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    db_file = tmp_path / "cli.db"
    env = {**sqlite_env, "PUBLIC_URL": "https://lunch.example.com/"}
    _ok(run_cli("migrate", cwd=tmp_path, **env))
    _ok(run_cli("create-manager", "--tgid", "5000000001", "--name", "Анна", cwd=tmp_path, **env))

    out = _ok(run_cli("dashboard-link", "--tgid", "5000000001", cwd=tmp_path, **env))
    link = out.strip().splitlines()[-1]
    prefix = "https://lunch.example.com/manager/login?token="
    assert link.startswith(prefix) and "valid 10 min" in out
    token = link.removeprefix(prefix)
    rows = _query(db_file, "SELECT token_hash, manager_tgid, used_at FROM dashboard_tokens")
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), 5000000001, None)]  # only the hash is stored

    refused = run_cli("dashboard-link", "--tgid", "77", cwd=tmp_path, **env)  # nobody with that id manages
    assert refused.returncode == 1 and refused.stderr.startswith("Error: ")
    assert _query(db_file, "SELECT count(*) FROM dashboard_tokens")[0][0] == 1


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("APP_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("ORDER_HORIZON_DAYS", "soon", "ORDER_HORIZON_DAYS"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_check_config_rejects_bad_values_readably(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    result = run_cli("check-config", cwd=tmp_path, **{variable: value})
    assert result.returncode == 2
    assert "Configuration error" in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr


def test_check_config_refuses_placeholder_secrets_in_production(tmp_path: Path) -> None:
    result = run_cli(
        "check-config",
        cwd=tmp_path,
        ENVIRONMENT="production",
        TELEGRAM_BOT_TOKEN="123:change-me",
        DATABASE_URL="postgresql+asyncpg://lunch:secret@db/lunch",
        TELEGRAM_MINI_APP_URL="https://lunch.example.org/",
    )
    assert result.returncode == 2 and "placeholder" in result.stderr


def test_check_config_prints_a_summary_without_secrets(tmp_path: Path) -> None:
    out = _ok(
        run_cli(
            "check-config",
            cwd=tmp_path,
            DATABASE_URL="postgresql+asyncpg://lunch:s3cr3t-pass@127.0.0.1/lunch",
            TELEGRAM_BOT_TOKEN="777:top-secret-token",
        )
    )
    assert "Configuration is valid" in out and "777" in out
    assert "s3cr3t-pass" not in out and "top-secret-token" not in out


def test_migrate_on_postgresql_is_idempotent(tmp_path: Path, database_url: str) -> None:
    """The test database is already at head (conftest ran Alembic): migrating again is a clean no-op."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert "up to date" in _ok(run_cli("migrate", cwd=tmp_path, DATABASE_URL=database_url))
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == before
        assert conn.execute("SELECT to_regclass('public.orders') IS NOT NULL").fetchone() == (True,)


def test_unreachable_database_is_reported_without_traceback(tmp_path: Path) -> None:
    result = run_cli("migrate", cwd=tmp_path, DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "Error: database" in result.stderr and "Traceback" not in result.stderr
