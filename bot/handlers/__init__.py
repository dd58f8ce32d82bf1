"""Routers per topic. Each call builds fresh routers, so every Dispatcher (tests build several) gets its own."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import callbacks, dashboard, fallback, link, start


def build_routers() -> list[Router]:
    # The fallback router goes last: it answers only what no other handler took.
    return [start.router(), link.router(), dashboard.router(), callbacks.router(), fallback.router()]
