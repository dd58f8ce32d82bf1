"""Every Mini App string exists in Russian and English, and every key the Mini App uses is defined."""

from __future__ import annotations

import re
from pathlib import Path

from lunch_app.i18n import CATALOG
from lunch_app.i18n.catalog import miniapp
from lunch_app.i18n.web import tables

ROOT = Path(__file__).resolve().parents[2]


def test_both_languages_have_the_same_keys() -> None:
    assert miniapp.RU.keys() == miniapp.EN.keys()
    assert tables()["ru"].keys() == tables()["en"].keys()


def test_every_key_used_by_the_mini_app_is_defined() -> None:
    page = (ROOT / "lunch_app" / "pages" / "miniapp.py").read_text()
    state = (ROOT / "lunch_app" / "states" / "miniapp.py").read_text()
    used = set(re.findall(r'tr\["([a-z_.]+)"\]', page))
    used |= set(re.findall(r'_t\(\s*"([a-z_.]+)"', state))
    used |= {f"mini.{key}.{suffix}" for key in ("pending", "rejected", "disabled") for suffix in ("title", "text")}
    assert used, "the patterns above no longer match the code"
    for lang in ("ru", "en"):
        missing = sorted(key for key in used if key not in CATALOG[lang])
        assert not missing, f"{lang}: {missing}"
