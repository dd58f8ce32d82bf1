"""HTML5 constraints of the dashboard's forms, derived from the domain's own limits (one source of truth).

The browser refuses to submit a form while a field breaks them, so a slip is caught before anything is sent;
the domain still checks everything on submit and its refusal is shown inside the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lunch_app.domain import access, calendar, catalogue, offices, orders, schedule

MONEY_PLACES = -int(catalogue.CENT.as_tuple().exponent)
NOT_BLANK = r".*\S.*"  # the domain strips whitespace: "   " is no name


def money_pattern(maximum: Decimal, places: int = MONEY_PLACES) -> str:
    """Amounts from 0 to `maximum` (a power of ten) with at most `places` decimals, "." or "," as separator."""
    digits = str(int(maximum))
    if maximum != int(maximum) or digits.rstrip("0") != "1":
        raise ValueError("the maximum must be a power of ten")
    return rf"[0-9]{{1,{len(digits) - 1}}}([.,][0-9]{{1,{places}}})?|{digits}([.,]0{{1,{places}}})?"


def positive_int_pattern(maximum: int) -> str:
    """Whole numbers from 1 to `maximum`, without leading zeros."""
    if maximum < 1:
        raise ValueError("the maximum must be positive")
    top = str(maximum)
    shorter = {1: [], 2: ["[1-9]"]}.get(len(top), [f"[1-9][0-9]{{0,{len(top) - 2}}}"])
    # Same length as `maximum`: equal up to some digit, lower at it, anything after it.
    lower = []
    for index, digit in enumerate(top):
        least = 1 if index == 0 else 0
        if int(digit) > least:
            rest = len(top) - index - 1
            digits = str(least) if int(digit) - 1 == least else f"[{least}-{int(digit) - 1}]"
            lower.append(top[:index] + digits + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join([*shorter, *lower, top])


def list_pattern(count: int, length: int) -> str:
    """Up to `count` comma-separated values of 1..`length` characters each."""
    value = rf"[^,]{{1,{length}}}"
    return rf"{value}(,{value}){{0,{count - 1}}}"


PRICE: dict[str, Any] = {"pattern": money_pattern(catalogue.MAX_PRICE), "input_mode": "decimal"}
COMBO_PRICE: dict[str, Any] = {**PRICE, "required": True}
WEEKLY_LIMIT: dict[str, Any] = {"pattern": money_pattern(access.MAX_WEEKLY_LIMIT), "input_mode": "decimal"}
TGID: dict[str, Any] = {"required": True, "pattern": positive_int_pattern(access.MAX_TGID), "input_mode": "numeric"}
USER_NAME: dict[str, Any] = {"required": True, "pattern": NOT_BLANK, "max_length": access.MAX_NAME}
OFFICE_NAME: dict[str, Any] = {"required": True, "pattern": NOT_BLANK, "max_length": offices.MAX_NAME}
ADDRESS: dict[str, Any] = {"max_length": offices.MAX_ADDRESS}
TIMEZONE: dict[str, Any] = {"required": True, "max_length": offices.MAX_ZONE}
HOLIDAY_NAME: dict[str, Any] = {"required": True, "pattern": NOT_BLANK, "max_length": calendar.MAX_NAME}
WORKDAY_NAME: dict[str, Any] = {"max_length": calendar.MAX_NAME}
CLOSURE_NOTE: dict[str, Any] = {"max_length": calendar.MAX_NOTE}
CALENDAR_DATE: dict[str, Any] = {"required": True}
NAME: dict[str, Any] = {"required": True, "pattern": NOT_BLANK, "max_length": catalogue.MAX_NAME}
DESCRIPTION: dict[str, Any] = {"max_length": catalogue.MAX_DESCRIPTION}
OPTION_NAME: dict[str, Any] = {"required": True, "pattern": NOT_BLANK, "max_length": catalogue.MAX_OPTION_TEXT}
OPTION_VALUES: dict[str, Any] = {
    "required": True,
    "pattern": list_pattern(catalogue.MAX_OPTION_VALUES, catalogue.MAX_OPTION_TEXT),
}
SORT_ORDER: dict[str, Any] = {
    "type": "number",
    "step": 1,
    "min": -catalogue.MAX_SORT_ORDER,
    "max": catalogue.MAX_SORT_ORDER,
}
CUTOFF_TIME: dict[str, Any] = {"type": "time", "required": True, "pattern": schedule.CUTOFF_PATTERN}
DAYS_BEFORE: dict[str, Any] = {"type": "number", "required": True, "min": 0, "max": schedule.MAX_DAYS_BEFORE, "step": 1}
QUANTITY: dict[str, Any] = {"type": "number", "required": True, "min": 0, "max": orders.MAX_QUANTITY, "step": 1}
NOTES: dict[str, Any] = {"max_length": orders.MAX_NOTES}
REPORT_DATE: dict[str, Any] = {"required": True}
