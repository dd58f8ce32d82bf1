"""The recommendations worker's real loop: daily tasks through the bundled Kafka broker to Gemini and Redis."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from lunch_app.clock import MovableClock
from lunch_app.domain.recommendations import cached_tips
from lunch_app.settings import get_settings, reset_settings_cache
from tests.fakes.gemini import FakeGemini
from tests.integration.test_recommendations import seed_users
from workers.recommendations import body
from workers.runtime import WorkerContext, run_body

ROOT = Path(__file__).resolve().parents[2]


async def _publish(kafka: object, payload: dict) -> None:
    producer = await kafka.producer()  # type: ignore[attr-defined]
    await producer.send_and_wait(kafka.daily_tasks, json.dumps(payload).encode(), key=b"nightly")  # type: ignore[attr-defined]


async def test_nightly_task_generates_tips_once_even_if_redelivered(
    db_ready: MovableClock, redis_client: object, kafka: object, fake_gemini: FakeGemini, monkeypatch: object
) -> None:
    monkeypatch.setenv("GEMINI_API_KEYS", "key-1,key-2")  # type: ignore[attr-defined]
    monkeypatch.setenv("HEALTH_DIR", str(ROOT / "artifacts" / "health-test"))  # type: ignore[attr-defined]
    reset_settings_cache()
    tgids = await seed_users(3)
    ctx = WorkerContext(name="recommendations-test", settings=get_settings())
    worker = asyncio.create_task(run_body(ctx, body, heartbeat_seconds=0.2, install_signals=False))
    task = {"type": "generate_recommendations", "event_id": "nightly:2026-11-30", "occurred_at": "x"}
    await _publish(kafka, task)
    await fake_gemini.wait_for(count=3, timeout=30)
    for _ in range(100):
        if all([await cached_tips(redis_client, user_tgid=t) for t in tgids]):  # type: ignore[arg-type]
            break
        await asyncio.sleep(0.1)
    assert all([await cached_tips(redis_client, user_tgid=t) for t in tgids])  # type: ignore[arg-type]
    assert (Path(get_settings().health_dir) / "recommendations-test").exists()
    # The same task again (a redelivery or a second scheduler): no new Gemini calls.
    await _publish(kafka, task)
    await _publish(kafka, {"type": "generate_recommendations", "event_id": "manual:1", "user_tgid": tgids[0]})
    await fake_gemini.wait_for(count=4, timeout=30)
    await asyncio.sleep(1.0)
    assert len(fake_gemini.calls()) == 4
    ctx.stop.set()
    await asyncio.wait_for(worker, timeout=30)
    assert not (Path(get_settings().health_dir) / "recommendations-test").exists()


def test_process_refuses_to_start_with_bad_configuration() -> None:
    env = {**os.environ, "APP_TIMEZONE": "Mars/Olympus"}
    result = subprocess.run(
        [sys.executable, "-m", "workers.recommendations"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "APP_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_process_stops_cleanly_on_sigterm(database_url: str, kafka_broker: object, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap,  # type: ignore[attr-defined]
        "HEALTH_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "workers.recommendations"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        health = tmp_path / "recommendations"
        for _ in range(300):
            if health.exists():
                break
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            import time

            time.sleep(0.1)
        assert health.exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        logs = proc.stderr.read() if proc.stderr else ""
        assert '"msg": "worker stopped"' in logs
        assert not health.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
