"""Dashboard-only building blocks on top of `lunch_app.components.ui` (same Telegram theme, wider layout).

Styles live in assets/dashboard.css (class prefix `db-`); the Mini App's classes (`ma-`) are reused as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from lunch_app.components import ui

STYLESHEET = "/dashboard.css"


def text_input(
    value: Any, on_change: Any, *, debounce: int = 250, class_name: str = "ma-input", **props: Any
) -> rx.Component:
    """A controlled text field that talks to the server only after the user pauses typing."""
    return rx.debounce_input(
        rx.el.input(value=value, on_change=on_change, class_name=class_name, **props),
        debounce_timeout=debounce,
    )


def date_input(value: Any, on_change: Any, **props: Any) -> rx.Component:
    return rx.el.input(type="date", value=value, on_change=on_change, class_name="ma-input db-date", **props)


def select(
    choices: Any, value: Any, on_change: Any, *, first: tuple[str, Any] | None = None, **props: Any
) -> rx.Component:
    """A native <select> (comfortable on phones). `choices` is a list var of `Choice(value, label)`."""
    options: list[Any] = []
    if first is not None:
        options.append(rx.el.option(first[1], value=first[0]))
    options.append(rx.foreach(choices, lambda choice: rx.el.option(choice.label, value=choice.value)))
    return rx.el.select(*options, value=value, on_change=on_change, class_name="ma-select", **props)


def static_select(options: list[tuple[str, Any]], value: Any, on_change: Any, **props: Any) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=key) for key, label in options],
        value=value,
        on_change=on_change,
        class_name="ma-select",
        **props,
    )


def field(label: Any, control: rx.Component) -> rx.Component:
    return rx.el.label(rx.el.span(label, class_name="ma-label"), control, display="block")


def state_pill(state: Any, text: Any) -> rx.Component:
    css = f"db-state {state}" if isinstance(state, str) else "db-state " + state
    return rx.el.span(text, class_name=css)


def tools(*children: Any) -> rx.Component:
    return rx.el.div(*children, class_name="db-tools")


def grid(*children: Any, **props: Any) -> rx.Component:
    return rx.el.div(*children, class_name="db-grid", **props)


def card(*children: Any, class_name: str = "", **props: Any) -> rx.Component:
    """A themed section holding one padded card; `class_name` adds hooks for tests and styling."""
    return rx.el.div(rx.el.div(*children, class_name="db-card"), class_name=f"ma-section {class_name}".strip(), **props)


def titled_grid(title: Any, items: Any, card: Callable[[Any], rx.Component], *after: Any) -> rx.Component:
    """A heading over a grid of one `card` per item of the list var `items`, shown only while there are items;
    `after` follows the grid."""
    return rx.cond(items.length() > 0, rx.el.div(ui.heading(title), grid(rx.foreach(items, card)), *after))


def head(title: Any, subtitle: Any = None, right: Any = None) -> rx.Component:
    left: list[Any] = [rx.el.div(title, class_name="db-name")]
    if subtitle is not None:
        left.append(rx.cond(subtitle != "", rx.el.div(subtitle, class_name="db-sub")))
    return rx.el.div(rx.el.div(*left), right if right is not None else rx.fragment(), class_name="db-head")


def lines(items: Any) -> rx.Component:
    return rx.el.ul(rx.foreach(items, lambda line: rx.el.li(line)), class_name="db-lines")


def actions(*children: Any) -> rx.Component:
    return rx.el.div(*children, class_name="db-actions")


def small(text: Any, *, variant: str = "secondary", **props: Any) -> rx.Component:
    return ui.button(text, variant=f"small {variant}".strip(), **props)


def toggle(label: Any, on: Any, on_click: Any, **props: Any) -> rx.Component:
    return rx.el.div(
        ui.switch(on, on_click=on_click, aria_label=label, **props), rx.el.span(label), class_name="db-toggle"
    )


def empty(text: Any, when: Any) -> rx.Component:
    return rx.cond(when, rx.el.div(text, class_name="db-empty"))


def pager(page_text: Any, has_prev: Any, has_next: Any, on_prev: Any, on_next: Any, total_text: Any) -> rx.Component:
    return rx.el.div(
        small("‹", on_click=on_prev, disabled=~has_prev, aria_label="previous page"),
        rx.el.span(page_text, class_name="ma-muted"),
        small("›", on_click=on_next, disabled=~has_next, aria_label="next page"),
        rx.el.span(total_text, class_name="ma-muted"),
        class_name="db-pager",
    )


def sheet(
    title: Any, *children: Any, on_close: Any, error: Any = None, on_submit: Any = None, **props: Any
) -> rx.Component:
    """A bottom sheet with a title; a domain error is shown inside it, next to the form it refers to.

    With `on_submit` the body is a <form>: the browser checks the fields' HTML constraints and submits only
    when they hold (a `submit` button sends it)."""
    body: list[Any] = [rx.el.div(title, class_name="ma-sheet-title"), *children]
    if error is not None:
        body.append(rx.cond(error != "", rx.el.p(error, class_name="ma-error", role="alert")))
    if on_submit is not None:
        content = rx.el.form(*body, class_name="db-form", on_submit=on_submit)
    else:
        content = rx.el.div(*body, class_name="db-form")
    return ui.bottom_sheet(content, on_close=on_close, **props)


def submit(text: Any, **props: Any) -> rx.Component:
    """The button that submits its form (after the browser's own validation)."""
    return rx.el.button(text, class_name="ma-btn", type="submit", **props)


def confirm(
    when: Any, title: Any, text: Any, *, yes: Any, no: Any, on_yes: Any, on_no: Any, danger: bool = True
) -> rx.Component:
    """Asks before a destructive action."""
    return rx.cond(
        when,
        sheet(
            title,
            rx.el.p(text, class_name="ma-muted"),
            rx.el.div(
                ui.button(no, variant="secondary", on_click=on_no),
                ui.button(yes, variant="danger" if danger else "", on_click=on_yes, id="confirm-yes"),
                class_name="db-sheet-actions",
            ),
            on_close=on_no,
        ),
    )
