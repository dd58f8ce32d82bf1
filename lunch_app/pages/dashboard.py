"""The manager dashboard (`/manager`, SPEC §6) and the one-time sign-in link page (`/manager/login?token=…`).

One page with tabs; each tab's view reads its own small substate (lunch_app/states/dashboard.py). All text
comes from the `tr` dict of the manager's language.
"""

# Reflex types event handlers on the class as `EventNamespace` and list vars without their methods;
# mypy cannot follow either, so those two codes are off for this (UI-only) module.
# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.states.dashboard import (
    CATEGORIES,
    COMBO_CATEGORIES,
    TABS,
    TAGS,
    AuditTab,
    CafesTab,
    Dashboard,
    MenuTab,
    OrdersTab,
    Paged,
    ReportsTab,
    RequestsTab,
    ScheduleTab,
    TodayTab,
    UsersTab,
)

D = Dashboard
tr = ui.Texts("dash", D.lang).__getitem__


# ------------------------------------------------------------------------------------------ screens


def loading_screen() -> rx.Component:
    return rx.el.div(ui.skeleton(44), ui.skeleton(160), ui.skeleton(160), id="dash-loading")


def outside_screen() -> rx.Component:
    return ui.centered(
        "lock",
        tr("dash.outside.title"),
        tr("dash.outside.text"),
        rx.el.a(
            ui.button(tr("dash.outside.button")),
            href="https://t.me/" + D.bot_username,
            target="_blank",
            style={"width": "100%", "max_width": "320px", "text_decoration": "none"},
        ),
        id="dash-outside",
    )


def demo_screen() -> rx.Component:
    return ui.demo_picker(
        tr("dash.demo.title"),
        tr("dash.demo.text"),
        tr("dash.demo.empty"),
        D.demo_managers,
        D.demo_sign_in,
        row_class="demo-manager",
        id="dash-demo",
        style={"maxWidth": "560px", "margin": "0 auto"},
    )


def denied_screen() -> rx.Component:
    return ui.centered("shield_x", tr("dash.denied.title"), tr("dash.denied.text"), tone="bad", id="dash-denied")


def link_invalid_screen() -> rx.Component:
    return ui.centered(
        "link_2_off", tr("dash.link_invalid.title"), tr("dash.link_invalid.text"), tone="bad", id="dash-link-invalid"
    )


def messages() -> rx.Component:
    return rx.fragment(
        rx.cond(D.error != "", ui.banner(D.error, good=False, on_close=D.dismiss, id="dash-error", role="alert")),
        rx.cond(D.notice != "", ui.banner(D.notice, good=True, on_close=D.dismiss, id="dash-notice")),
    )


def nav() -> rx.Component:
    return rx.el.nav(
        *[ui.chip(tr(f"dash.tab.{tab}"), D.tab == tab, on_click=D.open_tab(tab), id=f"dash-tab-{tab}") for tab in TABS],
        class_name="db-nav",
    )


# ------------------------------------------------------------------------------------------ shared pieces


def form_sheet(title: Any, *fields: Any, on_close: Any, on_submit: Any, save_id: str, **save: Any) -> rx.Component:
    """A form in a bottom sheet: its fields, then Close and Save (the browser checks the fields before it
    submits); the domain's refusal shows inside the sheet. `save` goes to the Save button."""
    return db.sheet(
        title,
        *fields,
        rx.el.div(
            ui.button(tr("dash.close"), variant="secondary", on_click=on_close),
            db.submit(tr("dash.save"), id=save_id, **save),
            class_name="db-sheet-actions",
        ),
        on_close=on_close,
        on_submit=on_submit,
        error=D.error,
    )


def ask(when: Any, title: Any, text: Any, *, yes: Any, on_yes: Any, on_no: Any) -> rx.Component:
    """Asks before a destructive action; "keep" closes the question."""
    return db.confirm(when, title, text, yes=yes, no=tr("dash.keep"), on_yes=on_yes, on_no=on_no)


def pager(st: type[Paged]) -> rx.Component:
    """The page buttons and row count of a tab that lists a page at a time."""
    return db.pager(
        st.pages_text,
        st.page > 0,
        st.has_next,
        st.prev_page,
        st.next_page,
        tr("dash.total") + ": " + st.total.to_string(),
    )


def switch_button(on: Any, turn_off: Any, turn_on: Any, set_to: Any) -> rx.Component:
    """One button that turns something off while it is on (label `turn_off`) and on while it is off;
    `set_to(value)` is the event that sets it."""
    return rx.cond(on, db.small(turn_off, on_click=set_to(False)), db.small(turn_on, on_click=set_to(True)))


