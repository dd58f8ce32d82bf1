"""The production state setup works end to end: Redis state, two Granian workers, Reflex's state lease on.

Several Mini App clients speak Reflex's websocket protocol to the production backend (`scripts/docker-entrypoint.sh
app`, the same start as docker-compose.prod.yml) at once, each through sign-in with signed initData, the menu, a
dish and placing an order (the client of bench/miniapp.py). Then each client comes back on new connections,
which may land on either worker while the other still holds the client's state in memory: the state they get
is the one the client left (the lease is broken and the state handed over), never an older copy from Redis.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import redis
import socketio
from sqlalchemy import func, select

from bench.miniapp import STATE, Client, Result
from lunch_app import db
from lunch_app.models import Order
from tests.e2e.prod_app import BACKEND_REDIS_URL, ProdApp, prod_app  # noqa: F401
from tests.miniapp_fixtures import add_user, build_menu, reset_tables

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIRST = 9_300_000_000
CLIENTS = 6
HYDRATE = "reflex___state____state.hydrate"


def leased(tokens: list[str]) -> list[str]:
    """The client tokens whose state lock is held in Redis now."""
    client = redis.Redis.from_url(BACKEND_REDIS_URL)
    try:
        return [token for token in tokens if any(client.scan_iter(match=f"*{token}*_lock"))]
    finally:
        client.close()


async def state_on_a_new_connection(base_url: str, token: str) -> dict[str, Any]:
    """What the backend holds for the client `token`, read by hydrating on a fresh websocket connection."""
    got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sio = socketio.AsyncClient(reconnection=False)

    @sio.on("event", namespace="/_event")
    async def on_event(update: dict[str, Any]) -> None:
        await got.put(update)

    await sio.connect(
        f"{base_url}?token={token}", socketio_path="/_event", namespaces=["/_event"], transports=["websocket"]
    )
    try:
        router = {"pathname": "/", "query": {}, "asPath": "/"}
        await sio.emit("event", {"name": HYDRATE, "payload": {}, "router_data": router}, namespace="/_event")
        while True:
            update = await asyncio.wait_for(got.get(), 30)
            if STATE in (update.get("delta") or {}):
                return {key.removesuffix("_rx_state_"): value for key, value in update["delta"][STATE].items()}
    finally:
        await sio.disconnect()


async def test_concurrent_clients_order_and_their_state_follows_them_across_workers(
    prod_app: ProdApp,  # noqa: F811
    engine: object,
) -> None:
    await reset_tables()
    menu = await build_menu()
    for offset in range(CLIENTS):
        await add_user(FIRST + offset, f"Сотрудник {offset}")
    bot_token = prod_app.env["TELEGRAM_BOT_TOKEN"]
    result = Result()
    clients = [Client(prod_app.base_url, FIRST + i, result, bot_token=bot_token) for i in range(CLIENTS)]
    for client in clients:
        client.token = str(uuid.uuid4())

    await asyncio.gather(*(client.run(menu.cafe_id, menu.coffee) for client in clients))
    # The lease is on: a worker still holds the Redis locks of clients whose last event is already answered
    # (without it every event releases its lock before its answer is sent).
    held = await asyncio.to_thread(leased, [client.token for client in clients])

    assert result.errors == [], f"{result.errors}\n{prod_app.log_tail()}"
    assert held, "no client's state is leased right after its events: STATE_LEASE_MS is not in effect"
    assert len(result.latencies) == CLIENTS * 6  # every step of every client got its answer
    async with db.session_scope() as session:
        placed = (await session.execute(select(func.count()).select_from(Order))).scalar_one()
    assert placed == CLIENTS
    for client in clients:
        assert client.var("tab") == "orders" and len(client.var("upcoming")) == 1

    for _ in range(3):  # new connections land on either worker; each sees the state the client left
        seen = await asyncio.gather(*(state_on_a_new_connection(prod_app.base_url, c.token) for c in clients))
        for client, state in zip(clients, seen, strict=True):
            assert state["screen"] == "app" and state["tab"] == "orders", state.get("screen")
            assert [card["id"] for card in state["upcoming"]] == [card["id"] for card in client.var("upcoming")]
            assert state["cart_lines"] == []  # the order was placed: the cart is empty, not an older copy
