"""The Access requests tab's view: requests by status, approve, reject after a question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.pages.manager.root import question, tr
from lunch_app.states.manager.requests import RequestsTab


def view() -> rx.Component:
    st = RequestsTab
    statuses = [("all", tr("dash.requests.all"))] + [
        (status, tr(f"request_status.{status}")) for status in ("pending", "approved", "rejected")
    ]
    return rx.el.div(
        db.tools(
            db.static_select(statuses, rx.cond(st.status == "", "all", st.status), st.set_status, id="requests-status")
        ),
        db.grid(
            rx.foreach(
                st.rows,
                lambda r: db.card(
                    db.head(r.name, r.office + " · " + r.contact, db.state_pill(r.status, r.status_text)),
                    rx.el.p(
                        tr("dash.requests.created") + ": " + r.created,
                        rx.cond(r.processed != "", " · " + tr("dash.requests.processed") + ": " + r.processed, ""),
                        class_name="ma-muted",
                    ),
                    db.actions(
                        rx.cond(
                            r.status != "approved",
                            db.small(tr("dash.requests.approve"), variant="", on_click=st.approve(r.id)),
                        ),
                        rx.cond(
                            r.status == "pending",
                            db.small(tr("dash.requests.reject"), variant="danger", on_click=st.ask("reject", r.id, "")),
                        ),
                    ),
                    class_name="request-card",
                ),
            ),
        ),
        db.empty(tr("dash.requests.none"), st.rows.length() == 0),
        question(st, tr("dash.requests.reject_title"), tr("dash.requests.reject_text"), yes=tr("dash.requests.reject")),
        id="view-requests",
    )
