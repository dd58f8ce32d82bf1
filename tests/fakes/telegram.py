"""A local stand-in for the Telegram Bot API, good enough for aiogram 3.

`FakeBotAPI` is an aiohttp server on 127.0.0.1 answering `/bot<token>/<method>` the way Telegram does
(`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}`). It records every
call, queues updates for `getUpdates` long polling, keeps the messages it "sent" so edits behave like
Telegram (not found / not modified), enforces the 4096-character text limit and can inject failures
(429 with `retry_after`, 5xx, 403 ...) or be stopped and restarted on the same port to simulate an outage.

Usage with aiogram::

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

# Form fields that are plain strings even when they look like JSON numbers/booleans (aiogram sends every
# value as a form field: strings as-is, everything else JSON-encoded).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "description",
        "short_description",
        "name",
        "title",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "emoji",
        "secret_token",
        "sticker",
        "photo",
        "document",
    }
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_TAG_RE = re.compile(r"<[^>]*>")


@dataclass
class RecordedCall:
    """One request the fake received: `method` as in the URL, `params` decoded to Python values."""

    method: str
    params: dict[str, Any]
    token: str
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    description: str | None
    predicate: Callable[[dict[str, Any]], bool] | None


class TelegramError(Exception):
    """Raised inside a method handler to answer with a Telegram error."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _decode_value(key: str, raw: str) -> Any:
    if key in _STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram would show (and count) after entity parsing — tags stripped for HTML."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(_TAG_RE.sub("", text))
    return text


