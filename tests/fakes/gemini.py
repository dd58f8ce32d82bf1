"""A local stand-in for the Gemini API (`generateContent`), good enough for google-genai.

`FakeGemini` answers `POST /{v1,v1beta}/models/{model}:generateContent`, reads the key from the
`x-goog-api-key` header (or `?key=`), records every call and behaves per key as programmed: a JSON answer
(default: a valid recommendations object), Google-shaped errors (429 RESOURCE_EXHAUSTED, 400
API_KEY_INVALID, 401, 403, 500, 503), a non-JSON answer, a safety block, with optional latency.

    fake.fail("key-1", 429)              # key-1 is rate limited from now on
    fake.fail("key-2", 400, times=1)     # only the next call with key-2 is rejected as an invalid key
    fake.answer({"summary": "...", "tips": ["a", "b"]})   # default answer for every key
    fake.bad_answer("key-3")             # 200 OK but the text is not JSON
    client = fake.client_for("key-1")    # a google.genai.Client pointed here, no retries
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_ANSWER: dict[str, Any] = {
    "summary": "You mostly order soups and salads, and rarely try new dishes.",
    "tips": ["Try a new main dish this week.", "Add a vegetable side to your usual combo."],
}

Answer = str | dict[str, Any] | list[Any] | Callable[[dict[str, Any]], "str | dict[str, Any] | list[Any]"]


def google_error(status: int) -> dict[str, Any]:
    """The JSON body Google returns for an HTTP error status."""
    if status == 429:
        return {
            "error": {
                "code": 429,
                "message": "You exceeded your current quota, please check your plan and billing details.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content"}],
                    },
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"},
                ],
            }
        }
    if status == 400:
        return {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"},
                    }
                ],
            }
        }
    statuses = {
        401: ("Request had invalid authentication credentials.", "UNAUTHENTICATED"),
        403: ("Permission denied: Consumer has been suspended.", "PERMISSION_DENIED"),
        404: ("models/unknown is not found for API version v1.", "NOT_FOUND"),
        500: ("An internal error has occurred. Please retry.", "INTERNAL"),
        503: ("The model is overloaded. Please try again later.", "UNAVAILABLE"),
    }
    message, code_name = statuses.get(status, ("Error", "UNKNOWN"))
    return {"error": {"code": status, "message": message, "status": code_name}}


@dataclass
class GeminiCall:
    """One generateContent request: key, model (without `models/`), API version and the request JSON."""

    key: str | None
    model: str
    api_version: str
    body: dict[str, Any]
    time: float
    status: int = 200

    @property
    def prompt(self) -> str:
        """All text parts of the request's contents, joined by newlines."""
        parts = [
            part.get("text", "")
            for content in self.body.get("contents", [])
            for part in content.get("parts", [])
            if isinstance(part, dict)
        ]
        return "\n".join(parts)


@dataclass
class Behaviour:
    """What the fake does for a request: `kind` is "ok", "error" (with `status`), "bad_json" or "blocked"."""

    kind: str = "ok"
    status: int = 200
    answer: Answer | None = None
    latency: float = 0.0
    times: int | None = None  # None: until changed; N: the next N requests only


@dataclass
class _KeyProgram:
    queue: list[Behaviour] = field(default_factory=list)
    standing: Behaviour | None = None


