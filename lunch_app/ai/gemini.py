"""Gemini through google-genai with a pool of API keys shared by every process via Redis.

Each key has a daily budget (GEMINI_MAX_REQUESTS_PER_KEY) counted atomically in Redis, so the app
replicas and the worker never overspend together. A 429 marks the key spent for the day and the call
moves to the next key; a key refused as invalid (400 API_KEY_INVALID, 401, 403) is skipped for 24 h.
When no key is left, `AllKeysExhausted` is raised. Keys never reach Redis: only a short hash does.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, Field, ValidationError
from redis.asyncio import Redis

from lunch_app.clock import get_clock
from lunch_app.domain.recommendations import AllKeysExhausted, GenerationFailed
from lunch_app.settings import Settings

log = logging.getLogger(__name__)

INVALID_FOR = 24 * 3600
COUNTER_TTL = 2 * 24 * 3600

# KEYS[1] = the key's counter for today, KEYS[2] = its "invalid" flag; ARGV[1] = daily budget.
# Returns 1 when a request may be made with this key (and counts it), 0 otherwise.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class TipsAnswer(BaseModel):
    summary: str = Field(min_length=1, max_length=600)
    tips: list[str] = Field(min_length=2, max_length=3)


def key_id(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


class KeyPool:
    """Daily budgets and invalid-key marks for the configured keys, kept in Redis."""

    def __init__(self, redis: Redis, keys: list[str], max_per_key: int) -> None:
        self.redis = redis
        self.keys = keys
        self.max_per_key = max_per_key
        self._acquire = redis.register_script(_ACQUIRE)

    def _counter(self, api_key: str) -> str:
        return f"gemini:used:{get_clock().today().isoformat()}:{key_id(api_key)}"

    def _invalid(self, api_key: str) -> str:
        return f"gemini:invalid:{key_id(api_key)}"

    async def acquire(self, *, skip: set[str] | frozenset[str] = frozenset()) -> str:
        """A key with budget left (its use counted), or AllKeysExhausted."""
        for api_key in self.keys:
            if api_key in skip:
                continue
            allowed = await self._acquire(
                keys=[self._counter(api_key), self._invalid(api_key)], args=[self.max_per_key, COUNTER_TTL]
            )
            if allowed == 1:
                return api_key
        raise AllKeysExhausted()

    async def mark_exhausted(self, api_key: str) -> None:
        await self.redis.set(self._counter(api_key), self.max_per_key, ex=COUNTER_TTL)

    async def mark_invalid(self, api_key: str) -> None:
        await self.redis.set(self._invalid(api_key), "1", ex=INVALID_FOR)

    async def used(self, api_key: str) -> int:
        return int(await self.redis.get(self._counter(api_key)) or 0)


def _is_invalid_key(exc: genai_errors.APIError) -> bool:
    if exc.code in (401, 403):
        return True
    return exc.code == 400 and "API_KEY_INVALID" in json.dumps(exc.details, default=str)


def _prompt(facts: dict[str, Any], language: str) -> str:
    lang = "English" if language == "en" else "Russian"
    return (
        "You are a friendly nutrition coach for a corporate lunch service. Based on these lunch statistics "
        f"of one employee for the last 30 days (JSON), write in {lang}: a one-sentence summary of their "
        "eating pattern and 2-3 short, practical, kind tips for more balanced lunches, mentioning dishes "
        "or categories where useful. No medical claims.\n"
        f"{json.dumps(facts, ensure_ascii=False)}"
    )


class GeminiGenerator:
    """Implements `TipsGenerator` with google-genai, rotating over the key pool."""

    def __init__(self, settings: Settings, redis: Redis) -> None:
        self.settings = settings
        self.pool = KeyPool(redis, settings.gemini_keys, settings.gemini_max_requests_per_key)
        self._clients: dict[str, genai.Client] = {}  # kept alive: a collected client breaks its session

    @property
    def enabled(self) -> bool:
        return bool(self.settings.gemini_keys)

    def _client(self, api_key: str) -> genai.Client:
        client = self._clients.get(api_key)
        if client is None:
            options = types.HttpOptions(
                base_url=self.settings.gemini_base_url or None,
                timeout=30_000,
                retry_options=types.HttpRetryOptions(attempts=1),
            )
            client = genai.Client(api_key=api_key, http_options=options)
            self._clients[api_key] = client
        return client

    async def generate(self, facts: dict[str, Any], *, language: str) -> tuple[str, list[str]]:
        config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=TipsAnswer)
        tried: set[str] = set()
        while True:
            api_key = await self.pool.acquire(skip=tried)
            tried.add(api_key)
            try:
                response = await self._client(api_key).aio.models.generate_content(
                    model=self.settings.gemini_model, contents=_prompt(facts, language), config=config
                )
            except genai_errors.ClientError as exc:
                if exc.code == 429:
                    log.warning("gemini key exhausted", extra={"key": key_id(api_key)})
                    await self.pool.mark_exhausted(api_key)
                    continue
                if _is_invalid_key(exc):
                    log.error("gemini key rejected as invalid", extra={"key": key_id(api_key), "code": exc.code})
                    await self.pool.mark_invalid(api_key)
                    continue
                raise GenerationFailed("error.reco.failed", reason=f"client {exc.code}") from None
            except genai_errors.APIError as exc:
                raise GenerationFailed("error.reco.failed", reason=f"server {exc.code}") from None
            except (OSError, TimeoutError) as exc:
                raise GenerationFailed("error.reco.failed", reason=type(exc).__name__) from None
            return _parse(response)


def _parse(response: types.GenerateContentResponse) -> tuple[str, list[str]]:
    parsed = response.parsed
    if isinstance(parsed, TipsAnswer):
        answer = parsed
    else:
        try:
            answer = TipsAnswer.model_validate_json(response.text or "")
        except ValidationError:
            raise GenerationFailed("error.reco.failed", reason="bad answer") from None
    tips = [tip.strip() for tip in answer.tips if tip.strip()]
    if not answer.summary.strip() or not 2 <= len(tips) <= 3:
        raise GenerationFailed("error.reco.failed", reason="bad answer")
    return answer.summary.strip(), tips
