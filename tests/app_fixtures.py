"""Fixtures for browser tests: the real Reflex app (production build) and headless Chromium.

The app is built and started once per test session with `reflex run --env prod` on a free port, with its
own SQLite database (migrated and seeded through the CLI) and its own web build directory, so it never
disturbs a developer's `scripts/run.sh`. The environment for Reflex comes from scripts/env.sh.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WEB_DIR = ROOT / "artifacts" / "e2e-web"
START_TIMEOUT = 900  # a cold build installs the frontend packages from the npm registry


@dataclass
class AppServer:
    base_url: str
    database_url: str
    database_file: Path
    log_file: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lunch_app.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"cli {args} failed:\n{result.stdout}\n{result.stderr}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The production build of the app serving a freshly migrated SQLite database with the demo data.

    DEMO_MODE is on, as in what scripts/run.sh starts: a plain browser gets the demo sign-in picker.
    """
    work = tmp_path_factory.mktemp("app")
    database_file = work / "app.db"
    database_url = f"sqlite+aiosqlite:///{database_file}"
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DEMO_MODE": "1",
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
    }
    cli("migrate", cwd=work, env=env)
    cli("seed-demo", cwd=work, env=env)

    log_file = ROOT / "artifacts" / "e2e-app.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", 'source scripts/env.sh && exec reflex run --env prod --frontend-port "$0"', str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{base_url}/ping"):
            if process.poll() is not None:
                pytest.fail(f"the app exited with {process.returncode} during start-up:\n{_tail(log_file)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer within {START_TIMEOUT} s:\n{_tail(log_file)}")
            time.sleep(0.5)
        yield AppServer(base_url=base_url, database_url=database_url, database_file=database_file, log_file=log_file)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    """Headless Chromium from Debian driven by Playwright (never `playwright install`)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver (scripts/test.sh does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
