"""The Menu tab's view: a cafe's combos and dishes, the dish and combo forms, the delete question."""

# mypy: disable-error-code="operator,attr-defined"
from __future__ import annotations

from typing import Any

import reflex as rx

from lunch_app.components import dashboard as db
from lunch_app.components import form_rules as rules
from lunch_app.components import ui
from lunch_app.pages.manager.root import D, form_sheet, question, switch_button, tr
from lunch_app.states.manager.menu import CATEGORIES, COMBO_CATEGORIES, TAGS, MenuTab


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


def view() -> rx.Component:
    st = MenuTab
    return rx.el.div(
        db.tools(
            db.select(st.cafes, st.cafe_id, st.select_cafe, id="menu-cafe"),
            db.small(tr("dash.menu.add_dish"), variant="", on_click=st.open_add_dish, id="menu-add-dish"),
            db.small(tr("dash.menu.add_combo"), on_click=st.open_add_combo, id="menu-add-combo"),
        ),
        db.titled_grid(
            tr("dash.menu.combos"),
            st.combos,
            lambda c: db.card(
                db.head(
                    c.name,
                    c.parts,
                    rx.cond(c.available, db.state_pill("on", c.price), db.state_pill("off", tr("dash.menu.disabled"))),
                ),
                menu_actions(
                    st.open_edit_combo(c.id),
                    c.available,
                    lambda value: st.set_combo_available(c.id, value),
                    st.ask("delete_combo", c.id, c.name),
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
                        st.ask("delete_dish", d.id, d.name),
                    ),
                    class_name="dish-card",
                ),
            ),
        ),
        db.empty(tr("dash.menu.none"), st.dishes.length() == 0),
        rx.cond(st.dish_mode != "", dish_form()),
        rx.cond(st.combo_mode != "", combo_form()),
        question(
            st, tr("dash.menu.delete_title"), tr("dash.menu.delete_text") + " " + st.asked_name, yes=tr("dash.delete")
        ),
        id="view-menu",
    )
