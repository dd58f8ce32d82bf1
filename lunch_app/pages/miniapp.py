# mypy: disable-error-code="operator"
# (mypy sees `@rx.event` handlers as EventNamespace; calling them with arguments builds event specs.)
"""The employee Mini App at "/" (SPEC §5): access screens, ordering, my orders, profile, the wheel.

One page whose screens switch on `MiniApp.screen` / `MiniApp.tab`: opening the app is a single load, and
Telegram's BackButton maps to the in-page `back` event (a hidden #tg-back button, see telegram_bridge.js).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import ui
from lunch_app.states.miniapp import (
    CartLine,
    Choice,
    ComboCard,
    ComboSlot,
    DayChip,
    DemoUser,
    DishCard,
    FilterChip,
    MenuSectionCard,
    MiniApp,
    OptionField,
    OrderCard,
    WheelLabel,
)

S = MiniApp
tr = ui.Texts("mini", MiniApp.lang)


# ------------------------------------------------------------------------------------ access screens


def loading_screen() -> rx.Component:
    return rx.el.div(
        ui.skeleton(48),
        ui.skeleton(72),
        ui.skeleton(120),
        ui.skeleton(220),
        ui.skeleton(220),
        id="screen-loading",
        style={"paddingTop": "8px"},
    )


def outside_screen() -> rx.Component:
    return ui.centered(
        "send",
        tr["mini.outside.title"],
        S.outside_text,
        rx.el.a(
            tr["mini.outside.button"],
            href="https://t.me/" + S.bot_username,
            class_name="ma-btn",
            style={"maxWidth": "280px", "textDecoration": "none"},
        ),
        id="screen-outside",
    )


def failed_screen() -> rx.Component:
    return ui.centered("lock", tr["mini.outside.title"], tr["mini.signin_failed"], tone="bad", id="screen-failed")


def demo_screen() -> rx.Component:
    return ui.demo_picker(
        tr["mini.demo.title"],
        tr["mini.demo.text"],
        tr["mini.demo.empty"],
        S.demo_users,
        MiniApp.demo_sign_in,
        row_class="demo-user",
        error=S.error,
        id="screen-demo",
        class_name="ma-page",
    )


def request_screen() -> rx.Component:
    return ui.centered(
        "user_plus",
        tr["mini.request.title"],
        tr["mini.request.text"],
        rx.el.div(
            rx.el.label(tr["mini.request.name"], class_name="ma-label", html_for="request-name"),
            rx.el.input(
                id="request-name",
                class_name="ma-input",
                value=S.form_name,
                on_change=MiniApp.set_form_name,
                max_length=100,
                auto_complete="name",
            ),
            rx.el.label(tr["mini.request.office"], class_name="ma-label", html_for="request-office"),
            # The active offices as a choice (the office decides the cafes, the calendar and the clock).
            rx.el.select(
                rx.el.option(tr["mini.request.office_pick"], value=""),
                rx.foreach(S.office_choices, lambda office: rx.el.option(office.name, value=office.id)),
                id="request-office",
                class_name="ma-select request-office",
                value=S.form_office,
                on_change=MiniApp.set_form_office,
            ),
            rx.cond(S.form_error != "", rx.el.p(S.form_error, class_name="ma-error", id="request-error")),
            rx.el.button(
                tr["mini.request.submit"],
                class_name="ma-btn",
                type="button",
                on_click=MiniApp.submit_request,
                id="request-submit",
                style={"marginTop": "18px"},
            ),
            class_name="ma-form",
        ),
        id="screen-request",
    )


def status_screen(screen_id: str, icon: str, key: str, tone: str = "") -> rx.Component:
    return ui.centered(icon, tr[f"mini.{key}.title"], tr[f"mini.{key}.text"], tone=tone, id=screen_id)


# ------------------------------------------------------------------------------------ ordering


def day_chip(day: DayChip) -> rx.Component:
    css = rx.cond(
        day.date == S.day,
        rx.cond(day.is_open, "ma-day active", "ma-day closed active"),
        rx.cond(day.is_open, "ma-day", "ma-day closed"),
    )
    return rx.el.button(
        rx.el.div(day.weekday, class_name="ma-day-wd"),
        rx.el.div(day.number, class_name="ma-day-num"),
        # The note counts down in the browser (telegram_bridge.js) from the server's cut-off instant.
        rx.el.div(day.note, class_name="ma-day-note", data_cutoff=day.cutoff_ms, data_note=day.note),
        class_name=css,
        type="button",
        on_click=MiniApp.pick_day(day.date),
        data_date=day.date,
    )


def combo_card(combo: ComboCard) -> rx.Component:
    return rx.el.button(
        rx.el.div(combo.name, class_name="ma-combo-name"),
        rx.el.div(combo.parts, class_name="ma-combo-parts"),
        rx.el.div(combo.price, class_name="ma-price"),
        class_name="ma-combo",
        type="button",
        on_click=MiniApp.open_combo(combo.id),
        data_combo=combo.id,
    )


def dish_row(dish: DishCard) -> rx.Component:
    return ui.row(
        rx.el.div(
            rx.el.div(dish.name, class_name="ma-row-title"),
            rx.cond(dish.description != "", rx.el.div(dish.description, class_name="ma-row-desc")),
            rx.cond(dish.tags.length() > 0, rx.el.div(rx.foreach(dish.tags, ui.badge), class_name="ma-badges")),  # type: ignore[attr-defined]
            class_name="ma-row-main",
        ),
        rx.el.div(dish.price, class_name="ma-price"),
        rx.el.div("+", class_name="ma-plus"),
        on_click=MiniApp.open_dish(dish.id),
        data_dish=dish.id,
        class_name="ma-row dish",
    )


def menu_section(section: MenuSectionCard) -> rx.Component:
    return rx.fragment(ui.heading(section.title), ui.section(rx.foreach(section.dishes, dish_row)))


def filter_chip(chip: FilterChip) -> rx.Component:
    return ui.chip(chip.label, chip.active, on_click=MiniApp.toggle_filter(chip.tag), data_tag=chip.tag)


def cart_line(line: CartLine) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.div(line.title, class_name="ma-row-title"),
            rx.cond(line.details != "", rx.el.div(line.details, class_name="ma-row-sub")),
            class_name="ma-row-main",
        ),
        rx.el.div(line.price, class_name="ma-price"),
        rx.el.button(
            "✕",
            class_name="ma-link",
            type="button",
            on_click=MiniApp.remove_line(line.key),
            aria_label=tr["mini.cart.remove"],
        ),
        class_name="ma-row cart-line",
    )


def cart_section() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.span(tr["mini.cart"]),
            rx.cond(
                S.has_cart,
                rx.el.button(
                    tr["mini.cart.clear"],
                    class_name="ma-link",
                    type="button",
                    on_click=MiniApp.clear_cart,
                    style={"float": "right"},
                ),
            ),
            class_name="ma-h",
        ),
        ui.section(
            rx.cond(
                S.has_cart,
                rx.fragment(
                    rx.foreach(S.cart_lines, cart_line),
                    rx.el.div(
                        rx.el.label(tr["mini.cart.notes"], class_name="ma-label", html_for="cart-notes"),
                        rx.el.textarea(
                            id="cart-notes",
                            class_name="ma-textarea",
                            value=S.notes,
                            on_change=MiniApp.set_notes,
                            placeholder=tr["mini.cart.notes_hint"],
                            max_length=500,
                        ),
                        class_name="ma-pad",
                        style={"paddingTop": "0"},
                    ),
                    rx.el.div(
                        rx.el.div(
                            rx.el.span(tr["mini.cart.total"]),
                            rx.el.span(rx.cond(S.cart_total != "", S.cart_total, "—"), id="cart-total"),
                            class_name="ma-total",
                        ),
                        rx.el.div(S.cart_remaining, class_name="ma-muted", id="cart-remaining"),
                        class_name="ma-pad",
                    ),
                ),
                rx.el.div(tr["mini.cart.empty"], class_name="ma-pad ma-muted", id="cart-empty"),
            ),
            id="cart",
        ),
    )


def order_tab() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.select(
                rx.foreach(S.cafes, lambda c: rx.el.option(c.name, value=c.id)),
                value=S.cafe_id,
                on_change=MiniApp.pick_cafe,
                class_name="ma-select",
                id="cafe-select",
                aria_label=tr["mini.cafe"],
            ),
            class_name="ma-header",
        ),
        rx.cond(
            S.cafes.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(tr["mini.no_cafes"], class_name="ma-subtitle ma-pad", id="no-cafes"),
            rx.fragment(
                rx.el.div(
                    rx.foreach(S.days, day_chip),
                    class_name="ma-days",
                    id="days",
                    data_now=S.clock_ms,  # the server's time of the strip: the browser corrects its clock by it
                    data_fmt_hours=tr["mini.day.left_hours"],
                    data_fmt_whole_hours=tr["mini.day.left_whole_hours"],
                    data_fmt_minutes=tr["mini.day.left_minutes"],
                    data_closed=tr["mini.day.closed"],
                ),
                # The countdown reached a cut-off: the bridge clicks this to reload the strip from the server.
                rx.el.button(
                    on_click=MiniApp.refresh_days, id="days-refresh", style={"display": "none"}, type="button"
                ),
                rx.cond(
                    S.day_closed_reason != "",
                    ui.banner(S.day_closed_reason, good=False, id="day-closed"),
                ),
                rx.cond(
                    S.editing_order_id > 0,
                    rx.el.div(
                        rx.el.span(S.editing_text),
                        rx.el.button(
                            tr["mini.editing.stop"],
                            class_name="ma-link",
                            type="button",
                            on_click=MiniApp.stop_editing,
                            style={"fontSize": "14px", "opacity": "1"},
                        ),
                        class_name="ma-banner ok",
                        id="editing",
                    ),
                ),
                rx.cond(
                    S.combos.length() > 0,  # type: ignore[attr-defined]
                    rx.fragment(
                        ui.heading(tr["mini.combos"]),
                        rx.el.div(rx.foreach(S.combos, combo_card), class_name="ma-combos"),
                    ),
                ),
                rx.el.div(
                    rx.el.span(tr["mini.menu"]),
                    rx.el.button(
                        rx.icon("dices", size=15),
                        tr["mini.wheel.title"],
                        class_name="ma-link ma-icon-link",
                        type="button",
                        on_click=MiniApp.open_wheel,
                        id="wheel-open",
                        style={"float": "right", "textTransform": "none"},
                    ),
                    class_name="ma-h",
                ),
                rx.cond(
                    S.filters.length() > 0,  # type: ignore[attr-defined]
                    rx.el.div(
                        ui.chip(tr["mini.filters.all"], S.no_filter, on_click=MiniApp.clear_filters),
                        rx.foreach(S.filters, filter_chip),
                        class_name="ma-chips",
                        style={"marginBottom": "4px"},
                    ),
                ),
                rx.cond(
                    S.sections.length() == 0,  # type: ignore[attr-defined]
                    rx.el.p(tr["mini.menu.empty"], class_name="ma-subtitle ma-pad"),
                    rx.foreach(S.sections, menu_section),
                ),
                cart_section(),
            ),
        ),
        id="tab-order",
    )


def place_bar() -> rx.Component:
    return rx.cond(
        S.has_cart & (S.tab == "order") & (S.sheet == ""),
        rx.el.div(
            rx.el.div(
                rx.cond(
                    S.cart_error != "",
                    ui.banner(S.cart_error, good=False, id="cart-error", style={"margin": "0 0 8px"}),
                ),
                rx.cond(
                    S.existing_order_id > 0,
                    ui.button(
                        tr["mini.edit_existing"],
                        variant="secondary",
                        id="edit-existing",
                        on_click=MiniApp.edit_order(S.existing_order_id),
                        style={"marginBottom": "8px"},
                    ),
                ),
                ui.button(S.place_text, id="place-order", on_click=MiniApp.place, disabled=S.busy),
                class_name="ma-bar-in",
            ),
            class_name="ma-bar",
        ),
    )


# ------------------------------------------------------------------------------------ sheets


def option_picker(option: OptionField, on_pick: Any) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            option.name,
            rx.cond(option.required, rx.el.span(tr["mini.options.required"], class_name="ma-req")),
            class_name="ma-label",
        ),
        rx.el.div(
            rx.foreach(
                option.choices, lambda value: ui.chip(value, option.value == value, on_click=on_pick(option, value))
            ),
            class_name="ma-opts",
        ),
        class_name="option",
        data_option=option.name,
    )


def dish_sheet() -> rx.Component:
    return ui.bottom_sheet(
        rx.el.div(S.dish.name, class_name="ma-sheet-title"),
        rx.el.div(S.dish.price, class_name="ma-price", style={"fontSize": "17px"}),
        rx.cond(S.dish.description != "", rx.el.p(S.dish.description, class_name="ma-muted")),
        rx.el.div(rx.foreach(S.dish.tags, ui.badge), class_name="ma-badges"),
        rx.foreach(S.dish_options, lambda o: option_picker(o, lambda opt, v: MiniApp.set_dish_option(opt.name, v))),
        rx.el.div(
            rx.el.span(tr["mini.quantity"], class_name="ma-muted", style={"flex": "1"}),
            rx.el.button("−", type="button", on_click=MiniApp.change_qty(-1), id="qty-minus"),
            rx.el.span(S.dish_qty, id="qty"),
            rx.el.button("+", type="button", on_click=MiniApp.change_qty(1), id="qty-plus"),
            class_name="ma-qty",
        ),
        rx.cond(S.sheet_error != "", rx.el.p(S.sheet_error, class_name="ma-error", style={"marginBottom": "8px"})),
        ui.button(tr["mini.add"], id="add-dish", on_click=MiniApp.add_dish),
        on_close=MiniApp.close_sheet,
        id="dish-sheet",
    )


def combo_slot(slot: ComboSlot) -> rx.Component:
    return rx.el.div(
        rx.el.div(slot.title, class_name="ma-label", style={"textTransform": "capitalize"}),
        rx.el.div(
            rx.foreach(
                slot.choices,
                lambda c: ui.chip(
                    c.name, slot.selected == c.id, on_click=MiniApp.choose_combo_dish(slot.category, c.id)
                ),
            ),
            class_name="ma-opts",
        ),
        rx.foreach(
            slot.options,
            lambda o: option_picker(o, lambda opt, v: MiniApp.set_combo_option(slot.category, opt.name, v)),
        ),
        class_name="combo-slot",
        data_category=slot.category,
        style={"marginBottom": "6px"},
    )


def combo_sheet() -> rx.Component:
    return ui.bottom_sheet(
        rx.el.div(S.combo_title, class_name="ma-sheet-title"),
        rx.el.div(S.combo_price, class_name="ma-price", style={"fontSize": "17px"}),
        rx.el.p(tr["mini.combo.choose"], class_name="ma-muted"),
        rx.foreach(S.combo_slots, combo_slot),
        rx.cond(S.sheet_error != "", rx.el.p(S.sheet_error, class_name="ma-error", style={"marginBottom": "8px"})),
        rx.el.div(style={"height": "10px"}),
        ui.button(tr["mini.combo.add"], id="add-combo", on_click=MiniApp.add_combo),
        on_close=MiniApp.close_sheet,
        id="combo-sheet",
    )


def wheel_label(label: WheelLabel) -> rx.Component:
    return rx.el.div(label.name, class_name="ma-wheel-label", style={"transform": label.transform})


def wheel_sheet() -> rx.Component:
    return ui.bottom_sheet(
        rx.el.div(tr["mini.wheel.title"], class_name="ma-sheet-title"),
        rx.cond(
            S.wheel_names.length() == 0,  # type: ignore[attr-defined]
            rx.el.p(tr["mini.wheel.empty"], class_name="ma-muted"),
            rx.fragment(
                rx.el.div(
                    rx.el.div(class_name="ma-wheel-pointer"),
                    rx.el.div(
                        rx.foreach(S.wheel_labels, wheel_label),
                        class_name="ma-wheel",
                        style={"background": S.wheel_gradient, "transform": S.wheel_transform},
                    ),
                    class_name="ma-wheel-wrap",
                ),
                rx.cond(
                    S.wheel_pick_id > 0,
                    rx.el.div(
                        rx.el.div(S.wheel_pick_name, class_name="ma-wheel-result", id="wheel-result"),
                        rx.el.div(
                            ui.button(tr["mini.wheel.spin"], variant="secondary", on_click=MiniApp.spin),
                            ui.button(tr["mini.add"], on_click=MiniApp.open_dish(S.wheel_pick_id), id="wheel-add"),
                            class_name="ma-actions",
                        ),
                    ),
                    ui.button(tr["mini.wheel.spin"], on_click=MiniApp.spin, id="wheel-spin"),
                ),
            ),
        ),
        on_close=MiniApp.close_sheet,
        id="wheel-sheet",
    )


# ------------------------------------------------------------------------------------ my orders


def order_card(order: OrderCard) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.div(rx.el.span(order.date, style={"fontWeight": "600"}), " · ", order.cafe),
            rx.el.span(order.status_text, class_name="ma-status " + order.status),
            class_name="ma-order-head",
        ),
        rx.el.div(order.number, class_name="ma-muted"),
        rx.el.div(rx.foreach(order.lines, lambda line: rx.el.div(line)), class_name="ma-order-lines"),
        rx.cond(
            order.notes != "",
            rx.el.div(rx.icon("message_circle", size=13), order.notes, class_name="ma-muted ma-icon-link"),
        ),
        rx.el.div(order.total, class_name="ma-price order-total"),
        rx.el.div(
            rx.cond(
                order.can_change,
                rx.fragment(
                    ui.button(
                        tr["mini.orders.edit"],
                        variant="secondary small order-edit",
                        on_click=MiniApp.edit_order(order.id),
                    ),
                    ui.button(
                        rx.cond(
                            S.confirm_cancel_id == order.id, tr["mini.orders.cancel_confirm"], tr["mini.orders.cancel"]
                        ),
                        on_click=MiniApp.cancel_order(order.id),
                        variant="danger small order-cancel",
                    ),
                ),
            ),
            ui.button(
                tr["mini.orders.repeat"], on_click=MiniApp.repeat(order.id), variant="secondary small order-repeat"
            ),
            class_name="ma-actions",
        ),
        class_name="ma-order",
        data_order=order.id,
        data_status=order.status,
    )


def orders_tab() -> rx.Component:
    def block(title: Any, items: Any, block_id: str) -> rx.Component:
        return rx.el.div(
            ui.heading(title),
            ui.section(
                rx.cond(
                    items.length() == 0,
                    rx.el.div(tr["mini.orders.empty"], class_name="ma-pad ma-muted"),
                    rx.foreach(items, order_card),
                )
            ),
            id=block_id,
        )

    return rx.el.div(
        block(tr["mini.orders.upcoming"], S.upcoming, "orders-upcoming"),
        block(tr["mini.orders.past"], S.past, "orders-past"),
        id="tab-orders",
    )


# ------------------------------------------------------------------------------------ profile


def profile_tab() -> rx.Component:
    return rx.el.div(
        rx.el.div(S.user_initial, class_name="ma-avatar"),
        rx.el.h1(S.user_name, class_name="ma-title", style={"textAlign": "center"}, id="profile-name"),
        rx.el.p(S.user_office, class_name="ma-subtitle", style={"margin": "2px auto 0", "textAlign": "center"}),
        ui.heading(tr["mini.profile.week"]),
        ui.section(
            rx.el.div(
                rx.el.div(S.week_text, style={"fontWeight": "600"}, id="week-text"),
                ui.progress(S.week_percent, S.week_over),
                class_name="ma-pad",
            )
        ),
        ui.heading(tr["mini.profile.stats"]),
        ui.section(
            rx.el.div(
                rx.el.div(rx.el.b(S.stats_orders), tr["mini.profile.orders"], class_name="ma-stat"),
                rx.el.div(rx.el.b(S.stats_unique), tr["mini.profile.unique"], class_name="ma-stat"),
                class_name="ma-stats",
            ),
            rx.cond(
                S.stats_top.length() > 0,  # type: ignore[attr-defined]
                rx.el.div(
                    rx.el.div(tr["mini.profile.top"], class_name="ma-muted"),
                    rx.foreach(S.stats_top, lambda line: rx.el.div(line)),
                    class_name="ma-pad",
                ),
            ),
        ),
        rx.cond(
            S.tips_enabled,
            rx.fragment(
                ui.heading(tr["mini.profile.tips"]),
                ui.section(
                    rx.el.div(
                        rx.cond(
                            S.tips_summary != "",
                            rx.fragment(
                                rx.el.p(S.tips_summary, style={"marginTop": "0"}),
                                rx.el.ul(rx.foreach(S.tips, lambda tip: rx.el.li(tip)), class_name="ma-tips"),
                                rx.el.div(S.tips_time, class_name="ma-muted"),
                            ),
                            rx.el.p(tr["mini.profile.tips_none"], class_name="ma-muted", style={"marginTop": "0"}),
                        ),
                        rx.cond(S.tips_error != "", rx.el.p(S.tips_error, class_name="ma-error", id="tips-error")),
                        rx.el.div(style={"height": "10px"}),
                        ui.button(
                            rx.cond(S.generating, tr["mini.profile.generating"], tr["mini.profile.generate"]),
                            variant="secondary",
                            on_click=MiniApp.generate_tips,
                            disabled=S.generating,
                            id="tips-generate",
                        ),
                        class_name="ma-pad",
                    )
                ),
            ),
        ),
        ui.heading(tr["mini.profile.reminders"]),
        ui.section(
            rx.el.div(
                ui.row_text(tr["mini.profile.reminders"], tr["mini.profile.reminders_hint"]),
                ui.switch(S.reminders, on_click=MiniApp.set_reminders(~S.reminders), id="reminders-switch"),
                class_name="ma-row",
            )
        ),
        id="tab-profile",
    )


# ------------------------------------------------------------------------------------ shell


def tab_button(tab: str, icon: str) -> rx.Component:
    return rx.el.button(
        rx.icon(icon, size=22, class_name="ma-tab-icon"),
        rx.el.span(tr[f"mini.tab.{tab}"]),
        class_name=ui.classes("ma-tab", S.tab == tab, "on"),
        type="button",
        on_click=MiniApp.show_tab(tab),
        id=f"tab-button-{tab}",
    )


def app_screen() -> rx.Component:
    return rx.el.div(
        rx.cond(S.notice != "", ui.banner(S.notice, good=True, on_close=MiniApp.dismiss, id="notice")),
        rx.cond(S.error != "", ui.banner(S.error, good=False, on_close=MiniApp.dismiss, id="error")),
        rx.match(S.tab, ("orders", orders_tab()), ("profile", profile_tab()), order_tab()),
        place_bar(),
        rx.match(S.sheet, ("dish", dish_sheet()), ("combo", combo_sheet()), ("wheel", wheel_sheet()), rx.fragment()),
        rx.el.div(
            rx.el.div(
                tab_button("order", "utensils"),
                tab_button("orders", "receipt"),
                tab_button("profile", "user"),
                class_name="ma-tabs-in",
            ),
            class_name="ma-tabs",
        ),
        id="screen-app",
        class_name="ma-page",
    )


def miniapp() -> rx.Component:
    return rx.el.div(
        rx.el.button(on_click=MiniApp.back, id="tg-back", style={"display": "none"}, type="button"),
        rx.match(
            S.screen,
            ("app", app_screen()),
            ("outside", outside_screen()),
            ("failed", failed_screen()),
            ("demo", demo_screen()),
            ("request", request_screen()),
            ("pending", status_screen("screen-pending", "hourglass", "pending")),
            ("rejected", status_screen("screen-rejected", "circle_x", "rejected", "bad")),
            ("disabled", status_screen("screen-disabled", "ban", "disabled", "bad")),
            loading_screen(),
        ),
        class_name="ma-root",
        data_screen=S.screen,
        data_lang=S.lang,
    )


__all__ = [
    "CartLine",
    "Choice",
    "ComboCard",
    "ComboSlot",
    "DayChip",
    "DemoUser",
    "DishCard",
    "FilterChip",
    "MenuSectionCard",
    "OptionField",
    "OrderCard",
    "miniapp",
]
