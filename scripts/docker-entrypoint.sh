#!/usr/bin/env bash
# The start commands of every process of the lunch-bot image (app, bot, workers, one-shot migrate).
#
# docker-compose.prod.yml passes the process name as the command; CI (scripts/ci_build_check.sh) and the
# nginx end-to-end test start the processes through this same script, so the commands cannot drift apart.
set -euo pipefail

process="${1:-app}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$process" in
    app)
        # Reflex backend only: nginx serves the exported frontend. With REDIS_URL set Reflex keeps state in
        # Redis, so several replicas (and GRANIAN_WORKERS per replica) can serve the same clients.
        exec reflex run --env prod --backend-only \
            --backend-host "${BACKEND_HOST:-0.0.0.0}" --backend-port "${BACKEND_PORT:-8000}"
        ;;
    migrate)
        # One-shot before every deploy: schema first, then every MANAGER_TGIDS user an active manager
        # (idempotent), so the first manager can sign in right after the first deploy.
        python -m lunch_app.cli migrate
        exec python -m lunch_app.cli ensure-managers
        ;;
    bot)
        exec python -m bot
        ;;
    scheduler | notifications | recommendations)
        exec python -m "workers.$process"
        ;;
    healthcheck)
        exec python "$(dirname "${BASH_SOURCE[0]}")/healthcheck.py" "$@"
        ;;
    cli)
        exec python -m lunch_app.cli "$@"
        ;;
    *)
        # Anything else runs as given, e.g. `docker compose run --rm app bash`.
        exec "$process" "$@"
        ;;
esac
