"""The Schedule tab's view: one cafe's week as a form, a row per weekday."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import D, tr
from lunch_app.states.manager.schedule import ScheduleTab


def view() -> rx.Component:
    st = ScheduleTab
    return rx.el.div(
        db.tools(db.select(st.cafes, st.cafe_id, st.select_cafe, id="schedule-cafe")),
        rx.el.p(tr("dash.schedule.hint"), " ", st.zone_text, class_name="ma-muted", style={"margin": "0 4px 10px"}),
        rx.el.form(
            rx.el.div(
                rx.el.div(
                    rx.el.span(tr("dash.schedule.day"), class_name="db-sched-h"),
                    rx.el.span(tr("dash.schedule.cutoff"), class_name="db-sched-h"),
                    rx.el.span(tr("dash.schedule.days_before"), class_name="db-sched-h"),
                    rx.el.span(tr("dash.schedule.enabled"), class_name="db-sched-h"),
                    rx.foreach(
                        st.rows,
                        lambda row, index: rx.fragment(
                            rx.el.span(
                                rx.el.span(row.label, class_name="db-wd-full"),
                                rx.el.span(row.short, class_name="db-wd-short"),
                                style={"font_weight": "500"},
                            ),
                            rx.el.input(
                                value=row.time,
                                on_change=lambda value: st.set_time(index, value),
                                class_name="ma-input sched-time",
                                aria_label=tr("dash.schedule.cutoff"),
                                **rules.CUTOFF_TIME,
                            ),
                            rx.el.input(
                                value=row.days,
                                on_change=lambda value: st.set_days(index, value),
                                class_name="ma-input sched-days",
                                aria_label=tr("dash.schedule.days_before"),
                                **rules.DAYS_BEFORE,
                            ),
                            rx.el.span(
                                ui.switch(
                                    row.enabled, on_click=st.set_enabled(index, ~row.enabled), aria_label=row.label
                                ),
                                class_name="sched-enabled",
                            ),
                        ),
                    ),
                    class_name="db-sched",
                ),
                class_name="ma-section",
            ),
            rx.el.div(
                db.submit(tr("dash.save"), id="schedule-save"),
                style={"margin_top": "12px", "max_width": "320px"},
            ),
            on_submit=st.save,
            id="schedule-form",
        ),
        rx.cond(
            st.cafes.length() > 0,
            rx.el.div(
                ui.heading(tr("dash.schedule.closures")),
                rx.el.div(
                    rx.foreach(
                        st.closures,
                        lambda c: rx.el.div(
                            rx.el.span(rx.el.b(c.dates)), rx.el.span(c.note, class_name="ma-muted"), class_name="db-row"
                        ),
                    ),
                    rx.cond(
                        st.closures.length() == 0,
                        rx.el.div(tr("dash.schedule.no_closures"), class_name="db-row ma-muted"),
                    ),
                    class_name="ma-section",
                    id="schedule-closures",
                ),
                db.actions(db.small(tr("dash.schedule.to_calendar"), on_click=D.open_tab("calendar"))),
                style={"margin_top": "18px"},
            ),
        ),
        db.empty(tr("dash.cafes.none"), st.cafes.length() == 0),
        id="view-schedule",
    )
