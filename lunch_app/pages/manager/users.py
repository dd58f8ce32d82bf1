"""The Users tab's view: search, people cards a page at a time, the person form and the delete question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.pages.manager.root import D, form_sheet, pager, question, switch_button, tr
from lunch_app.states.manager.users import UsersTab


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


def view() -> rx.Component:
    st = UsersTab
    roles = [("employee", tr("role.employee")), ("manager", tr("role.manager"))]
    return rx.el.div(
        db.tools(
            db.text_input(st.search, st.set_search, placeholder=tr("dash.users.search"), id="users-search"),
            db.small(tr("dash.users.add"), variant="", on_click=st.open_add, id="users-add"),
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
                    db.text_input(st.form_office, st.set_form_office, id="user-office", **rules.OFFICE),
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
        question(
            st, tr("dash.users.delete_title"), tr("dash.users.delete_text") + " " + st.asked_name, yes=tr("dash.delete")
        ),
        id="view-users",
    )
