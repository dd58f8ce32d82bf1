"""What every tab's view shares: the text lookup `tr`, the screens around the tabs (signing in, refused), the
message line, the tab bar, and the pieces the tabs build with (form sheet, confirm question, pager, switch).

All text comes from the `tr` table of the manager's language; each tab's view reads its own small substate
(the module of the same name in lunch_app/states/manager).
"""

# Reflex types event handlers on the class as `EventNamespace` and list vars without their methods;
# mypy cannot follow either, so those two codes are off for this (UI-only) module.
# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import ui
from lunch_app.states.manager.root import TABS, Confirm, Dashboard, Paged

D = Dashboard
tr = ui.Texts("dash", D.lang).__getitem__


# ------------------------------------------------------------------------------------------ screens


def loading_screen() -> rx.Component:
    return rx.el.div(ui.skeleton(44), ui.skeleton(160), ui.skeleton(160), id="dash-loading")


def outside_screen() -> rx.Component:
    return ui.centered(
        "lock",
        tr("dash.outside.title"),
        tr("dash.outside.text"),
        rx.el.a(
            ui.button(tr("dash.outside.button")),
            href="https://t.me/" + D.bot_username,
            target="_blank",
            style={"width": "100%", "max_width": "320px", "text_decoration": "none"},
        ),
        id="dash-outside",
    )


def demo_screen() -> rx.Component:
    return ui.demo_picker(
        tr("dash.demo.title"),
        tr("dash.demo.text"),
        tr("dash.demo.empty"),
        D.demo_managers,
        D.demo_sign_in,
        row_class="demo-manager",
        id="dash-demo",
        style={"maxWidth": "560px", "margin": "0 auto"},
    )


def denied_screen() -> rx.Component:
    return ui.centered("shield_x", tr("dash.denied.title"), tr("dash.denied.text"), tone="bad", id="dash-denied")


def link_invalid_screen() -> rx.Component:
    return ui.centered(
        "link_2_off", tr("dash.link_invalid.title"), tr("dash.link_invalid.text"), tone="bad", id="dash-link-invalid"
    )


def messages() -> rx.Component:
    return rx.fragment(
        rx.cond(D.error != "", ui.banner(D.error, good=False, on_close=D.dismiss, id="dash-error", role="alert")),
        rx.cond(D.notice != "", ui.banner(D.notice, good=True, on_close=D.dismiss, id="dash-notice")),
    )


def nav() -> rx.Component:
    return rx.el.nav(
        *[ui.chip(tr(f"dash.tab.{tab}"), D.tab == tab, on_click=D.open_tab(tab), id=f"dash-tab-{tab}") for tab in TABS],
        class_name="db-nav",
    )


# ------------------------------------------------------------------------------------------ shared pieces


def form_sheet(title: Any, *fields: Any, on_close: Any, on_submit: Any, save_id: str, **save: Any) -> rx.Component:
    """A form in a bottom sheet: its fields, then Close and Save (the browser checks the fields before it
    submits); the domain's refusal shows inside the sheet. `save` goes to the Save button."""
    return db.sheet(
        title,
        *fields,
        rx.el.div(
            ui.button(tr("dash.close"), variant="secondary", on_click=on_close),
            db.submit(tr("dash.save"), id=save_id, **save),
            class_name="db-sheet-actions",
        ),
        on_close=on_close,
        on_submit=on_submit,
        error=D.error,
    )


def question(st: type[Confirm], title: Any, text: Any, *, yes: Any) -> rx.Component:
    """The tab's confirm-then-act question (`Confirm`): open while `st` asks about a row before a destructive
    action; `yes` labels the button that does it, "keep" closes the question."""
    return db.confirm(st.asked != "", title, text, yes=yes, no=tr("dash.keep"), on_yes=st.confirm, on_no=st.keep)


def pager(st: type[Paged]) -> rx.Component:
    """The page buttons and row count of a tab that lists a page at a time."""
    return db.pager(
        st.pages_text,
        st.page > 0,
        st.has_next,
        st.prev_page,
        st.next_page,
        tr("dash.total") + ": " + st.total.to_string(),
    )


def switch_button(on: Any, turn_off: Any, turn_on: Any, set_to: Any) -> rx.Component:
    """One button that turns something off while it is on (label `turn_off`) and on while it is off;
    `set_to(value)` is the event that sets it."""
    return rx.cond(on, db.small(turn_off, on_click=set_to(False)), db.small(turn_on, on_click=set_to(True)))


TABLE_FILES = {
    "text/csv": [".csv"],
    "text/plain": [".csv", ".txt"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


def upload_box(upload_id: str, chosen: Any, on_drop: Any, *, accept: dict[str, list[str]]) -> rx.Component:
    """The file picker of an import: tap to choose, or drop a file; shows the chosen file's name. `on_drop(files)`
    is the tab's handler that reads it (nothing changes until the manager applies what it shows)."""
    return rx.upload.root(
        rx.el.div(
            rx.icon("upload", size=20),
            rx.el.span(rx.cond(chosen != "", chosen, tr("dash.import.choose"))),
            class_name="db-upload-box",
        ),
        id=upload_id,
        multiple=False,
        max_files=1,
        accept=accept,
        on_drop=on_drop(rx.upload_files(upload_id=upload_id)),
        class_name="db-upload",
    )
