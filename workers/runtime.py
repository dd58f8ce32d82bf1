"""What every worker process shares: JSON logs, SIGTERM handling, a health file, clear start-up errors.

A worker is `run_worker(name, body)`: `body(ctx)` is a coroutine that runs until `ctx.stop` is set. The
runtime
- loads settings (a bad configuration exits with code 2 and a readable message, no traceback);
- configures logging as one JSON object per line on stderr (`ts`, `level`, `worker`, `logger`, `msg`,
  plus the record's `extra` fields);
- checks the database answers before starting (exit 1 with the reason otherwise);
- turns SIGTERM/SIGINT into `ctx.stop`: the body finishes or hands back its work in flight; a body that
  does not return within `shutdown_timeout` seconds is cancelled;
- touches `settings.health_dir/<name>` every `heartbeat_seconds` while the body's loops report progress
  (`ctx.progress(...)`), and removes it on exit; `scripts/healthcheck.py file <name>` reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lunch_app.settings import Settings, SettingsError, get_settings

log = logging.getLogger("workers")

_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, worker: str) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "worker": self.worker,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info))[-4000:]
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(worker: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(worker))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka repeats every connection failure at ERROR while the broker is away; our loops log it once.
    logging.getLogger("aiokafka").setLevel(max(logging.getLevelName(level), logging.WARNING))
    logging.getLogger("aiokafka.conn").setLevel(logging.CRITICAL)


@dataclass
class WorkerContext:
    name: str
    settings: Settings
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    stale_after: float = 120.0
    _beats: dict[str, float] = field(default_factory=dict)

    def progress(self, loop_name: str = "main") -> None:
        """A loop says it is alive (call at least once per iteration)."""
        self._beats[loop_name] = time.monotonic()

    def healthy(self) -> bool:
        now = time.monotonic()
        return all(now - beat < self.stale_after for beat in self._beats.values())

    def progress_hook(self, loop_name: str) -> Callable[[], None]:
        self.progress(loop_name)
        return lambda: self.progress(loop_name)


class HealthFile:
    def __init__(self, directory: str, name: str) -> None:
        self.path = Path(directory) / name

    def touch(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


async def heartbeat(ctx: WorkerContext, *, interval: float) -> None:
    health = HealthFile(ctx.settings.health_dir, ctx.name)
    try:
        while not ctx.stop.is_set():
            if ctx.healthy():
                health.touch()
            else:
                log.error("a worker loop stopped making progress; health file not refreshed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stop.wait(), timeout=interval)
    finally:
        health.remove()


async def check_database() -> None:
    """Fail fast with the reason when the database does not answer."""
    import sqlalchemy as sa

    from lunch_app import db

    async with db.get_engine().connect() as conn:
        await conn.execute(sa.text("SELECT 1"))


async def run_body(
    ctx: WorkerContext,
    body: Callable[[WorkerContext], Awaitable[None]],
    *,
    heartbeat_seconds: float = 5.0,
    shutdown_timeout: float = 30.0,
    install_signals: bool = True,
) -> None:
    """Run `body` with the heartbeat and signal handling until it returns or a stop is requested."""
    loop = asyncio.get_running_loop()
    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _on_signal, ctx, sig)
    beat = asyncio.create_task(heartbeat(ctx, interval=heartbeat_seconds), name=f"{ctx.name}-heartbeat")
    main: asyncio.Future[Any] = asyncio.ensure_future(body(ctx))
    try:
        stopper: asyncio.Future[Any] = asyncio.ensure_future(ctx.stop.wait())
        await asyncio.wait({main, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not main.done():
            done, _ = await asyncio.wait({main}, timeout=shutdown_timeout)
            if not done:
                log.warning("shutdown timeout: cancelling work in flight", extra={"timeout": shutdown_timeout})
                main.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await main
    finally:
        ctx.stop.set()
        await beat


async def run_together(ctx: WorkerContext, *loops: Awaitable[None]) -> None:
    """Run a process's loops side by side; if one of them crashes, stop the others and re-raise."""
    tasks = [asyncio.ensure_future(loop) for loop in loops]
    try:
        for finished in asyncio.as_completed(tasks):
            try:
                await finished
            except Exception:
                log.exception("a worker loop crashed; stopping the process")
                ctx.stop.set()
                raise
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        raise
    finally:
        ctx.stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


def _on_signal(ctx: WorkerContext, sig: signal.Signals) -> None:
    log.info("stop requested", extra={"signal": sig.name})
    ctx.stop.set()


def run_worker(name: str, body: Callable[[WorkerContext], Awaitable[None]]) -> int:
    """The `python -m workers.<name>` entry point; returns the process exit code."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"{name}: cannot start: {exc}", file=sys.stderr)
        return 2
    setup_logging(name, settings.log_level)
    if settings.is_sqlite:
        log.error("workers need PostgreSQL (DATABASE_URL is SQLite)")
        return 2

    async def main() -> int:
        from lunch_app import db

        db.configure(settings)
        try:
            await asyncio.wait_for(check_database(), timeout=15)
        except Exception as exc:
            log.error("cannot start: the database does not answer", extra={"error": f"{type(exc).__name__}: {exc}"})
            return 1
        ctx = WorkerContext(name=name, settings=settings)
        log.info("worker started")
        try:
            await run_body(ctx, body)
        finally:
            await db.dispose()
        log.info("worker stopped")
        return 0

    try:
        import uvloop

        return uvloop.run(main())
    except KeyboardInterrupt:
        return 130
