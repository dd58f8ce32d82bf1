"""Plain HTTP routes served next to the Reflex backend (`rx.App(api_transformer=api)`).

`/api/health` really probes the dependencies the app cannot work without: the database (SELECT 1) and
Redis (PING). 200 when both answer, 503 otherwise, with a JSON body naming what failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lunch_app import db
from lunch_app.settings import get_settings

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0


async def check_database() -> None:
    async with db.get_engine().connect() as connection:
        await connection.execute(text("SELECT 1"))


async def check_redis() -> None:
    client = aioredis.from_url(get_settings().redis_url, socket_connect_timeout=CHECK_TIMEOUT)
    try:
        await client.ping()  # type: ignore[misc]  # redis-py types ping() as sync-or-async
    finally:
        await client.aclose()


async def _probe(name: str, check: Coroutine[Any, Any, None]) -> str:
    try:
        await asyncio.wait_for(check, timeout=CHECK_TIMEOUT)
    except Exception as exc:
        log.warning("health check %s failed: %s", name, exc)
        return f"error: {type(exc).__name__}"
    return "ok"


async def health(request: Request) -> JSONResponse:
    database, redis = await asyncio.gather(_probe("database", check_database()), _probe("redis", check_redis()))
    checks = {"database": database, "redis": redis}
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status_code=200 if healthy else 503
    )


api = Starlette(routes=[Route("/api/health", health, methods=["GET"])])
