"""SPEC §11 scenario 1: Telegram initData validation (HMAC with the bot token, auth_date freshness, user)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from lunch_app.domain.errors import DomainError, Forbidden
from lunch_app.i18n import t
from lunch_app.telegram_auth import InitDataInvalid, TelegramInitData, sign_init_data, validate_init_data

TOKEN = "424242:test-bot-token-for-the-stand-in"
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
DAY = 24 * 3600
USER = {"id": 5_000_000_001, "first_name": "Анна", "last_name": "Петрова", "username": "anna_p", "language_code": "en"}


def _validate(init_data: str, *, now: datetime = NOW, token: str = TOKEN) -> TelegramInitData:
    return validate_init_data(init_data, bot_token=token, max_age_seconds=DAY, now=now)


def _reason(init_data: str) -> str:
    with pytest.raises(InitDataInvalid) as caught:
        _validate(init_data)
    return caught.value.reason


def _telegram_style(fields: dict[str, str], token: str = TOKEN) -> str:
    """Sign independently of the module under test, exactly as Telegram documents it."""
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def test_valid_init_data_signs_in() -> None:
    raw = sign_init_data(
        USER, bot_token=TOKEN, auth_date=NOW - timedelta(minutes=5), query_id="AAH1", start_param="cafe_3"
    )
    data = _validate(raw)
    assert data.user.id == 5_000_000_001
    assert data.user.first_name == "Анна"
    assert data.user.username == "anna_p"
    assert data.user.language_code == "en"
    assert data.user.full_name == "Анна Петрова"
    assert data.auth_date == NOW - timedelta(minutes=5)
    assert data.query_id == "AAH1"
    assert data.start_param == "cafe_3"


def test_independently_signed_data_is_accepted() -> None:
    """Guards against sign/validate sharing the same mistake: a reference signer written from the docs."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": 279058397, "first_name": "Vladislav", "language_code": "ru"}),
        "auth_date": str(int(NOW.timestamp()) - 60),
        "chat_type": "private",
        "signature": "ignored-by-the-hmac-check-but-signed",
    }
    data = _validate(_telegram_style(fields))
    assert data.user.id == 279058397
    assert data.chat_type == "private"


def test_bad_hash_is_rejected() -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW)
    fields = dict(parse_qsl(raw))
    fields["hash"] = "0" * 64
    assert _reason(urlencode(fields)) == "bad_hash"


def test_signed_with_another_token_is_rejected() -> None:
    raw = sign_init_data(USER, bot_token="999:another-bot", auth_date=NOW)
    assert _reason(raw) == "bad_hash"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", json.dumps({**USER, "id": 1})),  # impersonation attempt
        ("user", json.dumps({**USER, "first_name": "Boss"})),
        ("auth_date", str(int(NOW.timestamp()))),  # refreshing the date without re-signing
        ("start_param", "other"),  # an added field
    ],
)
def test_tampered_field_is_rejected(field: str, value: str) -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW - timedelta(hours=1))
    fields = dict(parse_qsl(raw))
    fields[field] = value
    assert _reason(urlencode(fields)) == "bad_hash"


def test_missing_hash_is_rejected() -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW)
    fields = dict(parse_qsl(raw))
    del fields["hash"]
    assert _reason(urlencode(fields)) == "missing_hash"
    fields["hash"] = ""
    assert _reason(urlencode(fields)) == "missing_hash"


def test_stale_auth_date_is_rejected() -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW - timedelta(seconds=DAY + 1))
    assert _reason(raw) == "stale"
    # Exactly at the limit is still fine.
    assert _validate(sign_init_data(USER, bot_token=TOKEN, auth_date=NOW - timedelta(seconds=DAY)))


def test_auth_date_far_in_the_future_is_rejected() -> None:
    assert _reason(sign_init_data(USER, bot_token=TOKEN, auth_date=NOW + timedelta(hours=1))) == "future"
    # A little clock skew is tolerated.
    assert _validate(sign_init_data(USER, bot_token=TOKEN, auth_date=NOW + timedelta(minutes=2)))


def test_missing_auth_date_is_malformed() -> None:
    fields = {"user": json.dumps(USER)}
    assert _reason(_telegram_style(fields)) == "malformed"
    fields["auth_date"] = "yesterday"
    assert _reason(_telegram_style(fields)) == "malformed"


def test_missing_user_is_rejected() -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "query_id": "AAH1"}
    assert _reason(_telegram_style(fields)) == "missing_user"


@pytest.mark.parametrize(
    "user",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"first_name": "No id"}),
        json.dumps({"id": "5000", "first_name": "String id"}),
        json.dumps({"id": 5.5, "first_name": "Float id"}),
        json.dumps({"id": True, "first_name": "Bool id"}),
        json.dumps({"id": -7, "first_name": "Negative"}),
        json.dumps({"id": 2**63, "first_name": "Too big"}),
        json.dumps({"id": 7, "first_name": 42}),
        json.dumps({"id": 7, "first_name": "x" * 1000}),
    ],
)
def test_invalid_user_is_rejected(user: str) -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "user": user}
    assert _reason(_telegram_style(fields)) == "bad_user"


@pytest.mark.parametrize(
    "raw",
    ["", "&&&", "user", "a=1&a=2", "x" * 20_000, "%ff%fe=1&hash=00"],
)
def test_malformed_query_strings_are_rejected(raw: str) -> None:
    assert _reason(raw) == "malformed"


@pytest.mark.parametrize("raw", [None, 42, b"user=1", ["user=1"]])
def test_wrong_types_are_rejected(raw: object) -> None:
    assert _reason(raw) == "malformed"  # type: ignore[arg-type]


def test_duplicated_fields_cannot_smuggle_a_second_user() -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW)
    assert _reason(raw + "&user=" + quote(json.dumps({"id": 1}))) == "malformed"


def test_non_ascii_hash_does_not_crash() -> None:
    raw = sign_init_data(USER, bot_token=TOKEN, auth_date=NOW)
    fields = dict(parse_qsl(raw))
    fields["hash"] = "ж" * 64
    assert _reason(urlencode(fields)) == "bad_hash"


def test_error_is_a_translated_forbidden_domain_error() -> None:
    err = InitDataInvalid("stale")
    assert isinstance(err, Forbidden)
    assert isinstance(err, DomainError)
    assert err.key == "error.auth.invalid"
    assert err.params == {"reason": "stale"}
    for lang in ("ru", "en"):
        assert err.message(lang) != err.key
    assert t("error.auth.invalid", "en").startswith("Could not verify")
