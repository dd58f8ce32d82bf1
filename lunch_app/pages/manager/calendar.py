"""The Calendar tab's view: the office picker and card (zone, address, working week, on/off), its holidays and extra
working days, the import of a holiday file, the cafes' closures; one form sheet and the confirm question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import TABLE_FILES, D, form_sheet, question, switch_button, tr, upload_box
from lunch_app.states.manager.calendar import IMPORT_UPLOAD, CalendarTab

S = CalendarTab


def office_card() -> rx.Component:
    return db.card(
        db.head(
            S.office_name,
            S.office_zone + rx.cond(S.office_address != "", " · " + S.office_address, ""),
            rx.cond(
                S.office_active,
                db.state_pill("on", tr("dash.calendar.office_active")),
                db.state_pill("off", tr("dash.calendar.office_inactive")),
            ),
        ),
        rx.el.p(tr("dash.calendar.week"), class_name="ma-label"),
        rx.el.div(
            rx.foreach(
                S.week,
                lambda day, index: ui.chip(
                    day.label, day.on, on_click=S.toggle_weekday(index), data_weekday=day.weekday
                ),
            ),
            class_name="db-week",
            id="calendar-week",
        ),
        db.actions(
            db.small(tr("dash.edit"), on_click=S.open_office_edit, id="office-edit"),
            switch_button(
                S.office_active,
                tr("dash.calendar.office_deactivate"),
                tr("dash.calendar.office_activate"),
                S.set_office_active,
            ),
        ),
        id="calendar-office",
    )


def entry_row(dates: Any, name: Any, *buttons: rx.Component, kind: str, **props: Any) -> rx.Component:
    return rx.el.div(
        rx.el.span(rx.el.b(dates), rx.el.br(), rx.el.span(name, class_name="ma-muted")),
        rx.el.span(*buttons, style={"display": "flex", "gap": "6px", "flex_wrap": "wrap"}),
        class_name=f"db-row calendar-{kind}",
        **props,
    )


def entries() -> rx.Component:
    return rx.el.div(
        db.grid(
            rx.el.div(
                ui.heading(tr("dash.calendar.holidays")),
                rx.el.div(
                    rx.foreach(
                        S.holidays,
                        lambda h, index: entry_row(
                            h.dates,
                            h.name,
                            db.small(tr("dash.edit"), on_click=S.open_holiday_edit(index)),
                            db.small(
                                tr("dash.delete"), variant="danger", on_click=S.ask("delete_holiday", h.id, h.name)
                            ),
                            kind="holiday",
                        ),
                    ),
                    rx.cond(
                        S.holidays.length() == 0, rx.el.div(tr("dash.calendar.none"), class_name="db-row ma-muted")
                    ),
                    class_name="ma-section",
                    id="calendar-holidays",
                ),
                db.actions(
                    db.small(
                        tr("dash.calendar.add_holiday"), variant="", on_click=S.open_holiday_add, id="holiday-add"
                    ),
                    db.small(tr("dash.calendar.import"), on_click=S.open_import, id="holiday-import"),
                ),
            ),
            rx.el.div(
                ui.heading(tr("dash.calendar.workdays")),
                rx.el.div(
                    rx.foreach(
                        S.workdays,
                        lambda w: entry_row(
                            w.date,
                            w.name,
                            db.small(
                                tr("dash.delete"), variant="danger", on_click=S.ask("delete_workday", w.id, w.date)
                            ),
                            kind="workday",
                        ),
                    ),
                    rx.cond(
                        S.workdays.length() == 0, rx.el.div(tr("dash.calendar.none"), class_name="db-row ma-muted")
                    ),
                    class_name="ma-section",
                    id="calendar-workdays",
                ),
                db.actions(db.small(tr("dash.calendar.add_workday"), on_click=S.open_workday_add, id="workday-add")),
            ),
        ),
    )


def closures() -> rx.Component:
    return rx.el.div(
        ui.heading(tr("dash.calendar.closures")),
        rx.el.div(
            rx.foreach(
                S.closures,
                lambda c, index: entry_row(
                    c.cafe + " · " + c.dates,
                    c.note,
                    db.small(tr("dash.edit"), on_click=S.open_closure_edit(index)),
                    db.small(tr("dash.delete"), variant="danger", on_click=S.ask("delete_closure", c.id, c.cafe)),
                    kind="closure",
                ),
            ),
            rx.cond(S.closures.length() == 0, rx.el.div(tr("dash.calendar.none"), class_name="db-row ma-muted")),
            class_name="ma-section",
            id="calendar-closures",
        ),
        db.actions(
            db.small(tr("dash.calendar.add_closure"), variant="", on_click=S.open_closure_add, id="closure-add")
        ),
        style={"margin_top": "18px"},
    )


def dates_fields(*, single: bool = False) -> list[rx.Component]:
    start = db.field(
        tr("dash.calendar.start") if not single else tr("dash.calendar.day"),
        db.date_input(S.form_start, S.set_form_start, id="entry-start", **rules.CALENDAR_DATE),
    )
    if single:
        return [start]
    return [
        start,
        db.field(
            tr("dash.calendar.end"),
            db.date_input(S.form_end, S.set_form_end, id="entry-end", min=S.form_start, **rules.CALENDAR_DATE),
        ),
    ]


def form() -> rx.Component:
    titles = {
        "office_add": tr("dash.calendar.add_office"),
        "office_edit": tr("dash.calendar.edit_office"),
        "holiday_add": tr("dash.calendar.add_holiday"),
        "holiday_edit": tr("dash.calendar.edit_holiday"),
        "workday_add": tr("dash.calendar.add_workday"),
        "closure_add": tr("dash.calendar.add_closure"),
        "closure_edit": tr("dash.calendar.edit_closure"),
    }

    def office_fields() -> rx.Component:
        return rx.fragment(
            db.field(
                tr("dash.calendar.office_name"),
                db.text_input(S.form_name, S.set_form_name, id="office-name", **rules.OFFICE_NAME),
            ),
            db.field(
                tr("dash.cafes.timezone"),
                db.text_input(
                    S.form_timezone, S.set_form_timezone, id="office-timezone", list="office-zones", **rules.TIMEZONE
                ),
            ),
            rx.el.datalist(rx.foreach(S.zones, lambda z: rx.el.option(value=z)), id="office-zones"),
            db.field(
                tr("dash.calendar.address"),
                db.text_input(S.form_address, S.set_form_address, id="office-address", **rules.ADDRESS),
            ),
        )

    return form_sheet(
        rx.match(S.form_mode, *titles.items(), ""),
        rx.match(
            S.form_mode,
            ("office_add", office_fields()),
            ("office_edit", office_fields()),
            (
                "workday_add",
                rx.fragment(
                    *dates_fields(single=True),
                    db.field(
                        tr("dash.calendar.workday_name"),
                        db.text_input(S.form_name, S.set_form_name, id="entry-name", **rules.WORKDAY_NAME),
                    ),
                ),
            ),
            (
                "closure_add",
                rx.fragment(
                    db.field(
                        tr("dash.calendar.cafe"), db.select(S.cafes, S.form_cafe, S.set_form_cafe, id="closure-cafe")
                    ),
                    *dates_fields(),
                    db.field(
                        tr("dash.calendar.note"),
                        db.text_input(S.form_name, S.set_form_name, id="entry-name", **rules.CLOSURE_NOTE),
                    ),
                ),
            ),
            (
                "closure_edit",
                rx.fragment(
                    *dates_fields(),
                    db.field(
                        tr("dash.calendar.note"),
                        db.text_input(S.form_name, S.set_form_name, id="entry-name", **rules.CLOSURE_NOTE),
                    ),
                ),
            ),
            rx.fragment(
                *dates_fields(),
                db.field(
                    tr("dash.calendar.holiday_name"),
                    db.text_input(S.form_name, S.set_form_name, id="entry-name", **rules.HOLIDAY_NAME),
                ),
            ),
        ),
        on_close=S.close_form,
        on_submit=S.save_form,
        save_id="entry-save",
    )


def import_sheet() -> rx.Component:
    return db.sheet(
        tr("dash.calendar.import_title") + " · " + S.office_name,
        rx.el.p(tr("dash.calendar.import_hint"), class_name="ma-muted"),
        upload_box(
            IMPORT_UPLOAD,
            S.import_name,
            S.upload_holidays,
            accept={**TABLE_FILES, "text/calendar": [".ics"], "text/plain": [".csv", ".ics", ".txt"]},
        ),
        rx.cond(S.import_error != "", rx.el.p(S.import_error, class_name="ma-error", id="holiday-import-error")),
        rx.cond(
            S.import_problems.length() > 0,
            rx.el.div(
                rx.el.p(tr("dash.import.problems"), class_name="ma-label"),
                rx.el.ul(rx.foreach(S.import_problems, lambda p: rx.el.li(p)), class_name="db-lines"),
                class_name="db-problems",
                id="holiday-import-problems",
            ),
        ),
        rx.cond(
            S.import_entries.length() > 0,
            rx.el.div(
                rx.foreach(
                    S.import_entries,
                    lambda e: rx.el.div(
                        rx.el.span(rx.el.b(e.dates), " ", rx.el.span(e.name, class_name="ma-muted")),
                        db.state_pill(e.kind, e.kind_text),
                        class_name="db-row holiday-entry",
                    ),
                ),
                class_name="ma-section",
                id="holiday-import-preview",
            ),
        ),
        rx.el.div(
            ui.button(tr("dash.close"), variant="secondary", on_click=S.close_form),
            rx.cond(
                (S.import_entries.length() > 0) & (S.import_problems.length() == 0),
                ui.button(tr("dash.import.apply"), on_click=S.apply_import, id="holiday-import-apply"),
            ),
            class_name="db-sheet-actions",
        ),
        on_close=S.close_form,
        error=D.error,
        id="holiday-import-sheet",
    )


def view() -> rx.Component:
    return rx.el.div(
        db.tools(
            db.select(
                S.offices, S.office_id, S.select_office, id="calendar-office-pick", aria_label=tr("dash.users.office")
            ),
            db.small(tr("dash.calendar.add_office"), on_click=S.open_office_add, id="office-add"),
        ),
        rx.cond(S.office_id != "", rx.fragment(office_card(), entries())),
        db.empty(tr("dash.calendar.no_offices"), S.offices.length() == 0),
        closures(),
        rx.cond((S.form_mode != "") & (S.form_mode != "import"), form()),
        rx.cond(S.form_mode == "import", import_sheet()),
        question(
            S,
            rx.cond(S.asked == "apply", tr("dash.calendar.confirm_title"), tr("dash.calendar.delete_title")),
            S.asked_name,
            yes=rx.cond(S.asked == "apply", tr("dash.calendar.confirm_yes"), tr("dash.delete")),
        ),
        id="view-calendar",
    )
