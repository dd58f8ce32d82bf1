"""One Settings object for every process (app, bot, workers, CLI).

Values come from the environment and from `.env` (development) or `.env.production` (production,
selected with ENVIRONMENT=production). No other module reads `os.environ` for configuration.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A token of the right shape that is only valid against a local Bot API stand-in.
DEV_BOT_TOKEN = "123456:dev-token-not-for-production"
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-token", "example", "xxx", "your-")


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(".env", ".env.production") if os.environ.get("ENVIRONMENT") == "production" else ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./lunch.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # With Redis state (production), a worker keeps a client's Mini App/dashboard state in memory for this long
    # after an event (Reflex's opportunistic lock), so a burst of taps skips the Redis round trips; another worker
    # asking for the same state ends the lease at once, and a graceful stop writes every leased state back.
    # A worker that crashes hard loses at most this much of a client's unsaved screen state (never an order).
    # 0 turns the lease off.
    state_lease_ms: int = Field(default=5000, ge=0, le=8000)
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_enable_idempotence: bool = False
    kafka_topic_deadlines: str = "lunch-bot.deadlines"
    kafka_topic_notifications: str = "lunch-bot.notifications"
    kafka_topic_daily_tasks: str = "lunch-bot.daily-tasks"
    kafka_consumer_group: str = "lunch-bot"

    telegram_bot_token: SecretStr = SecretStr(DEV_BOT_TOKEN)
    telegram_bot_username: str = "lunch_bot"
    telegram_mini_app_url: str = "http://localhost:3000/"
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webapp_script_url: str = "https://telegram.org/js/telegram-web-app.js"
    manager_tgids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    app_timezone: str = "Europe/Moscow"
    order_horizon_days: int = Field(default=7, ge=1, le=60)
    reminder_minutes_before: int = Field(default=30, ge=1, le=24 * 60)
    init_data_max_age: int = Field(default=24 * 3600, ge=60, description="seconds")
    dashboard_link_ttl: int = Field(default=600, ge=60, description="seconds")
    public_url: str = "http://localhost:3000"

    gemini_api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    gemini_model: str = "gemini-2.5-flash"
    gemini_max_requests_per_key: int = Field(default=200, ge=1)
    gemini_base_url: str | None = None
    gemini_concurrency: int = Field(default=16, ge=1, le=100)

    demo_mode: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    health_dir: str = "/tmp/lunch-bot-health"  # noqa: S108 - heartbeat files only, overridden in compose

    @field_validator("manager_tgids", mode="before")
    @classmethod
    def _parse_tgids(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("gemini_api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("app_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        head, _, tail = value.get_secret_value().partition(":")
        if not head.isdigit() or not tail:
            raise ValueError("TELEGRAM_BOT_TOKEN must look like <bot id>:<secret>")
        return value

    @model_validator(mode="after")
    def _production_guards(self) -> Settings:
        if self.environment != "production":
            return self
        problems: list[str] = []
        if _is_placeholder(self.telegram_bot_token.get_secret_value()):
            problems.append("TELEGRAM_BOT_TOKEN is a placeholder")
        for key in self.gemini_api_keys:
            if _is_placeholder(key.get_secret_value()):
                problems.append("GEMINI_API_KEYS contains a placeholder")
                break
        if _is_placeholder(self.database_url) or self.database_url.startswith("sqlite"):
            problems.append("DATABASE_URL must point at PostgreSQL with a real password")
        if self.demo_mode:
            problems.append("DEMO_MODE must be off in production")
        if not self.telegram_mini_app_url.startswith("https://"):
            problems.append("TELEGRAM_MINI_APP_URL must be an https:// URL (Telegram requires it)")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.app_timezone)

    @property
    def bot_token(self) -> str:
        return self.telegram_bot_token.get_secret_value()

    @property
    def gemini_keys(self) -> list[str]:
        return [key.get_secret_value() for key in self.gemini_api_keys]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


class SettingsError(RuntimeError):
    """Raised with a readable, one-paragraph explanation of what is wrong with the configuration."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(part).upper() for part in err["loc"]) or "configuration"
            lines.append(f"  {where}: {err['msg']}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
