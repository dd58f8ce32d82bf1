"""The async engine and session factory shared by the app, the bot and the workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from lunch_app.settings import Settings, get_settings

_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # No pre-ping: it costs a round trip on every checkout. A dropped connection (database restart)
        # fails one statement, after which SQLAlchemy invalidates the whole pool and reconnects.
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _sqlite_pragmas(engine)
    return engine


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def configure(settings: Settings | None = None, *, url: str | None = None) -> AsyncEngine:
    """(Re)build the process-wide engine. Called lazily; tests call it to point at their database."""
    global _engine, _sessionmaker
    settings = settings or get_settings()
    _engine = make_engine(url or settings.database_url, pool_size=settings.database_pool_size)
    _sessionmaker = async_sessionmaker(_engine, expire_on_commit=False, class_=AsyncSession)
    return _engine


def get_engine() -> AsyncEngine:
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def session_factory() -> async_sessionmaker[AsyncSession]:
    if _sessionmaker is None:
        configure()
    assert _sessionmaker is not None
    return _sessionmaker


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """A session in one transaction: committed on success, rolled back on any error."""
    async with session_factory()() as session, session.begin():
        yield session


async def dispose() -> None:
    global _engine, _sessionmaker
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessionmaker = None
