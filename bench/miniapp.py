"""Mini App load benchmark: N concurrent clients over Reflex's real websocket protocol (python-socketio).

Each client does what the browser does on open: connect with the hydrate event in the CONNECT packet, run the
page's on_load (which asks for Telegram initData through `call_script`), answer with signed initData, pick the
cafe (menu + 7-day strip), add a dish and place an order. Latency is measured per event, from sending it until
the state update it causes arrives. The app is the production build (`reflex run --env prod`) with the state in
Redis, on a fresh migrated PostgreSQL database. Also prints the compressed bytes of a first page load (headless
Chromium) and the backend's RSS.

    .venv/bin/python -m bench.miniapp                   # 50 and 200 clients
    .venv/bin/python -m bench.miniapp --clients 20      # one run
    .venv/bin/python -m bench.miniapp --think 0         # every client acts at once, with no pauses (a burst)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT, fresh_database, percentile
from tests.redis_db import claim_redis_url

STATE = "reflex___state____state.lunch_app___states___miniapp____mini_app"
ROOT_STATE = "reflex___state____state"
BOT_TOKEN = "424242:bench-bot-token"
REDIS_URL = claim_redis_url("bench-miniapp")  # this run's own database: it is flushed
FIRST_TGID = 9_100_000_000
WEB_DIR = ROOT / "artifacts" / "bench-web"
TIMEOUT = 60.0
WORKERS = os.environ.get("GRANIAN_WORKERS", "2")  # as docker-compose.prod.yml (APP_WORKERS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(database_url: str, users: int) -> tuple[int, int]:
    os.environ["DATABASE_URL"] = database_url
    from lunch_app import db
    from lunch_app.models import Cafe, CafeOffice, Category, MenuItem, MenuItemOption, Office, Role, Schedule, User
    from lunch_app.settings import reset_settings_cache

    reset_settings_cache()
    db.configure(url=database_url)
    async with db.session_scope() as session:
        office = Office(name="Офис", working_weekdays=list(range(7)))
        cafe = Cafe(name="Столовая №1")
        session.add_all([office, cafe])
        await session.flush()
        assert cafe.id is not None and office.id is not None
        session.add(CafeOffice(cafe_id=cafe.id, office_id=office.id))
        for weekday in range(7):
            session.add(Schedule(cafe_id=cafe.id, weekday=weekday, cutoff_time=dtime(23, 59), cutoff_days_before=0))
        dishes = []
        for index, category in enumerate([Category.soup, Category.main, Category.salad, Category.drink] * 5):
            dish = MenuItem(cafe_id=cafe.id, name=f"Блюдо {index}", category=category, price=Decimal("5.00"))
            session.add(dish)
            dishes.append(dish)
        await session.flush()
        first_dish = dishes[0].id
        assert first_dish is not None
        session.add(MenuItemOption(menu_item_id=first_dish, name="Соус", values=["А", "Б"], is_required=False))
        for offset in range(users):
            session.add(
                User(tgid=FIRST_TGID + offset, name=f"Сотрудник {offset}", office_id=office.id, role=Role.employee)
            )
        cafe_id = cafe.id
    await db.dispose()
    return cafe_id, first_dish


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    by_event: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.by_event.setdefault(name, []).append(seconds)


class Client:
    """One Mini App open, speaking Reflex's socket.io event protocol."""

    def __init__(
        self, base_url: str, tgid: int, result: Result, think: float = 0.0, bot_token: str = BOT_TOKEN
    ) -> None:
        import socketio

        self.base_url = base_url
        self.tgid = tgid
        self.bot_token = bot_token
        self.result = result
        self.think = think
        self.token = str(uuid.uuid4())
        self.state: dict[str, Any] = {}
        self.updates = 0
        self.changed = asyncio.Event()
        self.script_asked = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace="/_event")

    async def _on_update(self, update: dict[str, Any]) -> None:
        self.updates += 1
        for name, values in (update.get("delta") or {}).items():
            self.state.setdefault(name, {}).update(values)
        for event in update.get("events") or []:
            name = event.get("name", "")
            if name == "_call_script" and "initData" in event.get("payload", {}).get("javascript_code", ""):
                self.script_asked.set()
            elif name and not name.startswith("_"):
                await self.emit(name, event.get("payload") or {})  # chained events go back, as the browser does
        self.changed.set()

    def var(self, name: str) -> Any:
        return self.state.get(STATE, {}).get(f"{name}_rx_state_")

    async def emit(self, name: str, payload: dict[str, Any]) -> None:
        router = {"pathname": "/", "asPath": "/"}
        await self.sio.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace="/_event")

    async def until(self, ready: Callable[[], bool]) -> None:
        deadline = time.perf_counter() + TIMEOUT
        while not ready():
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=max(0.01, deadline - time.perf_counter()))

    async def timed(self, name: str, payload: dict[str, Any], changes: str, ready: Callable[[], bool]) -> None:
        """Send one event and wait for the update it causes (`changes` is a var the event's delta carries)."""
        if self.think:  # a person reads and taps: 0.5–1.5 × think seconds between actions
            await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
        self.state.setdefault(STATE, {}).pop(f"{changes}_rx_state_", None)
        started = time.perf_counter()
        await self.emit(f"{STATE}.{name}", payload)
        await self.until(lambda: self.var(changes) is not None and ready())
        self.result.add(name, time.perf_counter() - started)

    async def run(self, cafe_id: int, dish_id: int) -> None:
        from lunch_app.telegram_auth import sign_init_data

        boot = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {},
            "router_data": {"pathname": "/", "asPath": "/"},
        }
        try:
            if self.think:  # people open the app over a few seconds, not in the same millisecond
                await asyncio.sleep(random.uniform(0, 5 * self.think))
            started = time.perf_counter()
            await self.sio.connect(
                f"{self.base_url}?token={self.token}",
                socketio_path="/_event",
                namespaces=["/_event"],
                transports=["websocket"],
                auth={"event": boot},
                wait_timeout=TIMEOUT,
            )
            await asyncio.wait_for(self.script_asked.wait(), timeout=TIMEOUT)  # hydrate → on_load → call_script
            self.result.add("connect+hydrate+on_load", time.perf_counter() - started)
            user = {"id": self.tgid, "first_name": "Bench", "language_code": "ru"}
            data = sign_init_data(user, bot_token=self.bot_token, auth_date=datetime.now(UTC))
            signed = {"data": {"initData": data, "lang": "ru"}}
            await self.timed("signed", signed, "sections", lambda: self.var("screen") == "app")
            await self.timed("pick_cafe", {"cafe_id": str(cafe_id)}, "days", lambda: True)
            await self.timed("open_dish", {"item_id": dish_id}, "sheet", lambda: self.var("sheet") == "dish")
            await self.timed("add_dish", {}, "cart_total", lambda: bool(self.var("cart_total")))
            await self.timed("place", {}, "busy", lambda: self.var("busy") is False)
            if self.var("tab") != "orders":
                self.result.errors.append(f"{self.tgid}: {self.var('cart_error')}")
        except Exception as exc:  # a benchmark reports failures, it does not stop at the first
            self.result.errors.append(f"{self.tgid}: {type(exc).__name__} {exc}")
        finally:
            if self.sio.connected:
                await self.sio.disconnect()


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes of a process group (the backend and its workers)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def backend_rss_mb(pgid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


async def first_load_bytes(base_url: str) -> tuple[int, int]:
    """Encoded (over-the-wire) bytes and request count of a first page load in headless Chromium."""
    from playwright.async_api import async_playwright

    sizes: list[int] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 390, "height": 844})

        async def on_finished(request: Any) -> None:
            sizes.append((await request.sizes())["responseBodySize"])

        page.on("requestfinished", on_finished)
        await page.goto(base_url + "/", wait_until="networkidle")
        await browser.close()
    return sum(sizes), len(sizes)


