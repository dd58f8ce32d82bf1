"""The production build of the app for end-to-end tests: the exported frontend plus the Reflex backend.

`prod_app` (session scope) exports the frontend with scripts/build_frontend.sh (the Dockerfile's build step)
into its own Reflex web directory, artifacts/nginx-e2e-web (REFLEX_WEB_WORKDIR, so a developer's `.web` and
other tests' builds are untouched), unless a build newer than every source file is already there; copies the
static files aside; and starts the backend with the production start command
(`scripts/docker-entrypoint.sh app`, i.e. `reflex run --env prod --backend-only`) with ENVIRONMENT=production,
so state lives in Redis exactly as in docker-compose.prod.yml. The database is the run's fresh, migrated test
database (`database_url` from tests/conftest.py); Redis is a database claimed for this run
(tests/redis_db.py), flushed first.

Use it from a test module with `from tests.e2e.prod_app import prod_app  # noqa: F401`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.redis_db import claim_redis_url

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = ROOT / "artifacts" / "nginx-e2e-web"
FRONTEND_BUILD = WEB_DIR / "build" / "client"
FRONTEND_SOURCES = ("rxconfig.py", "requirements.txt", "lunch_app", "assets")
BACKEND_REDIS_URL = claim_redis_url("e2e-backend")  # its own database: the backend's state is flushed
PUBLIC_ORIGIN = "https://lunch.e2e.invalid"
STARTUP_LIMIT = 180.0
BUILD_LIMIT = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def frontend_is_current() -> bool:
    index = FRONTEND_BUILD / "index.html"
    if not index.is_file():
        return False
    built = index.stat().st_mtime
    for name in FRONTEND_SOURCES:
        source = ROOT / name
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        if any(path.stat().st_mtime > built for path in files if "__pycache__" not in path.parts):
            return False
    return True


def build_frontend() -> None:
    """scripts/build_frontend.sh in the repository (as the Dockerfile's build stage does)."""
    env = {**os.environ, "REFLEX_API_URL": PUBLIC_ORIGIN, "REFLEX_WEB_WORKDIR": str(WEB_DIR)}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_frontend.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_LIMIT,
    )
    if result.returncode != 0:
        pytest.fail(f"frontend build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def backend_environment(database_url: str, port: int, health_dir: Path) -> dict[str, str]:
    """The variables docker-compose.prod.yml gives the app, pointed at the test services."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "NPM_CONFIG_REGISTRY"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    # The image has its venv first on PATH; here that is the venv running the tests (reflex, python).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env.update(
        {
            "ENVIRONMENT": "production",
            "DATABASE_URL": database_url,
            "REDIS_URL": BACKEND_REDIS_URL,
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
            "TELEGRAM_BOT_TOKEN": "424242:e2e-nginx-stand-in",
            "TELEGRAM_MINI_APP_URL": f"{PUBLIC_ORIGIN}/",
            "TELEGRAM_API_BASE": "http://127.0.0.1:9",
            "PUBLIC_URL": PUBLIC_ORIGIN,
            "REFLEX_API_URL": PUBLIC_ORIGIN,
            "APP_TIMEZONE": "Europe/Moscow",
            "TZ": "Europe/Moscow",
            "GEMINI_API_KEYS": "",
            "DEMO_MODE": "0",
            "LOG_LEVEL": "WARNING",
            "HEALTH_DIR": str(health_dir),
            "GRANIAN_WORKERS": "2",
            "BACKEND_HOST": "127.0.0.1",
            "BACKEND_PORT": str(port),
            "PYTHONUNBUFFERED": "1",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        }
    )
    return env


@dataclass
class ProdApp:
    """A running production backend and a private copy of the exported frontend."""

    frontend_dir: Path
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.exists() else ""

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "docker-entrypoint.sh"), "app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: granian workers stop with it
        )
        log.close()
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"backend exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/ping", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"backend did not answer /ping within {STARTUP_LIMIT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The backend is down inside the block and serving again after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(BACKEND_REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture(scope="session")
def prod_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProdApp]:
    if not frontend_is_current():
        build_frontend()
    work = tmp_path_factory.mktemp("prod_app")
    frontend = work / "client"
    shutil.copytree(FRONTEND_BUILD, frontend)
    _flush_redis()
    port = free_port()
    app = ProdApp(
        frontend_dir=frontend,
        port=port,
        env=backend_environment(database_url, port, work / "health"),
        log_path=work / "backend.log",
    )
    app.start()
    try:
        yield app
    finally:
        app.stop()
        _flush_redis()
