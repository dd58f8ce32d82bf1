"""The Telegram bot (aiogram 3): the front door to the Mini App, cafe linking and one-tap manager decisions.

`python -m bot` runs it with long polling; `bot.factory` builds the Bot and the Dispatcher (tests build their
own against a local Bot API stand-in). Handlers call the domain layer directly, never the app over HTTP.
"""
