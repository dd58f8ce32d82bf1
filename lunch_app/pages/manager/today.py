"""The Today tab's view: a card per cafe (state, cutoff, totals, dishes, who ordered), who has not ordered."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import ui
from lunch_app.pages.manager.root import tr
from lunch_app.states.manager.today import TodayTab


def view() -> rx.Component:
    st = TodayTab
    return rx.el.div(
        db.tools(
            db.small("‹", on_click=st.shift_day(-1), aria_label="previous day"),
            db.date_input(st.day, st.set_day, id="today-day"),
            db.small("›", on_click=st.shift_day(1), aria_label="next day"),
            db.select(
                st.offices,
                rx.cond(st.f_office == "", "all", st.f_office),
                st.set_f_office,
                first=("all", tr("dash.all_offices")),
                id="today-office",
                aria_label=tr("dash.users.office"),
            ),
        ),
        rx.el.p(st.summary, class_name="ma-muted", style={"margin": "0 4px 10px"}),
        db.grid(
            rx.foreach(
                st.cafes,
                lambda cafe: db.card(
                    db.head(
                        cafe.name,
                        tr("dash.today.cutoff") + ": " + cafe.cutoff,
                        db.state_pill(cafe.state, cafe.state_text),
                    ),
                    rx.el.div(
                        rx.el.div(rx.el.b(cafe.orders), tr("dash.today.orders")),
                        rx.el.div(rx.el.b(cafe.total), tr("dash.today.sum")),
                        class_name="db-kv",
                    ),
                    rx.cond(cafe.problem != "", rx.el.p(cafe.problem, class_name="ma-muted")),
                    rx.cond(cafe.dishes.length() > 0, db.lines(cafe.dishes)),
                    rx.cond(
                        cafe.people.length() > 0,
                        rx.el.details(
                            rx.el.summary(tr("dash.today.who_ordered")),
                            rx.el.ul(
                                rx.foreach(
                                    cafe.people,
                                    lambda p: rx.el.li(
                                        rx.el.span(
                                            rx.el.b(p.name),
                                            rx.cond(p.office != "", " · " + p.office, ""),
                                            rx.el.br(),
                                            rx.el.span(p.text, class_name="ma-muted"),
                                        ),
                                        rx.el.span(p.total),
                                    ),
                                ),
                                class_name="db-people",
                            ),
                            class_name="db-details",
                        ),
                    ),
                    rx.cond(
                        cafe.can_resend,
                        db.actions(db.small(tr("dash.today.resend"), on_click=st.resend(cafe.cafe_id))),
                    ),
                    class_name="today-cafe",
                ),
            ),
        ),
        db.empty(tr("dash.today.no_cafes"), st.cafes.length() == 0),
        rx.cond(
            st.missing.length() > 0,
            rx.el.div(
                ui.heading(tr("dash.today.not_ordered")),
                db.card(
                    rx.foreach(
                        st.missing,
                        lambda group: rx.el.div(
                            rx.el.h4(group.office, " · ", rx.el.span(group.note, class_name="ma-muted")),
                            rx.cond(
                                group.people != "", rx.el.p(group.people, style={"margin": 0, "font_size": "14px"})
                            ),
                            rx.cond(group.more != "", rx.el.p(group.more, class_name="ma-muted")),
                            class_name="db-missing",
                        ),
                    ),
                    id="today-not-ordered",
                ),
            ),
        ),
        id="view-today",
    )
