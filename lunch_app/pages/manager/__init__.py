"""The manager dashboard (`/manager`, SPEC §6) and the one-time sign-in link page (`/manager/login?token=…`).

One page with tabs, assembled here: the screens around them and the shared pieces are in root.py, each tab's
view in the module named after the tab (its state in the module of the same name in lunch_app/states/manager).
"""

from __future__ import annotations

import reflex as rx

from lunch_app.pages.manager import (
    audit,
    cafes,
    calendar,
    menu,
    orders,
    reports,
    requests,
    schedule,
    today,
    users,
)
from lunch_app.pages.manager.root import (
    D,
    demo_screen,
    denied_screen,
    link_invalid_screen,
    loading_screen,
    messages,
    nav,
    outside_screen,
    tr,
)
from lunch_app.states.manager import TABS

VIEWS = {
    "today": today.view,
    "orders": orders.view,
    "users": users.view,
    "requests": requests.view,
    "cafes": cafes.view,
    "menu": menu.view,
    "schedule": schedule.view,
    "calendar": calendar.view,
    "reports": reports.view,
    "audit": audit.view,
}


def app_screen() -> rx.Component:
    return rx.el.div(
        rx.el.header(
            rx.el.div(
                rx.el.h1(tr("dash.title")),
                rx.el.div(
                    rx.el.span(D.manager_name, class_name="ma-muted", id="dash-manager"),
                    rx.el.button(tr("dash.sign_out"), type="button", class_name="ma-link", on_click=D.sign_out),
                    class_name="db-who",
                ),
                class_name="db-title",
            ),
            nav(),
            class_name="db-top",
        ),
        messages(),
        rx.el.main(
            rx.match(D.tab, *[(tab, VIEWS[tab]()) for tab in TABS], rx.fragment()),  # a tab without a view fails here
            class_name="db-body",
        ),
    )


def _screen() -> rx.Component:
    return rx.el.div(
        rx.match(
            D.screen,
            ("app", app_screen()),
            ("outside", outside_screen()),
            ("demo", demo_screen()),
            ("denied", denied_screen()),
            ("link_invalid", link_invalid_screen()),
            loading_screen(),
        ),
        class_name="db-root",
        id="dashboard",
        data_screen=D.screen,
        data_tab=D.tab,
    )


def dashboard() -> rx.Component:
    return _screen()


def dashboard_login() -> rx.Component:
    return _screen()