class FakeGemini:
    """Gemini API stand-in. `await start()` / `await stop()`; `base_url` for `HttpOptions(base_url=...)`.

    `valid_keys` (if given): any other key gets 400 API_KEY_INVALID.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, valid_keys: set[str] | None = None) -> None:
        self.host = host
        self.port = port
        self.valid_keys = valid_keys
        self.latency = 0.0
        self._global = _KeyProgram(standing=Behaviour(answer=DEFAULT_ANSWER))
        self._programs: dict[str, _KeyProgram] = {}
        self._calls: list[GeminiCall] = []
        self._runner: web.AppRunner | None = None
        self._clients: list[Any] = []

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("FakeGemini is not started yet")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_post("/{version}/models/{model}:generateContent", self._generate)
        app.router.add_post("/{version}/models/{model}:countTokens", self._count_tokens)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        if not self.port:
            self.port = runner.addresses[0][1]
        self._runner = runner

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        for client in self._clients:
            await client.aio.aclose()
        self._clients.clear()

    async def __aenter__(self) -> FakeGemini:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget calls and per-key programs; restore the default answer and no latency."""
        self._calls.clear()
        self._programs.clear()
        self._global = _KeyProgram(standing=Behaviour(answer=DEFAULT_ANSWER))
        self.latency = 0.0

    # ------------------------------------------------------------------ programming
    def program(self, key: str | None, behaviour: Behaviour) -> None:
        """Low-level: set `behaviour` for `key` (None: for every key without its own program).

        With `behaviour.times=N` it applies to the next N matching requests only, then the previous
        standing behaviour is back; with `times=None` it replaces the standing behaviour.
        """
        prog = self._global if key is None else self._programs.setdefault(key, _KeyProgram())
        if behaviour.times is None:
            prog.standing = behaviour
            prog.queue.clear()
        else:
            prog.queue.append(behaviour)

    def answer(self, answer: Answer = DEFAULT_ANSWER, key: str | None = None, *, times: int | None = None) -> None:
        """Answer 200 with `answer` as the model text (dict/list JSON-encoded; a callable gets the request JSON)."""
        self.program(key, Behaviour(kind="ok", answer=answer, times=times))

    def fail(self, key: str | None, status: int = 429, *, times: int | None = None) -> None:
        """Answer with Google's error for `status` (429, 400 = API_KEY_INVALID, 401, 403, 500, 503)."""
        self.program(key, Behaviour(kind="error", status=status, times=times))

    def bad_answer(
        self, key: str | None = None, text: str = "Sure! Here are tips: eat well", *, times: int | None = None
    ) -> None:
        """Answer 200 but with model text that is not valid JSON."""
        self.program(key, Behaviour(kind="bad_json", answer=text, times=times))

    def block(self, key: str | None = None, *, times: int | None = None) -> None:
        """Answer 200 with no candidates (prompt blocked for safety): `response.text` is None."""
        self.program(key, Behaviour(kind="blocked", times=times))

    def set_latency(self, seconds: float, key: str | None = None) -> None:
        """Delay answers by `seconds` (for all keys, or one key's standing behaviour)."""
        if key is None:
            self.latency = seconds
            return
        prog = self._programs.setdefault(key, _KeyProgram())
        prog.standing = prog.standing or Behaviour(kind="ok", answer=None)
        prog.standing.latency = seconds

    @staticmethod
    def _take(prog: _KeyProgram) -> Behaviour | None:
        while prog.queue:
            head = prog.queue[0]
            if head.times:
                head.times -= 1
                if head.times == 0:
                    prog.queue.pop(0)
                return head
            prog.queue.pop(0)
        return prog.standing

    def _behaviour_for(self, key: str | None) -> Behaviour:
        if self.valid_keys is not None and key not in self.valid_keys:
            return Behaviour(kind="error", status=400)
        prog = self._programs.get(key or "")
        found = self._take(prog) if prog is not None else None
        return found or self._take(self._global) or Behaviour(answer=DEFAULT_ANSWER)

    # ------------------------------------------------------------------ inspection
    def calls(self, key: str | None = None) -> list[GeminiCall]:
        """Recorded generateContent calls, oldest first (optionally only those made with `key`)."""
        return [c for c in self._calls if key is None or c.key == key]

    async def wait_for(
        self, count: int = 1, timeout: float = 10, predicate: Callable[[GeminiCall], bool] | None = None
    ) -> list[GeminiCall]:
        """Wait for at least `count` matching calls; AssertionError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matching = [c for c in self._calls if predicate is None or predicate(c)]
            if len(matching) >= count:
                return matching
            if loop.time() >= deadline:
                raise AssertionError(f"expected {count} Gemini call(s) within {timeout}s, got {len(matching)}")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ client
    def client_for(self, api_key: str) -> Any:
        """A `google.genai.Client` for `api_key` talking to this fake, without retries.

        Closed by `stop()`; keep a reference for the duration of the call.
        """
        from google import genai
        from google.genai import types

        client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=self.base_url, retry_options=types.HttpRetryOptions(attempts=1), timeout=10_000
            ),
        )
        self._clients.append(client)
        return client

    # ------------------------------------------------------------------ HTTP
    async def _count_tokens(self, request: web.Request) -> web.Response:
        return web.json_response({"totalTokens": 42})

    async def _generate(self, request: web.Request) -> web.Response:
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        version = request.match_info["version"]
        model = request.match_info["model"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        call = GeminiCall(key=key, model=model, api_version=version, body=body or {}, time=time.time())
        self._calls.append(call)
        if version not in ("v1", "v1beta", "v1alpha"):
            call.status = 404
            return web.json_response(google_error(404), status=404)
        if not isinstance(body, dict) or not body.get("contents"):
            call.status = 400
            return web.json_response(
                {"error": {"code": 400, "message": "* contents: must not be empty", "status": "INVALID_ARGUMENT"}},
                status=400,
            )
        if not key:
            call.status = 403
            return web.json_response(
                {
                    "error": {
                        "code": 403,
                        "message": "Method doesn't allow unregistered callers. Please use API Key.",
                        "status": "PERMISSION_DENIED",
                    }
                },
                status=403,
            )
        behaviour = self._behaviour_for(key)
        delay = behaviour.latency or self.latency
        if delay:
            await asyncio.sleep(delay)
        if behaviour.kind == "error":
            call.status = behaviour.status
            return web.json_response(google_error(behaviour.status), status=behaviour.status)
        if behaviour.kind == "blocked":
            return web.json_response({"promptFeedback": {"blockReason": "SAFETY"}, "modelVersion": model})
        answer = behaviour.answer
        if answer is None:
            standing = self._global.standing
            answer = standing.answer if standing and standing.kind == "ok" and standing.answer else DEFAULT_ANSWER
        if callable(answer):
            answer = answer(body)
        text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        return web.json_response(
            {
                "candidates": [
                    {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
                ],
                "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 40, "totalTokenCount": 140},
                "modelVersion": model,
            }
        )
