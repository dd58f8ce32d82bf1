"""The Audit tab's view: search and the log entries a page at a time."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.pages.manager.root import pager, tr
from lunch_app.states.manager.audit import AuditTab


def view() -> rx.Component:
    st = AuditTab
    return rx.el.div(
        db.tools(db.text_input(st.search, st.set_search, placeholder=tr("dash.audit.search"), id="audit-search")),
        rx.el.div(
            rx.foreach(
                st.rows,
                lambda a: rx.el.div(
                    db.head(a.action + " · " + a.entity, a.at + " · " + a.actor),
                    rx.cond(
                        a.details != "",
                        rx.el.p(
                            a.details, class_name="ma-muted", style={"margin": "4px 0 0", "overflow_wrap": "anywhere"}
                        ),
                    ),
                    class_name="db-card",
                ),
            ),
            class_name="ma-section",
        ),
        db.empty(tr("dash.audit.none"), st.rows.length() == 0),
        pager(st),
        id="view-audit",
    )
