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
        return "already an active manager (name and office updated)" if office else "already an active manager"
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
            f"Demo data loaded: {summary.offices} offices, {summary.cafes} cafes, {summary.menu_items} dishes, "
            f"{summary.combos} combos, "
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


# --- offices and imports ------------------------------------------------------------------------------


def cmd_add_office(args: argparse.Namespace, settings: Settings) -> int:
    """A new office: its name, IANA time zone and delivery address (the operator acts, no manager needed)."""
    from lunch_app.domain import offices

    async def work(session: Any) -> int:
        office = await offices.create_office(
            session,
            actor_tgid=None,
            data={"name": args.name, "timezone": args.timezone or settings.app_timezone, "address": args.address},
        )
        _say(f"Office {office.id} «{office.name}» added: time zone {office.timezone}, address «{office.address}».")
        return EXIT_OK

    return asyncio.run(_in_session(work))


def cmd_list_offices(args: argparse.Namespace, settings: Settings) -> int:
    from lunch_app.domain import offices

    async def work(session: Any) -> int:
        rows = await offices.list_offices(session)
        if not rows:
            _say("No offices yet: add one with add-office NAME --timezone TZ.")
        for office in rows:
            state = "active" if office.is_active else "inactive"
            _say(f"{office.id:>4}  {office.name}  ({office.timezone}, {state})  {office.address}")
        return EXIT_OK

    return asyncio.run(_in_session(work))


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None


class _Refused(Exception):
    """A file with problems: the lines are printed, the transaction rolled back, exit code 2."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("refused")
        self.lines = lines


def cmd_import_users(args: argparse.Namespace, settings: Settings) -> int:
    """People from an HR file (CSV/XLSX). Any invalid row: every problem printed, nothing changed, exit 2."""
    from lunch_app.domain import onboarding
    from lunch_app.domain.tables import TableError

    content = _read_file(args.file)
    lang = args.lang

    async def work(session: Any) -> int:
        try:
            outcome = await onboarding.apply_user_import(
                session,
                actor_tgid=None,
                content=content,
                filename=args.file,
                skip_invalid=args.skip_invalid,
                dry_run=args.dry_run,
            )
        except TableError as exc:
            raise _Refused([exc.message(lang)]) from None
        except onboarding.UserImportRefused as exc:
            raise _Refused([*onboarding.problem_lines(exc.plan.problems, lang), exc.message(lang)]) from None
        for line in onboarding.problem_lines(outcome.plan.problems, lang):
            print(line, file=sys.stderr)
        verb = "Would import" if outcome.dry_run else "Imported"
        _say(
            f"{verb} {args.file}: {outcome.created} new, {outcome.updated} updated, {outcome.unchanged} unchanged"
            + (f", {outcome.skipped} invalid rows skipped" if outcome.skipped else "")
            + (" (dry run: nothing changed)." if outcome.dry_run else ".")
        )
        return EXIT_OK

    return _run_import(work)


def cmd_import_holidays(args: argparse.Namespace, settings: Settings) -> int:
    """A year's holidays (CSV/XLSX/ICS) into one office's calendar; all rows or none."""
    from lunch_app.domain import calendar, offices
    from lunch_app.domain.tables import TableError

    content = _read_file(args.file)
    lang = args.lang

    async def work(session: Any) -> int:
        office = await offices.find_office(session, args.office)
        if office is None:
            raise _Refused([f"Error: there is no office «{args.office}» (see list-offices)."])
        try:
            result = await calendar.import_holidays(
                session,
                actor_tgid=None,
                office_id=office.id,
                content=content,
                filename=args.file,
                dry_run=args.dry_run,
            )
        except TableError as exc:
            raise _Refused([exc.message(lang)]) from None
        except calendar.HolidayImportRefused as exc:
            lines = [problem.message(lang) for problem in sorted(exc.file.problems, key=lambda p: p.line)]
            raise _Refused([*lines, exc.message(lang)]) from None
        for row in result.added:
            span = row.start.isoformat() if row.start == row.end else f"{row.start.isoformat()} … {row.end.isoformat()}"
            kind = "working day" if row.kind is calendar.EntryKind.workday else "day off"
            _say(f"  + {span}  {kind}  {row.name}")
        verb = "Would add" if result.dry_run else "Added"
        effect = result.effect
        _say(
            f"{verb} {len(result.added)} entries to «{office.name}», {len(result.existing)} already there; "
            f"{len(effect.cancelled)} placed orders {'would be ' if result.dry_run else ''}cancelled"
            + (f", {len(effect.already_sent)} already sent to the cafe left as they are" if effect.already_sent else "")
            + (" (dry run: nothing changed)." if result.dry_run else ".")
        )
        return EXIT_OK

    return _run_import(work)


def _run_import(work: Callable[[Any], Awaitable[int]]) -> int:
    try:
        return asyncio.run(_in_session(work))
    except _Refused as refused:
        for line in refused.lines:
            print(line, file=sys.stderr)
        return EXIT_USAGE


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
    manager.add_argument("--office", default="", help="the name of an existing office (default: the default office)")
    manager.set_defaults(handler=cmd_create_manager)

    office = sub.add_parser("add-office", help="add an office with its time zone and delivery address")
    office.add_argument("name", help="office name (unique)")
    office.add_argument("--timezone", default="", help="IANA time zone, e.g. Asia/Novosibirsk (default APP_TIMEZONE)")
    office.add_argument("--address", default="", help="delivery address")
    office.set_defaults(handler=cmd_add_office)
    sub.add_parser("list-offices", help="list the offices").set_defaults(handler=cmd_list_offices)

    users = sub.add_parser("import-users", help="import people from a CSV or XLSX file (tgid, name, office, ...)")
    users.add_argument("file", help="CSV (UTF-8, ; or , separated) or XLSX")
    users.add_argument("--dry-run", action="store_true", help="check and show what would change, change nothing")
    users.add_argument("--skip-invalid", action="store_true", help="apply the valid rows even if some are invalid")
    users.add_argument("--lang", choices=("en", "ru"), default="en", help="language of the messages")
    users.set_defaults(handler=cmd_import_users)

    holidays = sub.add_parser("import-holidays", help="import an office's holidays from a CSV, XLSX or ICS file")
    holidays.add_argument("file", help="CSV/XLSX (start, end, name[, kind]) or ICS")
    holidays.add_argument("--office", required=True, help="the office's name")
    holidays.add_argument("--dry-run", action="store_true", help="check and show what would change, change nothing")
    holidays.add_argument("--lang", choices=("en", "ru"), default="en", help="language of the messages")
    holidays.set_defaults(handler=cmd_import_holidays)

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