def start_app(database_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REFLEX_STATE_MANAGER_MODE": "redis",
        "REFLEX_REDIS_URL": REDIS_URL,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBAPP_SCRIPT_URL": "/telegram_bridge.js",  # no internet here; the real script is not needed
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "GRANIAN_WORKERS": WORKERS,
    }
    log = (ROOT / "artifacts" / "bench-miniapp.log").open("wb")
    return subprocess.Popen(
        ["bash", "-c", 'source scripts/env.sh && exec reflex run --env prod --frontend-port "$0"', str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(1800):
            if process.poll() is not None:
                raise SystemExit("the app exited; see artifacts/bench-miniapp.log")
            try:
                if (await client.get(f"{base_url}/ping", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("the app did not start; see artifacts/bench-miniapp.log")


async def run_round(
    base_url: str, clients: int, first_tgid: int, cafe_id: int, dish_id: int, think: float = 0.0
) -> Result:
    result = Result()
    runners = [Client(base_url, first_tgid + i, result, think) for i in range(clients)]
    await asyncio.gather(*(runner.run(cafe_id, dish_id) for runner in runners))
    return result


async def bench(database_url: str, rounds: list[int], think: float) -> None:
    import redis

    import rxconfig  # noqa: F401  - sets the state lease variables exactly as the app's own start does

    redis.Redis.from_url(REDIS_URL).flushdb()
    cafe_id, dish_id = await seed(database_url, sum(rounds) + 3)
    port = free_port()
    process = start_app(database_url, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base_url, process)
        await run_round(base_url, 3, FIRST_TGID, cafe_id, dish_id)  # warm-up (uses 3 users' orders)
        total, requests = await first_load_bytes(base_url)
        print(f"first page load: {total / 1024:.0f} KiB compressed in {requests} requests (target ≤ 600 KB)")
        lease = os.environ.get("REFLEX_OPLOCK_HOLD_TIME_MS") if os.environ.get("REFLEX_OPLOCK_ENABLED") else None
        print(f"state: Redis, {'lease ' + lease + ' ms' if lease else 'no lease'} (STATE_LEASE_MS), {WORKERS} workers")
        first = FIRST_TGID + 3
        for clients in rounds:
            started = time.perf_counter()
            cpu_before = time.process_time()
            backend_before = group_cpu_seconds(process.pid)
            busy_before, total_before = machine_busy()
            result = await run_round(base_url, clients, first, cafe_id, dish_id, think)
            client_cpu = time.process_time() - cpu_before
            backend_cpu = group_cpu_seconds(process.pid) - backend_before
            busy_after, total_after = machine_busy()
            machine = (busy_after - busy_before) / max(1e-9, total_after - total_before) * 100
            first += clients
            elapsed = time.perf_counter() - started
            lat = result.latencies
            print(
                f"{clients:4d} clients (think {think:g} s): {len(lat)} events in {elapsed:.1f} s, "
                f"p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
                f"max {max(lat, default=0) * 1000:.0f} ms, errors {len(result.errors)}, "
                f"backend RSS {backend_rss_mb(process.pid):.0f} MB"
            )
            print(
                f"      CPU: backend {backend_cpu:.1f} s ({backend_cpu / max(1, clients) * 1000:.0f} ms per client), "
                f"bench clients {client_cpu:.1f} s, whole machine {machine:.0f}% busy of {os.cpu_count()} cores "
                f"(includes PostgreSQL, Redis and anything else running)"
            )
            print(
                "      "
                + ", ".join(f"{name} p95 {percentile(v, 95) * 1000:.0f}" for name, v in result.by_event.items())
            )
            for error in result.errors[:5]:
                print("   ", error)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        redis.Redis.from_url(REDIS_URL).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="*", default=[50, 200])
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between a client's actions (0: all at once, a burst)"
    )
    args = parser.parse_args()
    with fresh_database("bench_miniapp") as database_url:
        asyncio.run(bench(database_url, args.clients, args.think))


if __name__ == "__main__":
    main()
