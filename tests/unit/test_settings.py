"""Settings: one object for every process; production refuses placeholders; errors name the variable."""

from __future__ import annotations

import pytest

from lunch_app.settings import SettingsError, load_settings

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://lunch:s3cr3t-Pa55@postgres:5432/lunch",
    "telegram_bot_token": "7012345678:AAH-real-looking-token-value",
    "telegram_mini_app_url": "https://lunch.example.org/",
    "gemini_api_keys": "AIzaSyRealLookingKey1,AIzaSyRealLookingKey2",
}


def test_comma_lists_and_defaults() -> None:
    settings = load_settings(manager_tgids="5000000001, 42", gemini_api_keys="a,b,,")
    assert settings.manager_tgids == [5_000_000_001, 42]
    assert settings.gemini_keys == ["a", "b"]
    assert str(settings.tz) == "Europe/Moscow" and settings.order_horizon_days == 7
    assert settings.reminder_minutes_before == 30 and settings.init_data_max_age == 24 * 3600
    assert "a" not in repr(settings.gemini_api_keys)  # secrets stay hidden in logs


def test_production_accepts_real_values() -> None:
    settings = load_settings(**{**PRODUCTION, "gemini_api_keys": "AIzaSyRealLookingKey1"})
    assert settings.environment == "production"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"telegram_bot_token": "123456:change-me"}, "TELEGRAM_BOT_TOKEN is a placeholder"),
        ({"gemini_api_keys": "change-me"}, "GEMINI_API_KEYS contains a placeholder"),
        ({"database_url": "sqlite+aiosqlite:///./lunch.db"}, "DATABASE_URL"),
        ({"database_url": "postgresql+asyncpg://lunch:change-me@postgres/lunch"}, "DATABASE_URL"),
        ({"demo_mode": True}, "DEMO_MODE"),
        ({"telegram_mini_app_url": "http://lunch.example.org/"}, "https"),
    ],
)
def test_production_refuses_placeholders_and_unsafe_values(override: dict, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(**{**PRODUCTION, **override})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("override", "variable"),
    [
        ({"app_timezone": "Mars/Olympus"}, "APP_TIMEZONE"),
        ({"telegram_bot_token": "no-colon"}, "TELEGRAM_BOT_TOKEN"),
        ({"manager_tgids": "12,abc"}, "MANAGER_TGIDS"),
        ({"order_horizon_days": 0}, "ORDER_HORIZON_DAYS"),
        ({"log_level": "loud"}, "LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(override: dict, variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(**override)
    assert variable in str(caught.value)
