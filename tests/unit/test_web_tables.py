"""The static translation module the pages read (assets/i18n_tables.js) matches the catalogue, and the pages'
text helper refuses keys that are not in its table."""

from __future__ import annotations

import json

import pytest

from lunch_app.components.ui import Texts
from lunch_app.i18n import CATALOG, web
from lunch_app.states.manager import Dashboard
from lunch_app.states.miniapp import MiniApp


def test_the_committed_module_is_the_catalogue() -> None:
    assert web.ASSET.read_text(encoding="utf-8") == web.module_source(), "run: python -m lunch_app.i18n.web"
    body = web.ASSET.read_text(encoding="utf-8").split("=", 1)[1].strip().rstrip(";")
    shipped = json.loads(body)
    assert shipped.keys() == CATALOG.keys()
    assert shipped["ru"].keys() == shipped["en"].keys()
    for lang in CATALOG:
        assert shipped[lang]["day.open"] == CATALOG[lang]["day.open"]
        assert shipped[lang]["dash.tab.today"] == CATALOG[lang]["dash.tab.today"]
        assert shipped[lang]["mini.place_plain"] == CATALOG[lang]["mini.place_plain"]


def test_only_page_texts_are_shipped() -> None:
    shipped = web.tables()["en"]
    assert "error.generic" not in shipped  # server-side messages stay on the server
    assert all(any(web.shown_by(family, key) for family in web.PREFIXES) for key in shipped)
    assert web.shown_by("dash", "dash.tab.today") and not web.shown_by("mini", "dash.tab.today")


def test_texts_read_the_table_by_the_state_language() -> None:
    texts = Texts("mini", MiniApp.lang)
    code = str(texts["mini.place_plain"])
    assert web.EXPORT in code and "mini.place_plain" in code and str(MiniApp.lang) in code
    with pytest.raises(KeyError):
        texts["mini.no_such_text"]
    with pytest.raises(KeyError):
        Texts("mini", MiniApp.lang)["dash.tab.today"]  # a dashboard text is not shipped to the Mini App's table


def test_no_state_carries_the_texts() -> None:
    for state in (MiniApp, Dashboard):
        assert "tr" not in state.get_fields(), f"{state.__name__} sends translation tables per client again"