class FakeBotAPI:
    """Telegram Bot API stand-in. Start with `await fake.start()`, stop with `await fake.stop()`.

    `token=None` accepts any token; otherwise other tokens get 401 Unauthorized.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "lunch_bot",
        bot_first_name: str = "Lunch Bot",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._bot_id = int(token.split(":", 1)[0]) if token and token.split(":", 1)[0].isdigit() else 424242
        self._runner: web.AppRunner | None = None
        self._calls: list[RecordedCall] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._updates_changed: asyncio.Event | None = None
        self._message_ids: dict[int | str, int] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self.messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self.commands: dict[str, Any] = {}
        self.menu_buttons: dict[int | str | None, Any] = {}
        self._callback_ids = itertools.count(1)
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._true,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletewebhook": self._true,
            "getchat": self._get_chat,
        }

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` — pass to `TelegramAPIServer.from_base(...)`."""
        if not self.port:
            raise RuntimeError("FakeBotAPI is not started yet")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Start listening (again on the same port after `stop()`)."""
        if self._runner is not None:
            return
        self._updates_changed = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        if not self.port:
            self.port = runner.addresses[0][1]
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening: clients get "connection refused" until `start()`. Recorded state is kept."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._updates_changed is not None:
            self._updates_changed.set()  # wake pending long polls so shutdown is immediate
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget calls, queued updates, failures and stored messages."""
        self._calls.clear()
        self._failures.clear()
        self._updates.clear()
        self.messages.clear()
        self._message_ids.clear()

    # ------------------------------------------------------------------ inspection
    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded calls, oldest first; `method` is case-insensitive (`"sendMessage"`)."""
        if method is None:
            return list(self._calls)
        wanted = method.lower()
        return [call for call in self._calls if call.method.lower() == wanted]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of successful sendMessage calls (optionally to one chat), in order."""
        return [
            call.params.get("text", "")
            for call in self.calls("sendMessage")
            if call.ok and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10,
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> list[RecordedCall]:
        """Wait until at least `count` calls of `method` (matching `predicate`) were recorded; return them.

        Raises AssertionError listing what was recorded if that does not happen within `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matching = [call for call in self.calls(method) if predicate is None or predicate(call)]
            if len(matching) >= count:
                return matching
            if loop.time() >= deadline:
                seen = [(c.method, c.status, c.params) for c in self._calls if c.method.lower() != "getupdates"]
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s, got {len(matching)}; recorded: {seen}"
                )
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------ failure injection
    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (whose params match `predicate`) with an error.

        429 carries `parameters.retry_after` (aiogram raises TelegramRetryAfter); 5xx → TelegramServerError,
        400 → TelegramBadRequest, 403 → TelegramForbiddenError ("bot was blocked by the user").
        """
        if status == 429:
            text = description or f"Too Many Requests: retry after {retry_after}"
        else:
            text = description or _DEFAULT_DESCRIPTIONS.get(status, "Error")
        failure = _Failure(status, times, retry_after if status == 429 else None, text, predicate)
        self._failures.setdefault(method.lower(), []).append(failure)

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        for failure in self._failures.get(method.lower(), []):
            if failure.times > 0 and (failure.predicate is None or failure.predicate(params)):
                failure.times -= 1
                return failure
        return None

    # ------------------------------------------------------------------ updates
    def register_chat(
        self, chat_id: int | str, chat_type: str | None = None, title: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Remember a chat's type/title so messages sent there carry them (builders call this)."""
        chat = self._chats.get(chat_id) or {"id": chat_id, "type": chat_type or self._guess_type(chat_id)}
        if chat_type:
            chat["type"] = chat_type
        if title is not None:
            chat["title"] = title
        chat.update(extra)
        self._chats[chat_id] = chat
        return chat

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; assigns `update_id` if missing. Returns the update."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        if self._updates_changed is not None:
            self._updates_changed.set()
        return update

    def message_update(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        message_id: int | None = None,
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """Build (without queueing) a `message` update; a leading `/command` gets a bot_command entity.

        For a private chat `chat_id` defaults to `user_id`; group chats should pass a negative id.
        """
        if chat_id is None:
            chat_id = user_id if chat_type == "private" else -1_000_000_000_000 - user_id
        chat = self.register_chat(chat_id, chat_type, chat_title if chat_type != "private" else None)
        if chat_type == "private":
            chat.setdefault("first_name", first_name)
            if username:
                chat["username"] = username
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else self._next_message_id(chat_id),
            "from": user,
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages[(chat_id, message["message_id"])] = message
        update: dict[str, Any] = {"message": message}
        if update_id is not None:
            update["update_id"] = update_id
        else:
            update["update_id"] = next(self._update_ids)
        return update

    def callback_update(
        self,
        data: str,
        *,
        user_id: int = 1001,
        message: dict[str, Any] | None = None,
        chat_id: int | None = None,
        message_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "ru",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """Build (without queueing) a `callback_query` update pressing a button with `data`.

        The message defaults to the stored message (`chat_id`, `message_id`), e.g. one the bot sent:
        `fake.callback_update("ok", message=fake.calls("sendMessage")[-1].response["result"])`.
        """
        if message is None:
            if chat_id is None:
                chat_id = user_id
            if message_id is None:
                ids = [mid for (cid, mid) in self.messages if cid == chat_id]
                message_id = max(ids) if ids else self._next_message_id(chat_id)
            message = self.messages.get((chat_id, message_id)) or {
                "message_id": message_id,
                "chat": dict(self.register_chat(chat_id)),
                "date": int(time.time()),
                "text": "",
            }
            self.messages.setdefault((chat_id, message_id), message)
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "message": message,
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
        return {"update_id": update_id if update_id is not None else next(self._update_ids), "callback_query": query}

    def push_message(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """`message_update(...)` and queue it for getUpdates."""
        return self.push_update(self.message_update(text, **kwargs))

    def push_callback(self, data: str, **kwargs: Any) -> dict[str, Any]:
        """`callback_update(...)` and queue it for getUpdates."""
        return self.push_update(self.callback_update(data, **kwargs))

    # ------------------------------------------------------------------ HTTP
    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {key: _decode_value(key, value) for key, value in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = _decode_value(key, value)
            elif isinstance(value, web.FileField):  # an uploaded file (aiogram: attach://<field>)
                params[key] = {"filename": value.filename, "size": len(value.file.read())}
            else:
                params[key] = bytes(value)
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ValueError:
            return self._reply(RecordedCall(method, {}, token, time.time()), 400, "Bad Request: can't parse")
        call = RecordedCall(method=method, params=params, token=token, time=time.time())
        self._calls.append(call)
        if self.token is not None and token != self.token:
            return self._reply(call, 401, "Unauthorized")
        failure = self._take_failure(method, params)
        if failure is not None:
            parameters = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
            return self._reply(call, failure.status, failure.description or "Error", parameters)
        try:
            if method.lower() == "getupdates":
                result = await self._get_updates(params)
            else:
                result = self._handlers.get(method.lower(), self._true)(params)
        except TelegramError as err:
            return self._reply(call, err.status, err.description, err.parameters)
        call.response = {"ok": True, "result": result}
        return web.json_response(call.response)

    @staticmethod
    def _reply(
        call: RecordedCall, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        call.status = status
        call.response = body
        return web.json_response(body, status=status)

    # ------------------------------------------------------------------ methods
    @staticmethod
    def _guess_type(chat_id: int | str) -> str:
        if isinstance(chat_id, str):
            return "channel"
        if chat_id > 0:
            return "private"
        return "supergroup" if chat_id <= -1_000_000_000_000 else "group"

    def _next_message_id(self, chat_id: int | str) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self._bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    @staticmethod
    def _true(params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> int | str:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise TelegramError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int | str):
            raise TelegramError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _checked_text(params: dict[str, Any]) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        shown = plain_text(text, params.get("parse_mode"))
        if len(shown) > TEXT_LIMIT:
            raise TelegramError(400, "Bad Request: message is too long")
        return shown

    @staticmethod
    def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        # Message.reply_markup is only ever an inline keyboard; reply keyboards are not echoed.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return markup
        return None

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text = self._checked_text(params)
        chat = self._chats.get(chat_id) or self.register_chat(chat_id)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        }
        markup = self._inline_markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _stored_message(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(params)
        message = self.messages.get((chat_id, params.get("message_id")))  # type: ignore[arg-type]
        if message is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return message

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = self._checked_text(params)
        message = self._stored_message(params)
        if message is None:
            return True
        markup = self._inline_markup(params)
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a content and reply markup of the current message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._stored_message(params)
        if message is None:
            return True
        markup = self._inline_markup(params)
        if message.get("reply_markup") == markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _delete_message(self, params: dict[str, Any]) -> bool:
        key = (self._chat_id(params), params.get("message_id"))
        if self.messages.pop(key, None) is None:  # type: ignore[arg-type]
            raise TelegramError(400, "Bad Request: message to delete not found")
        return True

    def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        self.menu_buttons[params.get("chat_id")] = params.get("menu_button", {"type": "default"})
        return True

    def _get_chat_menu_button(self, params: dict[str, Any]) -> Any:
        return self.menu_buttons.get(params.get("chat_id"), self.menu_buttons.get(None, {"type": "default"}))

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise TelegramError(400, "Bad Request: commands must be an array")
        self.commands[str(params.get("language_code", ""))] = commands
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(str(params.get("language_code", "")), [])

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise TelegramError(400, "Bad Request: chat not found")
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {}}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            # Telegram forgets updates once a getUpdates call confirms them with a higher offset.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = params.get("limit")
        limit = limit if isinstance(limit, int) and 1 <= limit <= 100 else 100
        timeout = params.get("timeout")
        timeout = float(timeout) if isinstance(timeout, int | float) and timeout > 0 else 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._updates or self._runner is None:
                return self._updates[:limit]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            event = self._updates_changed
            assert event is not None
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), timeout=remaining)
            except TimeoutError:
                return []
