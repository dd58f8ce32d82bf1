"""Reflex configuration. Values come from lunch_app.settings (environment / .env); no secrets here.

State manager: in memory for local runs and tests (one backend process); Redis in production
(ENVIRONMENT=production), so the app can run several workers or replicas. The frontend's backend URL is
PUBLIC_URL in production; locally Reflex derives it from the port it runs on. STATE_LEASE_MS (lunch_app.settings)
sets Reflex's opportunistic lock for the Redis state manager.
"""

import os

import reflex as rx
from reflex.constants import StateManagerMode
from reflex_base.plugins.sitemap import SitemapPlugin

from lunch_app.settings import get_settings

settings = get_settings()
production = settings.environment == "production"

# Reflex reads these when it creates its Redis state manager (after this file); an explicit environment wins.
# The lease must stay under Reflex's lock expiry (10 s by default), hence the setting's upper bound.
if settings.state_lease_ms:
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")
    os.environ.setdefault("REFLEX_OPLOCK_HOLD_TIME_MS", str(settings.state_lease_ms))

options: dict[str, object] = {}
if production:
    options.update(
        state_manager_mode=StateManagerMode.REDIS,
        redis_url=settings.redis_url,
        api_url=settings.public_url.rstrip("/"),
        deploy_url=settings.public_url.rstrip("/"),
    )
else:
    options.update(state_manager_mode=StateManagerMode.MEMORY)

config = rx.Config(
    app_name="lunch_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="grass", radius="large"))],
    disable_plugins=[SitemapPlugin],
    **options,  # type: ignore[arg-type]
)
