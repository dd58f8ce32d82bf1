"""Operator commands: `python -m lunch_app.cli <command>` (see README "CLI").

Exit codes: 0 success, 1 the command could not do its job (database unreachable, refused), 2 bad usage or
bad configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lunch_app.domain.errors import DomainError
from lunch_app.settings import Settings, SettingsError, get_settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """A readable reason why a command could not finish (printed without a traceback)."""


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _say(message: str) -> None:
    print(message, flush=True)


# --- migrate -------------------------------------------------------------------------------------------


def migrate(settings: Settings) -> None:
    """`alembic upgrade head` with the repository's alembic.ini against DATABASE_URL."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = settings.database_url
    if settings.is_sqlite:
        _ensure_sqlite_dir(settings.database_url)
    command.upgrade(config, "head")


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _say(f"Migrating {masked_url(settings.database_url)} to the latest schema...")
    migrate(settings)
    _say("Database schema is up to date.")
    return EXIT_OK


# --- commands that use the async session --------------------------------------------------------------


async def _in_session(work: Callable[[Any], Awaitable[int]]) -> int:
    from lunch_app import db

    try:
        async with db.session_scope() as session:
            return await work(session)
    finally:
        await db.dispose()


async def _create_manager(session: Any, *, tgid: int, name: str, office: str) -> str:
    """Make `tgid` an active manager (created when unknown) through the access rules; says what happened."""
    from lunch_app.domain import access
    from lunch_app.models import Role, User

    before = await session.get(User, tgid)
    was = (before.role, before.is_active) if before is not None else None
    await access.create_manager(session, tgid=tgid, name=name, office=office)
    if was is None:
        return "created"
    if was == (Role.manager, True):
        return "already an active manager (name and office updated)"
    return "promoted to an active manager"


def cmd_create_manager(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip()
    if not name:
        raise CommandError("--name must not be empty")

    async def work(session: Any) -> int:
        outcome = await _create_manager(session, tgid=args.tgid, name=name, office=args.office.strip())
        _say(f"Manager {args.tgid} ({name}): {outcome}.")
        return EXIT_OK

    return asyncio.run(_in_session(work))


def cmd_ensure_managers(args: argparse.Namespace, settings: Settings) -> int:
    tgids = settings.manager_tgids
    if not tgids:
        _say("MANAGER_TGIDS is empty: nothing to do.")
        return EXIT_OK

    async def work(session: Any) -> int:
        from lunch_app.domain import access

        managers = await access.ensure_managers(session, list(tgids))
        _say(
            "Active managers from MANAGER_TGIDS: " + ", ".join(f"{user.tgid} ({user.name})" for user in managers) + "."
        )
        return EXIT_OK

    return asyncio.run(_in_session(work))


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from lunch_app import demo_data

    async def work(session: Any) -> int:
        if await demo_data.has_cafes(session):
            if args.if_empty:
                _say("The database already has cafes: demo data not loaded (nothing to do).")
                return EXIT_OK
            raise CommandError(
                "the database already has cafes; demo data is only loaded into an empty database "
                "(use --if-empty to make this a no-op)"
            )
        summary = await demo_data.seed_demo(session)
        _say(
            f"Demo data loaded: {summary.cafes} cafes, {summary.menu_items} dishes, {summary.combos} combos, "
            f"{summary.users} people, {summary.orders} past orders, {summary.upcoming} upcoming orders."
        )
        if summary.skipped_users:
            _say(f"Kept existing users: {', '.join(map(str, summary.skipped_users))}.")
        return EXIT_OK

    return asyncio.run(_in_session(work))


def cmd_dashboard_link(args: argparse.Namespace, settings: Settings) -> int:
    """A one-time dashboard sign-in link for a manager, as the bot's /dashboard gives (for a desktop browser)."""
    from lunch_app.domain.dashboard_links import issue_dashboard_token, sign_in_url

    async def work(session: Any) -> int:
        token = await issue_dashboard_token(session, manager_tgid=args.tgid)
        minutes = max(1, settings.dashboard_link_ttl // 60)
        _say(f"One-time dashboard sign-in for manager {args.tgid}, valid {minutes} min, works once:")
        _say(sign_in_url(settings.public_url, token))
        return EXIT_OK

    return asyncio.run(_in_session(work))


def cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    gemini = f"{len(settings.gemini_api_keys)} key(s)" if settings.gemini_api_keys else "off (no keys)"
    rows = [
        ("ENVIRONMENT", settings.environment),
        ("DATABASE_URL", masked_url(settings.database_url)),
        ("REDIS_URL", masked_url(settings.redis_url)),
        ("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers),
        ("TELEGRAM_BOT_TOKEN", f"set (bot id {settings.bot_token.partition(':')[0]})"),
        ("TELEGRAM_MINI_APP_URL", settings.telegram_mini_app_url),
        ("MANAGER_TGIDS", ", ".join(map(str, settings.manager_tgids)) or "(none)"),
        ("APP_TIMEZONE", settings.app_timezone),
        ("GEMINI_API_KEYS", gemini),
        ("DEMO_MODE", "on" if settings.demo_mode else "off"),
    ]
    _say("Configuration is valid:")
    for key, value in rows:
        _say(f"  {key:<24} {value}")
    return EXIT_OK


# --- entry point --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lunch_app.cli", description="Lunch Bot operator commands.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)").set_defaults(handler=cmd_migrate)

    manager = sub.add_parser("create-manager", help="create a manager or promote an existing user")
    manager.add_argument("--tgid", type=int, required=True, help="Telegram user id")
    manager.add_argument("--name", required=True, help="display name")
    manager.add_argument("--office", default="", help="office (optional)")
    manager.set_defaults(handler=cmd_create_manager)

    seed = sub.add_parser("seed-demo", help="load demo cafes, menus, people and order history")
    seed.add_argument("--if-empty", action="store_true", help="do nothing when the database already has cafes")
    seed.set_defaults(handler=cmd_seed_demo)

    sub.add_parser("ensure-managers", help="make every MANAGER_TGIDS user an active manager").set_defaults(
        handler=cmd_ensure_managers
    )
    link = sub.add_parser("dashboard-link", help="print a one-time dashboard sign-in link for a manager")
    link.add_argument("--tgid", type=int, required=True, help="the manager's Telegram user id")
    link.set_defaults(handler=cmd_dashboard_link)

    sub.add_parser("check-config", help="validate the configuration and print a summary").set_defaults(
        handler=cmd_check_config
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    get_settings.cache_clear()  # later imports see the same, freshly validated values
    try:
        code: int = args.handler(args, settings)
    except CommandError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except DomainError as exc:
        print(f"Error: {exc.message('en')}", file=sys.stderr)
        return EXIT_FAILED
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"Error: database {masked_url(settings.database_url)}: {reason}", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