# ------------------------------------------------------------------------------------------ Today


def today_view() -> rx.Component:
    st = TodayTab
    return rx.el.div(
        db.tools(
            db.small("‹", on_click=st.shift_day(-1), aria_label="previous day"),
            db.date_input(st.day, st.set_day, id="today-day"),
            db.small("›", on_click=st.shift_day(1), aria_label="next day"),
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
            st.not_ordered.length() > 0,
            rx.el.div(
                ui.heading(tr("dash.today.not_ordered")),
                db.card(
                    rx.el.p(st.not_ordered.join(", "), style={"margin": 0, "font_size": "14px"}),
                    rx.cond(st.not_ordered_more != "", rx.el.p(st.not_ordered_more, class_name="ma-muted")),
                ),
            ),
        ),
        id="view-today",
    )


# ------------------------------------------------------------------------------------------ Orders


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


def orders_view() -> rx.Component:
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
                                db.small(tr("dash.orders.cancel"), variant="danger", on_click=st.ask_cancel(o.id)),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        db.empty(tr("dash.orders.none"), st.rows.length() == 0),
        pager(st),
        rx.cond(st.edit_id != 0, order_editor()),
        ask(
            st.cancel_id != 0,
            tr("dash.orders.cancel_title"),
            tr("dash.orders.cancel_text"),
            yes=tr("dash.orders.cancel"),
            on_yes=st.confirm_cancel,
            on_no=st.keep_order,
        ),
        id="view-orders",
    )


# ------------------------------------------------------------------------------------------ Users


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
            db.small(tr("dash.delete"), variant="danger", on_click=st.ask_delete(u.tgid, u.name)),
        ),
        class_name="user-card",
    )


def users_view() -> rx.Component:
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
        ask(
            st.delete_tgid != 0,
            tr("dash.users.delete_title"),
            tr("dash.users.delete_text") + " " + st.delete_name,
            yes=tr("dash.delete"),
            on_yes=st.confirm_delete,
            on_no=st.keep_user,
        ),
        id="view-users",
    )


# ------------------------------------------------------------------------------------------ Access requests


def requests_view() -> rx.Component:
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
                            db.small(tr("dash.requests.reject"), variant="danger", on_click=st.ask_reject(r.id)),
                        ),
                    ),
                    class_name="request-card",
                ),
            ),
        ),
        db.empty(tr("dash.requests.none"), st.rows.length() == 0),
        ask(
            st.reject_id != 0,
            tr("dash.requests.reject_title"),
            tr("dash.requests.reject_text"),
            yes=tr("dash.requests.reject"),
            on_yes=st.confirm_reject,
            on_no=st.keep_request,
        ),
        id="view-requests",
    )


# ------------------------------------------------------------------------------------------ Cafes


def cafes_view() -> rx.Component:
    st = CafesTab
    return rx.el.div(
        db.tools(db.small(tr("dash.cafes.add"), variant="", on_click=st.open_add, id="cafes-add")),
        rx.cond(
            st.link_requests.length() > 0,
            rx.el.div(
                ui.heading(tr("dash.cafes.link_requests")),
                db.grid(
                    rx.foreach(
                        st.link_requests,
                        lambda r: db.card(
                            db.head(r.chat, tr("dash.cafes.for_cafe") + " " + r.cafe + " · " + r.requester),
                            rx.el.p(r.created, class_name="ma-muted"),
                            db.actions(
                                db.small(tr("dash.requests.approve"), variant="", on_click=st.approve_link(r.id)),
                                db.small(tr("dash.requests.reject"), variant="danger", on_click=st.reject_link(r.id)),
                            ),
                        ),
                    ),
                ),
                ui.heading(tr("dash.tab.cafes")),
            ),
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
                            c.linked, db.small(tr("dash.cafes.unlink"), variant="danger", on_click=st.ask_unlink(c.id))
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
                on_close=st.close_form,
                on_submit=st.save_form,
                save_id="cafe-save",
            ),
        ),
        ask(
            st.unlink_id != 0,
            tr("dash.cafes.unlink_title"),
            tr("dash.cafes.unlink_text"),
            yes=tr("dash.cafes.unlink"),
            on_yes=st.confirm_unlink,
            on_no=st.keep_link,
        ),
        id="view-cafes",
    )


# ------------------------------------------------------------------------------------------ Menu


