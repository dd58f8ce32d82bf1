"""The dashboard's HTML5 form constraints agree with the domain rules they are derived from.

The browser blocks a form whose fields break these constraints, so a constraint stricter than the domain would
refuse good input and a looser one lets the domain refuse it after submit. Python's `re.fullmatch` stands in for
the browser's anchored pattern match (the patterns use no syntax on which the two differ).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from lunch_app.components import form_rules as rules
from lunch_app.domain import access, calendar, catalogue, offices, orders, schedule
from lunch_app.domain.errors import InvalidInput
from lunch_app.domain.validation import parse

MONEY = ["0", "7", "0.5", "12,5", "12.50", "99999.99", "100000", "100000.00", "100000,0"]
NOT_MONEY = ["12.345", "100000.01", "100001", "-1", "abc", "1.2.3", " "]


def price_accepted(text: str) -> bool:
    try:
        parse(catalogue.ItemInput, {"name": "Плов", "category": "main", "price": text.replace(",", ".")})
    except InvalidInput:
        return False
    return True


def limit_accepted(text: str) -> bool:
    try:
        TypeAdapter(access.WeeklyLimit).validate_python(text.replace(",", "."))
    except ValidationError:
        return False
    return True


def matches(attrs: dict[str, Any], text: str) -> bool:
    return re.fullmatch(attrs["pattern"], text) is not None


@pytest.mark.parametrize("text", MONEY)
def test_a_price_the_browser_lets_through_is_one_the_domain_accepts(text: str) -> None:
    assert matches(rules.PRICE, text) and price_accepted(text)


@pytest.mark.parametrize("text", NOT_MONEY)
def test_a_price_the_domain_refuses_is_blocked_in_the_browser(text: str) -> None:
    assert not matches(rules.PRICE, text)
    assert not price_accepted(text)


def test_the_price_limits_come_from_the_domain() -> None:
    top = str(int(catalogue.MAX_PRICE))
    assert matches(rules.PRICE, top) and price_accepted(top)
    above = str(catalogue.MAX_PRICE + catalogue.CENT)
    assert not matches(rules.PRICE, above) and not price_accepted(above)
    assert rules.COMBO_PRICE["required"] is True


@pytest.mark.parametrize("text", ["0", "150", "150,5", "999999.99", "1000000", "1000000.00"])
def test_weekly_limits_accepted_by_both(text: str) -> None:
    assert matches(rules.WEEKLY_LIMIT, text) and limit_accepted(text)


@pytest.mark.parametrize("text", ["-5", "12.345", "1000000.01", "1000001", "abc"])
def test_weekly_limits_refused_by_both(text: str) -> None:
    assert not matches(rules.WEEKLY_LIMIT, text) and not limit_accepted(text)


def test_the_money_pattern_needs_a_power_of_ten() -> None:
    with pytest.raises(ValueError):
        rules.money_pattern(Decimal("1500"))


@pytest.mark.parametrize(
    ("text", "ok"),
    [("00:00", True), ("09:30", True), ("23:59", True), ("24:00", False), ("9:30", False), ("10:60", False)],
)
def test_cutoff_time_pattern_is_the_domains(text: str, ok: bool) -> None:
    assert matches(rules.CUTOFF_TIME, text) is ok
    row = {"weekday": 0, "cutoff_time": text, "cutoff_days_before": 0, "is_enabled": True}
    try:
        parse(schedule.ScheduleRowInput, row)
        accepted = True
    except InvalidInput:
        accepted = False
    assert accepted is ok


@pytest.mark.parametrize("days", [-1, 0, 6, 7])
def test_days_before_range_is_the_domains(days: int) -> None:
    in_browser = rules.DAYS_BEFORE["min"] <= days <= rules.DAYS_BEFORE["max"]
    row = {"weekday": 0, "cutoff_time": "10:00", "cutoff_days_before": days, "is_enabled": True}
    try:
        parse(schedule.ScheduleRowInput, row)
        accepted = True
    except InvalidInput:
        accepted = False
    assert in_browser is accepted


def test_lengths_and_quantities_come_from_the_domain() -> None:
    assert rules.NAME["max_length"] == catalogue.MAX_NAME
    assert rules.USER_NAME["max_length"] == access.MAX_NAME
    assert rules.OFFICE_NAME["max_length"] == offices.MAX_NAME
    assert rules.ADDRESS["max_length"] == offices.MAX_ADDRESS
    assert rules.HOLIDAY_NAME["max_length"] == rules.WORKDAY_NAME["max_length"] == calendar.MAX_NAME
    assert rules.CLOSURE_NOTE["max_length"] == calendar.MAX_NOTE
    assert rules.DESCRIPTION["max_length"] == catalogue.MAX_DESCRIPTION
    assert rules.OPTION_NAME["max_length"] == catalogue.MAX_OPTION_TEXT
    assert rules.NOTES["max_length"] == orders.MAX_NOTES
    assert rules.QUANTITY["max"] == orders.MAX_QUANTITY  # 0 drops the line; the domain sees 1..MAX_QUANTITY
    long_name = "я" * (catalogue.MAX_NAME + 1)
    with pytest.raises(InvalidInput):
        parse(catalogue.ItemInput, {"name": long_name, "category": "main"})
    parse(catalogue.ItemInput, {"name": long_name[:-1], "category": "main"})


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Большая, Малая", True),
        ("Одна", True),
        (",".join(["x"] * catalogue.MAX_OPTION_VALUES), True),
        (",".join(["x"] * (catalogue.MAX_OPTION_VALUES + 1)), False),
        ("x" * (catalogue.MAX_OPTION_TEXT + 1), False),
        ("", False),
    ],
)
def test_option_values_pattern_follows_the_domain(text: str, ok: bool) -> None:
    assert matches(rules.OPTION_VALUES, text) is ok
    option = {"name": "Порция", "values": [v.strip() for v in text.split(",") if v.strip()]}
    try:
        parse(catalogue.OptionInput, option)
        accepted = True
    except InvalidInput:
        accepted = False
    assert accepted is ok


@pytest.mark.parametrize(("text", "ok"), [("Анна", True), ("  Анна ", True), ("   ", False), ("", False)])
def test_names_must_not_be_blank(text: str, ok: bool) -> None:
    assert (text != "" and matches(rules.NAME, text)) is ok


def tgid_accepted(text: str) -> bool:
    try:
        TypeAdapter(access.TgId).validate_python(int(text))
    except (ValidationError, ValueError):
        return False
    return True


TOP_TGID = str(access.MAX_TGID)


@pytest.mark.parametrize("text", ["1", "7", "100002", "8000000001", TOP_TGID, str(access.MAX_TGID - 1), "9" * 18])
def test_telegram_ids_accepted_by_both(text: str) -> None:
    assert matches(rules.TGID, text) and tgid_accepted(text)


@pytest.mark.parametrize(
    "text", ["0", "-1", "-100002", str(access.MAX_TGID + 1), TOP_TGID + "0", "1" + "0" * len(TOP_TGID), "9" * 19]
)
def test_telegram_ids_refused_by_both(text: str) -> None:
    assert not matches(rules.TGID, text) and not tgid_accepted(text)


@pytest.mark.parametrize("text", ["007", "1.0", "1e3", " 12", "", "abc"])
def test_telegram_ids_the_browser_refuses_as_text(text: str) -> None:
    assert not matches(rules.TGID, text)


@pytest.mark.parametrize("maximum", [1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 305, 1000, 1009, 1234, 2000])
def test_the_positive_int_pattern_is_exactly_one_to_the_maximum(maximum: int) -> None:
    pattern = re.compile(rules.positive_int_pattern(maximum))
    for number in range(-3, 2 * maximum + 12):
        assert (pattern.fullmatch(str(number)) is not None) is (1 <= number <= maximum), number
        assert pattern.fullmatch(f"0{number}") is None  # no leading zeros


def test_the_positive_int_pattern_needs_a_positive_maximum() -> None:
    with pytest.raises(ValueError):
        rules.positive_int_pattern(0)
