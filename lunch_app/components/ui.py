"""Building blocks of the Telegram-styled UI: sections, rows, chips, buttons, bottom sheet, banners.

Colours come from the `--tg-theme-*` CSS variables Telegram sets (with light/dark fallbacks), see
assets/miniapp.css; components here only pick class names, so the dashboard can reuse them as they are.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import VarData

from lunch_app.i18n import web

STYLESHEET = "/miniapp.css"
FAVICON = "/favicon.svg"
# Head scripts around Telegram's own, in this order (see each file's header): Web Storage that works in a
# cross-site iframe, then Telegram's script, the palette from Telegram's theme, the bridge to the native chrome.
STORAGE_SCRIPT = "/storage_fallback.js"
THEME_SCRIPT = "/telegram_theme.js"
BRIDGE_SCRIPT = "/telegram_bridge.js"


class Texts:
    """A page's fixed texts: `texts["key"]` is the text in the client's language, read in the browser from the
    static table module (lunch_app/i18n/web.py), so only the language travels in the state.

    An unknown key fails when the page is built, not as an empty label on a phone.
    """

    def __init__(self, family: str, lang: rx.Var[str] | str) -> None:  # a state's `lang` (a str to the type checker)
        self._family = family
        imports = {f"$/public{web.MODULE}": [ImportVar(tag=web.EXPORT)]}
        everything = rx.Var(_js_expr=web.EXPORT, _var_data=VarData(imports=imports)).to(dict)
        self._texts = everything[lang].to(dict)

    def __getitem__(self, key: str) -> rx.Var[str]:
        if not web.shown_by(self._family, key):
            raise KeyError(f"{key!r} is not a text of the {self._family!r} pages (lunch_app/i18n/web.py PREFIXES)")
        return self._texts[key].to(str)


def classes(base: str, flag: Any, extra: str) -> Any:
    """`base` plus `extra` while the var `flag` is true."""
    return rx.cond(flag, f"{base} {extra}", base)


def heading(text: Any, **props: Any) -> rx.Component:
    return rx.el.div(text, class_name="ma-h", **props)


def section(*children: Any, **props: Any) -> rx.Component:
    return rx.el.div(*children, class_name="ma-section", **props)


def row(*children: Any, class_name: str = "ma-row", **props: Any) -> rx.Component:
    return rx.el.button(*children, class_name=class_name, type="button", **props)


def row_text(title: Any, subtitle: Any = None, description: Any = None) -> rx.Component:
    parts: list[Any] = [rx.el.div(title, class_name="ma-row-title")]
    if subtitle is not None:
        parts.append(rx.el.div(subtitle, class_name="ma-row-sub"))
    if description is not None:
        parts.append(rx.cond(description != "", rx.el.div(description, class_name="ma-row-desc")))
    return rx.el.div(*parts, class_name="ma-row-main")


def badge(text: Any) -> rx.Component:
    return rx.el.span(text, class_name="ma-badge")


def chip(text: Any, active: Any, **props: Any) -> rx.Component:
    return rx.el.button(text, class_name=classes("ma-chip", active, "on"), type="button", **props)


def button(text: Any, *, variant: str = "", **props: Any) -> rx.Component:
    return rx.el.button(text, class_name=f"ma-btn {variant}".strip(), type="button", **props)


def banner(text: Any, *, good: bool, on_close: Any = None, **props: Any) -> rx.Component:
    children: list[Any] = [rx.el.span(text)]
    if on_close is not None:
        children.append(rx.el.button("×", class_name="ma-link", type="button", on_click=on_close))
    return rx.el.div(*children, class_name="ma-banner " + ("ok" if good else "bad"), **props)


def centered(icon: str, title: Any, text: Any, *children: Any, tone: str = "", **props: Any) -> rx.Component:
    """A full-screen message (access screens): an icon in a tinted circle, a title, a text, actions."""
    return rx.el.div(
        rx.el.div(rx.icon(icon, size=40), class_name=f"ma-emoji {tone}".strip()),
        rx.el.h1(title, class_name="ma-title"),
        rx.el.p(text, class_name="ma-subtitle"),
        *children,
        class_name="ma-center",
        **props,
    )


def bottom_sheet(*children: Any, on_close: Any, class_name: str = "", **props: Any) -> rx.Component:
    return rx.fragment(
        rx.el.div(class_name="ma-backdrop", on_click=on_close),
        rx.el.div(
            rx.el.div(class_name="ma-grab"),
            rx.el.button("✕", class_name="ma-sheet-close", type="button", on_click=on_close, aria_label="close"),
            *children,
            class_name=f"ma-sheet {class_name}".strip(),
            role="dialog",
            **props,
        ),
    )


def skeleton(height: int) -> rx.Component:
    return rx.el.div(class_name="ma-skeleton", style={"height": f"{height}px"})


def switch(on: Any, **props: Any) -> rx.Component:
    return rx.el.button(class_name=classes("ma-switch", on, "on"), type="button", role="switch", **props)


def progress(percent: Any, over: Any) -> rx.Component:
    return rx.el.div(
        rx.el.div(style={"width": percent.to_string() + "%"}),
        class_name=classes("ma-progress", over, "over"),
    )


def demo_picker(
    title: Any, text: Any, empty: Any, people: Any, on_pick: Any, *, row_class: str, error: Any = None, **props: Any
) -> rx.Component:
    """DEMO_MODE outside Telegram: the people (name, office, tgid) to sign in as; the server re-checks the one tapped.

    `on_pick(tgid)` is the sign-in event; `error` a message var shown above the list."""
    return rx.el.div(
        centered("flask_conical", title, text, style={"minHeight": "auto"}),
        rx.cond(error != "", banner(error, good=False)) if error is not None else rx.fragment(),
        section(
            rx.foreach(
                people,
                lambda person: row(
                    rx.el.div(person.name[:1], class_name="ma-plus"),
                    row_text(person.name, person.office),
                    on_click=on_pick(person.tgid),
                    class_name=f"ma-row {row_class}",
                ),
            ),
        ),
        rx.cond(people.length() == 0, rx.el.p(empty, class_name="ma-subtitle ma-pad")),
        **props,
    )