def dish_form() -> rx.Component:
    st = MenuTab
    categories = [(c, tr(f"category_one.{c}")) for c in CATEGORIES]
    return form_sheet(
        rx.cond(st.dish_mode == "add", tr("dash.menu.add_dish"), tr("dash.menu.edit_dish")),
        db.field(tr("dash.menu.name"), db.text_input(st.dish_name, st.set_dish_name, id="dish-name", **rules.NAME)),
        db.field(
            tr("dash.menu.description"),
            db.text_input(st.dish_description, st.set_dish_description, id="dish-description", **rules.DESCRIPTION),
        ),
        db.field(
            tr("dash.menu.category"),
            db.static_select(categories, st.dish_category, st.set_dish_category, id="dish-category", required=True),
        ),
        db.field(
            tr("dash.menu.price"),
            db.text_input(
                st.dish_price,
                st.set_dish_price,
                placeholder=tr("dash.menu.price_hint"),
                id="dish-price",
                title=D.form_hints["price"],
                **rules.PRICE,
            ),
        ),
        rx.el.span(tr("dash.menu.tags"), class_name="ma-label"),
        rx.el.div(
            *[ui.chip(tr(f"tag.{tag}"), st.dish_tags.contains(tag), on_click=st.toggle_dish_tag(tag)) for tag in TAGS],
            class_name="ma-opts",
        ),
        rx.el.span(tr("dash.menu.options"), class_name="ma-label"),
        rx.foreach(
            st.dish_options,
            lambda option, index: rx.el.div(
                db.text_input(
                    option.name,
                    lambda value: st.set_option_name(index, value),
                    placeholder=tr("dash.menu.option_name"),
                    class_name="ma-input option-name",
                    **rules.OPTION_NAME,
                ),
                db.text_input(
                    option.choices,
                    lambda value: st.set_option_values(index, value),
                    placeholder=tr("dash.menu.option_values"),
                    class_name="ma-input option-values",
                    title=D.form_hints["option_values"],
                    **rules.OPTION_VALUES,
                ),
                ui.chip(
                    tr("dash.menu.required"),
                    option.required,
                    on_click=st.set_option_required(index, ~option.required),
                ),
                db.small("✕", variant="danger", on_click=st.remove_option(index), aria_label="remove option"),
                class_name="db-opt",
            ),
        ),
        db.small(tr("dash.menu.add_option"), on_click=st.add_option, id="dish-add-option"),
        db.field(
            tr("dash.menu.sort"), db.text_input(st.dish_sort, st.set_dish_sort, id="dish-sort", **rules.SORT_ORDER)
        ),
        on_close=st.close_dish,
        on_submit=st.save_dish,
        save_id="dish-save",
    )


def combo_form() -> rx.Component:
    st = MenuTab
    return form_sheet(
        rx.cond(st.combo_mode == "add", tr("dash.menu.add_combo"), tr("dash.menu.edit_combo")),
        db.field(tr("dash.menu.name"), db.text_input(st.combo_name, st.set_combo_name, id="combo-name", **rules.NAME)),
        db.field(
            tr("dash.menu.price"),
            db.text_input(
                st.combo_price, st.set_combo_price, id="combo-price", title=D.form_hints["price"], **rules.COMBO_PRICE
            ),
        ),
        rx.el.span(tr("dash.menu.combo_categories"), class_name="ma-label"),
        rx.el.div(
            *[
                ui.chip(tr(f"category_one.{c}"), st.combo_categories.contains(c), on_click=st.toggle_combo_category(c))
                for c in COMBO_CATEGORIES
            ],
            class_name="ma-opts",
        ),
        rx.cond(
            ~st.combo_has_category,
            rx.el.p(tr("dash.menu.combo_needs_category"), class_name="ma-muted", id="combo-hint"),
        ),
        on_close=st.close_combo,
        on_submit=st.save_combo,
        save_id="combo-save",
        disabled=~st.combo_has_category,
    )


def menu_actions(edit: Any, available: Any, set_available: Any, delete: Any) -> rx.Component:
    """A dish's or combo's buttons: edit, turn off or on, delete (after asking)."""
    return db.actions(
        db.small(tr("dash.edit"), on_click=edit),
        switch_button(available, tr("dash.menu.disable"), tr("dash.menu.enable"), set_available),
        db.small(tr("dash.delete"), variant="danger", on_click=delete),
    )


