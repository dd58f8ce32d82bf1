"""The message catalogue is complete: every key in both languages, every error key the code raises translated."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

from lunch_app.domain.availability import DayState
from lunch_app.i18n import CATALOG, format_money, format_order_lines, normalize_language, t
from lunch_app.models import Category, OrderStatus, Role, Tag

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""["'](error\.[a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert CATALOG["ru"].keys() == CATALOG["en"].keys()
    for key, ru in CATALOG["ru"].items():
        assert _fields(ru) == _fields(CATALOG["en"][key]), key
        assert ru.strip() and CATALOG["en"][key].strip(), key


def test_every_error_key_in_the_code_is_translated() -> None:
    used: set[str] = set()
    for folder in ("lunch_app", "bot", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            if "i18n" in path.parts:
                continue
            used |= set(KEY.findall(path.read_text(encoding="utf-8")))
    used |= {f"error.day.{state.value}" for state in DayState}
    missing = sorted(key for key in used if key not in CATALOG["ru"])
    assert not missing, missing
    assert len(used) > 50  # the scan really found the keys


def test_enumerations_are_translated() -> None:
    prefixes = {"category": Category, "tag": Tag, "order_status": OrderStatus, "role": Role}
    for prefix, enum in prefixes.items():
        for member in enum:
            for lang in ("ru", "en"):
                assert t(f"{prefix}.{member.value}", lang) != f"{prefix}.{member.value}"


def test_language_choice_and_money() -> None:
    assert normalize_language("en-GB") == "en" and normalize_language("uk") == "ru" and normalize_language(None) == "ru"
    assert t("error.order.bad_quantity", "en", min=1, max=20) == "The quantity must be between 1 and 20."
    assert t("no.such.key", "en") == "no.such.key"
    assert format_money("1250.5", "ru") == "1\u202f250,50\u00a0₽"
    assert format_money("1250.5", "en") == "₽1,250.50"


def test_an_order_reads_the_same_in_the_mini_app_and_the_dashboard() -> None:
    lines = [
        {"kind": "combo_dish", "name": "Борщ", "quantity": 1, "options": {}},
        {"kind": "combo_dish", "name": "Котлета", "quantity": 1, "options": {"Гарнир": "Рис"}},
        {"kind": "item", "name": "Кофе", "quantity": 2, "options": {"Молоко": "Овсяное", "Сахар": "Нет"}},
    ]
    assert format_order_lines("Комплекс А", Decimal("15"), lines, "ru") == [
        "Комплекс «Комплекс А» · 15,00\u00a0₽",
        "— Борщ",
        "— Котлета (Гарнир: Рис)",
        "2 × Кофе (Молоко: Овсяное, Сахар: Нет)",
    ]
    assert format_order_lines("Lunch A", Decimal("15"), lines[:1], "en") == ["Set lunch «Lunch A» · ₽15.00", "— Борщ"]
    assert format_order_lines(None, None, lines[2:], "ru") == ["2 × Кофе (Молоко: Овсяное, Сахар: Нет)"]
