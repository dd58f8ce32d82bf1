"""Telegram-facing pieces shared by the bot and the notifications worker (aiogram, never Reflex).

`callbacks.py` defines the inline-button payloads, so a button sent by the worker is understood by the
bot; message rendering for notices and digests lives next to it.
"""
