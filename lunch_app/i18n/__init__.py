"""ru/en message catalogue for the Mini App, the dashboard, the bot and the workers.

Catalogue parts live in `lunch_app/i18n/catalog/*.py`, each defining `RU` and `EN` dicts; they are
merged once on import. Russian is the default; English is used for English-language Telegram users.
"""

from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal
from typing import Any

from lunch_app.i18n import catalog as _catalog_pkg

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

CATALOG: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}


def _load() -> None:
    for info in sorted(pkgutil.iter_modules(_catalog_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_catalog_pkg.__name__}.{info.name}")
        for lang in LANGUAGES:
            part: dict[str, str] = getattr(module, lang.upper())
            duplicated = CATALOG[lang].keys() & part.keys()
            if duplicated:
                raise RuntimeError(f"i18n keys defined twice: {sorted(duplicated)}")
            CATALOG[lang].update(part)


_load()


def normalize_language(code: str | None) -> str:
    """Telegram language_code → one of LANGUAGES (English for en*, Russian otherwise)."""
    if code and code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """Translate `key`; unknown keys come back as the key itself (a test checks none are missing)."""
    language = lang if lang in CATALOG else DEFAULT_LANGUAGE
    template = CATALOG[language].get(key) or CATALOG[DEFAULT_LANGUAGE].get(key)
    if template is None:
        return key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def format_money(amount: Decimal | str | int | None, lang: str | None = DEFAULT_LANGUAGE) -> str:
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(Decimal("0.01"))
    if lang == "en":
        return f"₽{value:,.2f}"
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0₽"


def format_options(options: dict[str, str]) -> str:
    """A dish's chosen options as people read them: "Порция: Большая, Хлеб: Чёрный"."""
    return ", ".join(f"{name}: {value}" for name, value in options.items())


def format_order_lines(
    combo_name: str | None, combo_price: Decimal | None, lines: list[dict[str, Any]], lang: str | None
) -> list[str]:
    """An order's contents as people read them, a string a line (Mini App and dashboard alike): the combo with
    its price and its dishes under it, then the other dishes with their quantities; chosen options in brackets."""
    out: list[str] = []
    if combo_name:
        combo = t("order.combo_line", lang, name=combo_name)
        out.append(combo if combo_price is None else f"{combo} · {format_money(combo_price, lang)}")
    for line in lines:
        text = str(line.get("name", ""))
        if line.get("options"):
            text += f" ({format_options(line['options'])})"
        out.append(f"— {text}" if line.get("kind") == "combo_dish" else f"{line.get('quantity', 1)} × {text}")
    return out
