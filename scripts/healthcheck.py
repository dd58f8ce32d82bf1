"""Container health probes that need nothing beyond Python (the image has no curl or wget).

    python scripts/healthcheck.py http URL           healthy when URL answers 200 within a few seconds
    python scripts/healthcheck.py file NAME [MAX_AGE] healthy when HEALTH_DIR/NAME was touched less than
                                                     MAX_AGE seconds ago (default 60); workers and the bot
                                                     touch their file every few seconds while they work

Exit code 0 = healthy, 1 = unhealthy (the reason goes to stderr, which Docker shows in `docker inspect`).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_MAX_AGE = 60.0
HTTP_TIMEOUT = 5.0


def check_http(url: str) -> str | None:
    """None when healthy, else the reason."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (URL is ours)
            if response.status != 200:
                return f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{url} unreachable: {exc}"
    return None


def check_file(name: str, max_age: float, *, health_dir: str | None = None, now: float | None = None) -> str | None:
    """None when HEALTH_DIR/name exists and is younger than max_age seconds, else the reason."""
    if health_dir is None:
        from lunch_app.settings import get_settings

        health_dir = get_settings().health_dir
    path = Path(health_dir) / name
    try:
        modified = path.stat().st_mtime
    except OSError:
        return f"{path} does not exist (the process has not reported yet)"
    age = (time.time() if now is None else now) - modified
    if age > max_age:
        return f"{path} is {age:.0f} s old (limit {max_age:.0f} s)"
    return None


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "http":
        problem = check_http(argv[1])
    elif len(argv) >= 2 and argv[0] == "file":
        max_age = float(argv[2]) if len(argv) > 2 else DEFAULT_MAX_AGE
        problem = check_file(argv[1], max_age)
    else:
        print(__doc__, file=sys.stderr)
        return 1  # Docker reserves exit code 2 for health checks
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
