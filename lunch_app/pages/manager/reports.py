"""The Reports tab's view: day or range, the report's two sections and its CSV/XLSX downloads."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import tr
from lunch_app.states.manager.reports import ReportsTab


def report_section(title: Any, rows: Any, between: Any) -> rx.Component:
    """One part of a report: a row per `ReportRow` (name, `between`, detail; amount on the right)."""
    return rx.el.div(
        ui.heading(title),
        rx.el.div(
            rx.foreach(
                rows,
                lambda r: rx.el.div(
                    rx.el.span(rx.el.b(r.name), between, rx.el.span(r.detail, class_name="ma-muted")),
                    rx.el.span(r.amount),
                    class_name="db-row",
                ),
            ),
            rx.cond(rows.length() == 0, rx.el.div(tr("dash.reports.empty"), class_name="db-row ma-muted")),
            class_name="ma-section",
        ),
    )


def office_filter() -> rx.Component:
    st = ReportsTab
    return db.select(
        st.offices,
        rx.cond(st.office_id == "", "all", st.office_id),
        st.set_office,
        first=("all", tr("dash.all_offices")),
        id="reports-office",
        aria_label=tr("dash.users.office"),
    )


def view() -> rx.Component:
    st = ReportsTab
    return rx.el.div(
        rx.el.div(
            ui.chip(tr("dash.reports.by_day"), st.mode == "day", on_click=st.set_mode("day"), id="reports-mode-day"),
            ui.chip(
                tr("dash.reports.by_range"), st.mode == "range", on_click=st.set_mode("range"), id="reports-mode-range"
            ),
            class_name="ma-chips",
            style={"padding": "0 0 8px"},
        ),
        rx.cond(
            st.mode == "day",
            db.tools(
                db.select(st.cafes, st.cafe_id, st.set_cafe, id="reports-cafe"),
                db.date_input(st.day, st.set_day, id="reports-day", **rules.REPORT_DATE),
                office_filter(),
            ),
            db.tools(
                db.select(
                    st.cafes,
                    rx.cond(st.cafe_id == "", "all", st.cafe_id),
                    st.set_cafe,
                    first=("all", tr("dash.all_cafes")),
                ),
                db.date_input(
                    st.range_start, st.set_range_start, id="reports-start", max=st.range_end, **rules.REPORT_DATE
                ),
                db.date_input(
                    st.range_end, st.set_range_end, id="reports-end", min=st.range_start, **rules.REPORT_DATE
                ),
                office_filter(),
            ),
        ),
        rx.cond(
            st.shown,
            rx.el.div(
                db.card(
                    db.head(st.title, st.totals),
                    db.actions(
                        db.small("CSV", variant="", on_click=st.download("csv"), id="download-csv"),
                        db.small("XLSX", on_click=st.download("xlsx"), id="download-xlsx"),
                    ),
                ),
                db.grid(
                    report_section(
                        rx.cond(st.mode == "day", tr("dash.reports.dishes"), tr("dash.reports.employees")),
                        st.section_a,
                        " ",
                    ),
                    report_section(
                        rx.cond(st.mode == "day", tr("dash.reports.people"), tr("dash.reports.cafes")),
                        st.section_b,
                        rx.el.br(),
                    ),
                ),
            ),
        ),
        id="view-reports",
    )
