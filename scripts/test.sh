#!/usr/bin/env bash
# README command 2: set up and run every check: ruff (lint + format), mypy, and the whole pytest suite
# (unit, integration against the local PostgreSQL and Redis, e2e with headless Chromium).
#
#   ./scripts/test.sh                  everything
#   ./scripts/test.sh tests/unit -x    extra arguments go to pytest (checks still run first)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

say() { printf '==> %s\n' "$*"; }

bash scripts/setup.sh requirements-dev.txt

# System packages: Chromium for the browser tests, nginx and docker-compose for the deployment checks.
declare -A wanted=([chromium]=chromium [chromedriver]=chromium-driver [nginx]=nginx [docker-compose]=docker-compose)
missing=()
for binary in "${!wanted[@]}"; do
    command -v "$binary" >/dev/null 2>&1 || [ -x "/usr/sbin/$binary" ] || missing+=("${wanted[$binary]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        say "Installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
    elif [ -n "${CI:-}" ]; then
        echo "Missing system packages (${missing[*]}) and not root: cannot install them in CI." >&2
        exit 1
    else
        say "WARNING: missing ${missing[*]} (not root, not installing): tests that need them will be skipped"
    fi
fi

# Services: PostgreSQL and Redis are normally running already; start them when they are not.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    say "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "Starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

say "ruff check"
ruff check .
say "ruff format --check"
ruff format --check .
say "mypy"
mypy

say "Dockerfile build steps in a clean virtualenv (scripts/ci_build_check.sh)"
bash scripts/ci_build_check.sh

say "pytest"
status=0
pytest -q -ra --durations=15 "$@" || status=$?
case "$status" in
    0) say "All checks and tests passed." ;;
    5) echo "pytest collected no tests: that is a failure, not a pass." >&2 ;;
    *) echo "pytest failed with exit code $status." >&2 ;;
esac
exit "$status"
