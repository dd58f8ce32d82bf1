"""The Cafes tab's view: chat link requests, cafe cards with their switches, the cafe form, the unlink question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import form_sheet, question, tr
from lunch_app.states.manager.cafes import CafesTab


def view() -> rx.Component:
    st = CafesTab
    return rx.el.div(
        db.tools(db.small(tr("dash.cafes.add"), variant="", on_click=st.open_add, id="cafes-add")),
        db.titled_grid(
            tr("dash.cafes.link_requests"),
            st.link_requests,
            lambda r: db.card(
                db.head(r.chat, tr("dash.cafes.for_cafe") + " " + r.cafe + " · " + r.requester),
                rx.el.p(r.created, class_name="ma-muted"),
                db.actions(
                    db.small(tr("dash.requests.approve"), variant="", on_click=st.approve_link(r.id)),
                    db.small(tr("dash.requests.reject"), variant="danger", on_click=st.reject_link(r.id)),
                ),
            ),
            ui.heading(tr("dash.tab.cafes")),
        ),
        db.grid(
            rx.foreach(
                st.rows,
                lambda c: db.card(
                    db.head(
                        c.name,
                        c.description,
                        rx.cond(
                            c.active,
                            db.state_pill("on", tr("dash.cafes.active")),
                            db.state_pill("off", tr("dash.cafes.inactive")),
                        ),
                    ),
                    rx.el.p(c.link_text, class_name="ma-muted"),
                    rx.el.p(c.offices, class_name="ma-muted cafe-offices"),
                    rx.el.div(
                        db.toggle(tr("dash.cafes.active"), c.active, st.set_active(c.id, ~c.active)),
                        db.toggle(
                            tr("dash.cafes.notifications"),
                            c.notifications,
                            st.set_notifications(c.id, ~c.notifications),
                        ),
                        style={"display": "flex", "gap": "18px", "flex_wrap": "wrap", "margin_top": "8px"},
                    ),
                    db.actions(
                        db.small(tr("dash.edit"), on_click=st.open_edit(c.id)),
                        rx.cond(
                            c.linked,
                            db.small(tr("dash.cafes.unlink"), variant="danger", on_click=st.ask("unlink", c.id, "")),
                        ),
                    ),
                ),
            ),
        ),
        db.empty(tr("dash.cafes.none"), st.rows.length() == 0),
        rx.cond(
            st.form_mode != "",
            form_sheet(
                rx.cond(st.form_mode == "add", tr("dash.cafes.add"), tr("dash.cafes.edit")),
                db.field(
                    tr("dash.cafes.name"),
                    db.text_input(st.form_name, st.set_form_name, id="cafe-name", **rules.NAME),
                ),
                db.field(
                    tr("dash.cafes.description"),
                    db.text_input(
                        st.form_description, st.set_form_description, id="cafe-description", **rules.DESCRIPTION
                    ),
                ),
                db.field(
                    tr("dash.cafes.offices"),
                    rx.el.div(
                        rx.foreach(
                            st.form_offices,
                            lambda office, index: ui.chip(
                                office.name, office.on, on_click=st.toggle_office(index), data_office=office.id
                            ),
                        ),
                        class_name="ma-chips",
                        id="cafe-offices",
                    ),
                ),
                db.field(
                    tr("dash.cafes.timezone"),
                    db.text_input(
                        st.form_timezone,
                        st.set_form_timezone,
                        id="cafe-timezone",
                        list="known-zones",
                        placeholder=tr("dash.cafes.timezone_hint"),
                        max_length=64,
                    ),
                ),
                rx.el.datalist(rx.foreach(st.zones, lambda z: rx.el.option(value=z)), id="known-zones"),
                on_close=st.close_form,
                on_submit=st.save_form,
                save_id="cafe-save",
            ),
        ),
        question(st, tr("dash.cafes.unlink_title"), tr("dash.cafes.unlink_text"), yes=tr("dash.cafes.unlink")),
        id="view-cafes",
    )