def menu_view() -> rx.Component:
    st = MenuTab
    return rx.el.div(
        db.tools(
            db.select(st.cafes, st.cafe_id, st.select_cafe, id="menu-cafe"),
            db.small(tr("dash.menu.add_dish"), variant="", on_click=st.open_add_dish, id="menu-add-dish"),
            db.small(tr("dash.menu.add_combo"), on_click=st.open_add_combo, id="menu-add-combo"),
        ),
        rx.cond(
            st.combos.length() > 0,
            rx.el.div(
                ui.heading(tr("dash.menu.combos")),
                db.grid(
                    rx.foreach(
                        st.combos,
                        lambda c: db.card(
                            db.head(
                                c.name,
                                c.parts,
                                rx.cond(
                                    c.available,
                                    db.state_pill("on", c.price),
                                    db.state_pill("off", tr("dash.menu.disabled")),
                                ),
                            ),
                            menu_actions(
                                st.open_edit_combo(c.id),
                                c.available,
                                lambda value: st.set_combo_available(c.id, value),
                                st.ask_delete("combo:" + c.id.to_string(), c.name),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        ui.heading(tr("dash.menu.dishes")),
        db.grid(
            rx.foreach(
                st.dishes,
                lambda d: db.card(
                    db.head(
                        d.name,
                        d.category + " · " + d.price,
                        rx.cond(d.available, rx.fragment(), db.state_pill("off", tr("dash.menu.disabled"))),
                    ),
                    rx.cond(d.description != "", rx.el.p(d.description, class_name="ma-muted")),
                    rx.cond(
                        d.tags.length() > 0,
                        rx.el.div(rx.foreach(d.tags, ui.badge), class_name="ma-badges"),
                    ),
                    rx.cond(d.options.length() > 0, db.lines(d.options)),
                    menu_actions(
                        st.open_edit_dish(d.id),
                        d.available,
                        lambda value: st.set_dish_available(d.id, value),
                        st.ask_delete("dish:" + d.id.to_string(), d.name),
                    ),
                    class_name="dish-card",
                ),
            ),
        ),
        db.empty(tr("dash.menu.none"), st.dishes.length() == 0),
        rx.cond(st.dish_mode != "", dish_form()),
        rx.cond(st.combo_mode != "", combo_form()),
        ask(
            st.delete_ref != "",
            tr("dash.menu.delete_title"),
            tr("dash.menu.delete_text") + " " + st.delete_name,
            yes=tr("dash.delete"),
            on_yes=st.confirm_delete,
            on_no=st.keep_item,
        ),
        id="view-menu",
    )


# ------------------------------------------------------------------------------------------ Schedule


def schedule_view() -> rx.Component:
    st = ScheduleTab
    return rx.el.div(
        db.tools(db.select(st.cafes, st.cafe_id, st.select_cafe, id="schedule-cafe")),
        rx.el.p(tr("dash.schedule.hint"), class_name="ma-muted", style={"margin": "0 4px 10px"}),
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
        db.empty(tr("dash.cafes.none"), st.cafes.length() == 0),
        id="view-schedule",
    )


# ------------------------------------------------------------------------------------------ Reports


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


def reports_view() -> rx.Component:
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


# ------------------------------------------------------------------------------------------ Audit


def audit_view() -> rx.Component:
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
        db.empty(tr("dash.audit.none"), AuditTab.rows.length() == 0),
        pager(st),
        id="view-audit",
    )


# ------------------------------------------------------------------------------------------ pages


def app_screen() -> rx.Component:
    return rx.el.div(
        rx.el.header(
            rx.el.div(
                rx.el.h1(tr("dash.title")),
                rx.el.div(
                    rx.el.span(D.manager_name, class_name="ma-muted", id="dash-manager"),
                    rx.el.button(tr("dash.sign_out"), type="button", class_name="ma-link", on_click=D.sign_out),
                    class_name="db-who",
                ),
                class_name="db-title",
            ),
            nav(),
            class_name="db-top",
        ),
        messages(),
        rx.el.main(
            rx.match(
                D.tab,
                ("today", today_view()),
                ("orders", orders_view()),
                ("users", users_view()),
                ("requests", requests_view()),
                ("cafes", cafes_view()),
                ("menu", menu_view()),
                ("schedule", schedule_view()),
                ("reports", reports_view()),
                ("audit", audit_view()),
                rx.fragment(),
            ),
            class_name="db-body",
        ),
    )


def _screen() -> rx.Component:
    return rx.el.div(
        rx.match(
            D.screen,
            ("app", app_screen()),
            ("outside", outside_screen()),
            ("demo", demo_screen()),
            ("denied", denied_screen()),
            ("link_invalid", link_invalid_screen()),
            loading_screen(),
        ),
        class_name="db-root",
        id="dashboard",
        data_screen=D.screen,
        data_tab=D.tab,
    )


def dashboard() -> rx.Component:
    return _screen()


def dashboard_login() -> rx.Component:
    return _screen()
