"""Telegram Mini App `initData` validation (SPEC §4 "Access").

The Mini App sends the raw `Telegram.WebApp.initData` query string; only data whose HMAC checks out
against the bot token is trusted. `initDataUnsafe` (the client's parsed copy) is never used.

Algorithm (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
  data_check_string = "\\n".join(sorted(f"{key}={value}") for every field except `hash`)
  secret_key        = HMAC_SHA256(key="WebAppData", msg=bot_token)
  hash              = hex(HMAC_SHA256(key=secret_key, msg=data_check_string))
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError
from pydantic import Field as PydanticField

from lunch_app.domain.errors import Forbidden

MAX_INIT_DATA_LENGTH = 16_384
MAX_FIELDS = 64
# Clocks of phones and servers disagree a little; an auth_date further ahead than this is refused.
MAX_CLOCK_SKEW_SECONDS = 300


class InitDataInvalid(Forbidden):
    """initData that cannot be trusted. `reason` is one of:

    malformed, missing_hash, bad_hash, stale, future, missing_user, bad_user.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("error.auth.invalid", reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class TelegramUser:
    id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str:
        """The name to prefill in the access-request form (at most 100 characters, as stored)."""
        return " ".join(part for part in (self.first_name, self.last_name) if part).strip()[:100]


@dataclass(frozen=True)
class TelegramInitData:
    user: TelegramUser
    auth_date: datetime
    query_id: str | None = None
    start_param: str | None = None
    chat_type: str | None = None
    chat_instance: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # every signed field (without `hash`), decoded


class _UserPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: StrictInt = PydanticField(gt=0, lt=2**63)
    first_name: StrictStr = PydanticField(default="", max_length=256)
    last_name: StrictStr | None = PydanticField(default=None, max_length=256)
    username: StrictStr | None = PydanticField(default=None, max_length=64)
    language_code: StrictStr | None = PydanticField(default=None, max_length=35)


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def _signature(fields: dict[str, str], bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, _data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def _parse_fields(init_data: object) -> dict[str, str]:
    if not isinstance(init_data, str) or not init_data or len(init_data) > MAX_INIT_DATA_LENGTH:
        raise InitDataInvalid("malformed")
    try:
        pairs = parse_qsl(
            init_data, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=MAX_FIELDS
        )
    except ValueError:
        raise InitDataInvalid("malformed") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:  # a repeated field could mean two different things to two parsers
            raise InitDataInvalid("malformed")
        fields[key] = value
    return fields


def validate_init_data(init_data: str, *, bot_token: str, max_age_seconds: int, now: datetime) -> TelegramInitData:
    """Return the signed data, or raise `InitDataInvalid(reason)`.

    The signature is checked first (in constant time), so nothing in unsigned data is ever looked at.
    """
    fields = _parse_fields(init_data)
    given = fields.pop("hash", None)
    if not given:
        raise InitDataInvalid("missing_hash")
    expected = _signature(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", errors="replace")):
        raise InitDataInvalid("bad_hash")

    raw_date = fields.get("auth_date", "")
    if not raw_date.isascii() or not raw_date.isdigit() or len(raw_date) > 12:
        raise InitDataInvalid("malformed")
    auth_seconds = int(raw_date)
    age = now.timestamp() - auth_seconds
    if age > max_age_seconds:
        raise InitDataInvalid("stale")
    if age < -MAX_CLOCK_SKEW_SECONDS:
        raise InitDataInvalid("future")

    raw_user = fields.get("user")
    if raw_user is None:
        raise InitDataInvalid("missing_user")
    try:
        payload = _UserPayload.model_validate(json.loads(raw_user))
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        raise InitDataInvalid("bad_user") from None

    return TelegramInitData(
        user=TelegramUser(
            id=payload.id,
            first_name=payload.first_name,
            last_name=payload.last_name,
            username=payload.username,
            language_code=payload.language_code,
        ),
        auth_date=datetime.fromtimestamp(auth_seconds, UTC),
        query_id=fields.get("query_id"),
        start_param=fields.get("start_param"),
        chat_type=fields.get("chat_type"),
        chat_instance=fields.get("chat_instance"),
        fields=fields,
    )


def validate_init_data_now(init_data: str) -> TelegramInitData:
    """`validate_init_data` with the bot token, INIT_DATA_MAX_AGE and the application clock."""
    from lunch_app.clock import get_clock
    from lunch_app.settings import get_settings

    settings = get_settings()
    return validate_init_data(
        init_data,
        bot_token=settings.bot_token,
        max_age_seconds=settings.init_data_max_age,
        now=get_clock().utcnow(),
    )


def sign_init_data(user: dict[str, Any], *, bot_token: str, auth_date: int | datetime, **extra: Any) -> str:
    """Build a correctly signed initData string — the inverse of `validate_init_data`.

    For tests, the e2e browser tests and the demo mode only: real initData is signed by Telegram.
    `extra` adds more fields (query_id, start_param, chat_type, ...); non-string values are JSON-encoded.
    """
    seconds = int(auth_date.timestamp()) if isinstance(auth_date, datetime) else int(auth_date)
    fields = {"auth_date": str(seconds), "user": json.dumps(user, ensure_ascii=False, separators=(",", ":"))}
    for key, value in extra.items():
        fields[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    fields["hash"] = _signature(fields, bot_token)
    return urlencode(fields)
