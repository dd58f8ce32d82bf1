"""The Users tab's view: search and the office filter, people cards a page at a time, the person form, the delete
question, and the import sheet (upload a file → its preview with every row's problem → apply)."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import (
    TABLE_FILES,
    D,
    form_sheet,
    pager,
    question,
    switch_button,
    tr,
    upload_box,
)
from lunch_app.states.manager.users import IMPORT_UPLOAD, UsersTab


def user_card(u: Any) -> rx.Component:
    st = UsersTab
    return db.card(
        db.head(
            u.name,
            u.details,
            rx.cond(u.active, db.state_pill(u.role, u.role_text), db.state_pill("off", tr("dash.users.inactive"))),
        ),
        rx.el.p(tr("dash.users.limit") + ": " + u.limit, class_name="ma-muted"),
        db.actions(
            db.small(tr("dash.edit"), on_click=st.open_edit(u.tgid)),
            switch_button(
                u.active,
                tr("dash.users.deactivate"),
                tr("dash.users.activate"),
                lambda value: st.set_active(u.tgid, value),
            ),
            db.small(tr("dash.delete"), variant="danger", on_click=st.ask("delete", u.tgid, u.name)),
        ),
        class_name="user-card",
    )


def import_row(row: Any) -> rx.Component:
    return rx.el.tr(
        rx.el.td(row.line),
        rx.el.td(row.tgid),
        rx.el.td(rx.el.b(row.name), rx.cond(row.details != "", rx.el.div(row.details, class_name="ma-muted"))),
        rx.el.td(row.office),
        rx.el.td(
            db.state_pill(row.action, row.action_text),
            rx.cond(row.problems != "", rx.el.div(row.problems, class_name="db-problem")),
        ),
        class_name="import-row",
        data_action=row.action,
        data_line=row.line,
    )


def import_sheet() -> rx.Component:
    st = UsersTab
    return db.sheet(
        tr("dash.import.title"),
        rx.el.p(tr("dash.import.hint"), class_name="ma-muted"),
        upload_box(IMPORT_UPLOAD, st.import_name, st.upload_import, accept=TABLE_FILES),
        rx.cond(
            st.import_error != "", rx.el.p(st.import_error, class_name="ma-error", id="import-error", role="alert")
        ),
        rx.cond(
            st.import_rows.length() > 0,
            rx.el.div(
                rx.el.p(st.import_summary, id="import-summary", style={"fontWeight": "600"}),
                rx.cond(
                    st.import_problems.length() > 0,
                    rx.el.div(
                        rx.el.p(tr("dash.import.problems"), class_name="ma-label"),
                        rx.el.ul(rx.foreach(st.import_problems, lambda p: rx.el.li(p)), class_name="db-lines"),
                        id="import-problems",
                        class_name="db-problems",
                    ),
                ),
                rx.el.div(
                    rx.el.table(
                        rx.el.thead(
                            rx.el.tr(
                                rx.el.th(tr("dash.import.line")),
                                rx.el.th("Telegram ID"),
                                rx.el.th(tr("dash.users.name")),
                                rx.el.th(tr("dash.users.office")),
                                rx.el.th(tr("dash.import.what")),
                            )
                        ),
                        rx.el.tbody(rx.foreach(st.import_rows, import_row)),
                        class_name="db-table",
                    ),
                    class_name="db-table-wrap",
                ),
                id="import-preview",
            ),
        ),
        rx.el.div(
            ui.button(tr("dash.close"), variant="secondary", on_click=st.close_import),
            rx.cond(
                (st.import_rows.length() > 0) & (st.import_invalid == 0),
                ui.button(
                    tr("dash.import.apply") + " (" + st.import_valid.to_string() + ")",
                    on_click=st.apply_import(False),
                    id="import-apply",
                ),
            ),
            rx.cond(
                (st.import_invalid > 0) & (st.import_valid > 0),
                ui.button(
                    tr("dash.import.apply_valid") + " (" + st.import_valid.to_string() + ")",
                    variant="secondary",
                    on_click=st.apply_import(True),
                    id="import-apply-valid",
                ),
            ),
            class_name="db-sheet-actions",
        ),
        on_close=st.close_import,
        error=D.error,
        id="import-sheet",
        class_name="db-wide",
    )


def view() -> rx.Component:
    st = UsersTab
    roles = [("employee", tr("role.employee")), ("manager", tr("role.manager"))]
    return rx.el.div(
        db.tools(
            db.text_input(st.search, st.set_search, placeholder=tr("dash.users.search"), id="users-search"),
            db.select(
                st.offices,
                rx.cond(st.f_office == "", "all", st.f_office),
                st.set_f_office,
                first=("all", tr("dash.all_offices")),
                id="users-office",
                aria_label=tr("dash.users.office"),
            ),
            db.small(tr("dash.users.add"), variant="", on_click=st.open_add, id="users-add"),
            db.small(tr("dash.import.open"), on_click=st.open_import, id="users-import"),
        ),
        db.grid(rx.foreach(st.rows, user_card)),
        db.empty(tr("dash.users.none"), st.rows.length() == 0),
        pager(st),
        rx.cond(
            st.form_mode != "",
            form_sheet(
                rx.cond(st.form_mode == "add", tr("dash.users.add"), tr("dash.users.edit")),
                rx.cond(
                    st.form_mode == "add",
                    db.field(
                        tr("dash.users.tgid"),
                        db.text_input(
                            st.form_tgid, st.set_form_tgid, id="user-tgid", title=D.form_hints["tgid"], **rules.TGID
                        ),
                    ),
                ),
                db.field(
                    tr("dash.users.name"),
                    db.text_input(st.form_name, st.set_form_name, id="user-name", **rules.USER_NAME),
                ),
                db.field(
                    tr("dash.users.office"),
                    db.select(
                        st.form_offices,
                        st.form_office,
                        st.set_form_office,
                        first=("", tr("dash.users.pick_office")),
                        id="user-office",
                        required=True,
                    ),
                ),
                db.field(
                    tr("dash.users.role"), db.static_select(roles, st.form_role, st.set_form_role, id="user-role")
                ),
                db.field(
                    tr("dash.users.limit"),
                    db.text_input(
                        st.form_limit,
                        st.set_form_limit,
                        placeholder=tr("dash.users.limit_hint"),
                        id="user-limit",
                        title=D.form_hints["limit"],
                        **rules.WEEKLY_LIMIT,
                    ),
                ),
                on_close=st.close_form,
                on_submit=st.save_form,
                save_id="user-save",
            ),
        ),
        rx.cond(st.import_open, import_sheet()),
        question(
            st, tr("dash.users.delete_title"), tr("dash.users.delete_text") + " " + st.asked_name, yes=tr("dash.delete")
        ),
        id="view-users",
    )
