"""The Orders tab's view: filters, order cards a page at a time, the order editor and the cancel question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.pages.manager.root import form_sheet, pager, question, tr
from lunch_app.states.manager.orders import OrdersTab


def option_pickers(picks: Any, on_change: Any) -> rx.Component:
    """A select per option of a dish; a required option must be chosen before the form can be submitted."""
    return rx.foreach(
        picks,
        lambda pick, j: rx.el.label(
            rx.el.span(pick.name + rx.cond(pick.required, " *", ""), class_name="ma-label"),
            rx.el.select(
                rx.el.option(tr("dash.orders.choose"), value=""),
                rx.foreach(pick.allowed, lambda value: rx.el.option(value, value=value)),
                value=pick.chosen,
                on_change=lambda value: on_change(j, value),
                required=pick.required,
                class_name="ma-select order-option",
                data_option=pick.name,
            ),
            class_name="db-pick",
        ),
    )


def order_editor() -> rx.Component:
    """Everything the employee's cart can change: the combo and its dish per category, options of every dish
    (required ones included), quantities, added dishes and notes. The domain re-checks and re-prices on save."""
    st = OrdersTab
    return form_sheet(
        st.edit_title,
        db.field(
            tr("dash.orders.combo"),
            db.select(
                st.edit_combo_choices,
                st.edit_combo_id,
                st.set_edit_combo,
                first=("", tr("dash.orders.no_combo")),
                id="order-combo",
            ),
        ),
        rx.foreach(
            st.edit_slots,
            lambda slot: rx.el.div(
                db.field(
                    slot.label,
                    rx.el.select(
                        rx.el.option(tr("dash.orders.choose"), value=""),
                        rx.foreach(slot.choices, lambda c: rx.el.option(c.label, value=c.value)),
                        value=slot.dish,
                        on_change=lambda value: st.set_slot_dish(slot.index, value),
                        required=True,
                        class_name="ma-select order-slot",
                        data_category=slot.category,
                    ),
                ),
                option_pickers(slot.picks, lambda j, value: st.set_slot_option(slot.index, j, value)),
                class_name="db-slot",
            ),
        ),
        rx.el.span(tr("dash.orders.dishes"), class_name="ma-label"),
        rx.foreach(
            st.edit_lines,
            lambda line: rx.el.div(
                rx.el.div(
                    rx.el.span(line.name, style={"flex": "1"}),
                    rx.el.input(
                        value=line.quantity,
                        on_change=lambda value: st.set_edit_quantity(line.index, value),
                        class_name="ma-input order-quantity",
                        title=tr("dash.orders.quantity_hint"),
                        style={"width": "80px"},
                        **rules.QUANTITY,
                    ),
                    class_name="db-toggle",
                ),
                option_pickers(line.picks, lambda j, value: st.set_line_option(line.index, j, value)),
                class_name="db-slot order-line",
                data_dish=line.name,
            ),
        ),
        rx.cond(
            st.edit_choices.length() > 0,
            rx.el.div(
                db.select(st.edit_choices, st.edit_pick, st.set_edit_pick, id="order-add-pick"),
                db.small(tr("dash.orders.add_dish"), on_click=st.add_edit_line, id="order-add-line"),
                class_name="db-tools",
                style={"margin_top": "10px"},
            ),
        ),
        db.field(
            tr("dash.orders.notes"),
            db.text_input(st.edit_notes, st.set_edit_notes, id="order-notes", **rules.NOTES),
        ),
        on_close=st.close_edit,
        on_submit=st.save_edit,
        save_id="order-save",
    )


def view() -> rx.Component:
    st = OrdersTab
    statuses = [("all", tr("dash.orders.any_status"))] + [
        (status, tr(f"order_status.{status}")) for status in ("placed", "sent", "confirmed", "cancelled")
    ]
    return rx.el.div(
        db.tools(
            db.date_input(st.f_day, st.set_f_day, id="orders-day"),
            db.select(
                st.cafes, rx.cond(st.f_cafe == "", "all", st.f_cafe), st.set_f_cafe, first=("all", tr("dash.all_cafes"))
            ),
            db.static_select(statuses, rx.cond(st.f_status == "", "all", st.f_status), st.set_f_status),
            db.text_input(st.f_person, st.set_f_person, placeholder=tr("dash.orders.person"), id="orders-person"),
        ),
        db.grid(
            rx.foreach(
                st.rows,
                lambda o: db.card(
                    db.head(
                        o.person, o.cafe + " · " + o.date + " · " + o.number, db.state_pill(o.status, o.status_text)
                    ),
                    db.lines(o.lines),
                    rx.cond(o.notes != "", rx.el.p("«" + o.notes + "»", class_name="ma-muted")),
                    db.actions(
                        rx.el.b(o.total),
                        rx.cond(
                            o.active,
                            rx.fragment(
                                db.small(tr("dash.edit"), on_click=st.start_edit(o.id)),
                                db.small(
                                    tr("dash.orders.cancel"), variant="danger", on_click=st.ask("cancel", o.id, "")
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        db.empty(tr("dash.orders.none"), st.rows.length() == 0),
        pager(st),
        rx.cond(st.edit_id != 0, order_editor()),
        question(st, tr("dash.orders.cancel_title"), tr("dash.orders.cancel_text"), yes=tr("dash.orders.cancel")),
        id="view-orders",
    )
