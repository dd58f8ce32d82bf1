"""The Reflex app: pages, head, HTTP routes. Assembly only; screens live in lunch_app.pages."""

from __future__ import annotations

import reflex as rx

from lunch_app.api import api
from lunch_app.components import dashboard as dashboard_ui
from lunch_app.components import ui
from lunch_app.i18n import t
from lunch_app.pages.cafes import index
from lunch_app.pages.manager import dashboard, dashboard_login
from lunch_app.pages.miniapp import miniapp
from lunch_app.settings import get_settings
from lunch_app.states.cafes import CafesState
from lunch_app.states.manager import Dashboard
from lunch_app.states.miniapp import MiniApp

app = rx.App(
    api_transformer=api,
    html_lang="ru",
    stylesheets=[ui.STYLESHEET, dashboard_ui.STYLESHEET],
    head_components=[
        rx.el.meta(name="viewport", content="width=device-width, initial-scale=1, viewport-fit=cover"),
        rx.el.link(rel="icon", type="image/svg+xml", href=ui.FAVICON),  # else browsers ask for a missing .ico
        # Classic scripts in this order, all before the frontend's modules: storage first (Telegram's script
        # and Reflex both use it), then Telegram's WebApp script (a local copy in tests), which the palette
        # and the bridge read, before the page reads initData.
        rx.el.script(src=ui.STORAGE_SCRIPT),
        rx.el.script(src=get_settings().telegram_webapp_script_url),
        rx.el.script(src=ui.THEME_SCRIPT),
        rx.el.script(src=ui.BRIDGE_SCRIPT),
    ],
)
app.add_page(miniapp, route="/", title=t("app.title", "ru"), on_load=MiniApp.start)
app.add_page(index, route="/cafes", title=t("app.title", "ru"), on_load=CafesState.load)
app.add_page(dashboard, route="/manager", title=t("dash.title", "ru"), on_load=Dashboard.start)
app.add_page(dashboard_login, route="/manager/login", title=t("dash.title", "ru"), on_load=Dashboard.redeem)
