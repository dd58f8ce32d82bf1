"""AI food recommendations (SPEC §4 "Recommendations"): eligibility, stats, cache and rate limits.

The Gemini call itself lives in `lunch_app/ai/gemini.py`; this module decides who gets tips, what is
sent (only dish names and categories, never names of people) and how results are cached in Redis.
The nightly batch (recommendations worker) and the profile's "generate now" share this code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, zone
from lunch_app.domain.errors import Conflict, DomainError
from lunch_app.events.outbox import daily_task
from lunch_app.models import Office, Order, OrderStatus, OutboxEvent, User

log = logging.getLogger(__name__)

MIN_ORDERS = 5
WINDOW_DAYS = 30
CACHE_TTL = 24 * 3600
MANUAL_INTERVAL = 3600
CACHE_KEY = "reco:tips:{tgid}"
MANUAL_KEY = "reco:manual:{tgid}"


@dataclass(frozen=True)
class UserStats:
    order_count: int
    category_share: dict[str, float]  # category → share of dishes, 0..1
    unique_dishes: int
    top_dishes: list[tuple[str, int]]  # (dish name, times ordered), at most 5

    def prompt_facts(self) -> dict[str, Any]:
        """What may leave the building: dish names and categories only."""
        return {
            "orders_last_30_days": self.order_count,
            "category_share_percent": {k: round(v * 100) for k, v in self.category_share.items()},
            "unique_dishes": self.unique_dishes,
            "top_dishes": [{"dish": name, "times": count} for name, count in self.top_dishes],
        }


@dataclass(frozen=True)
class Tips:
    summary: str
    tips: list[str]
    generated_at: datetime

    def to_json(self) -> str:
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Tips:
        data = json.loads(raw)
        return cls(
            summary=data["summary"], tips=list(data["tips"]), generated_at=datetime.fromisoformat(data["generated_at"])
        )


class AllKeysExhausted(DomainError):
    default_key = "error.reco.unavailable"


class GenerationFailed(DomainError):
    default_key = "error.reco.failed"


class TipsGenerator(Protocol):
    """Anything that turns stats into tips (the Gemini client in production)."""

    async def generate(self, facts: dict[str, Any], *, language: str) -> tuple[str, list[str]]: ...


def _since(today: date | None) -> date:
    """The first day of the window ending on `today` (the person's office's local date; by default the UTC date)."""
    return (today or get_clock().utcnow().date()) - timedelta(days=WINDOW_DAYS)


async def user_stats(session: AsyncSession, *, user_tgid: int, today: date | None = None) -> UserStats:
    since = _since(today)
    orders = (
        await session.execute(
            select(Order.lines).where(  # type: ignore[call-overload]
                Order.user_tgid == user_tgid,
                Order.order_date >= since,  # type: ignore[operator]
                Order.status != OrderStatus.cancelled,
            )
        )
    ).scalars()
    dishes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    count = 0
    for lines in orders:
        count += 1
        for line in lines:
            dishes[line["name"]] += line.get("quantity", 1)
            categories[line["category"]] += line.get("quantity", 1)
    total = sum(categories.values()) or 1
    return UserStats(
        order_count=count,
        category_share={category: n / total for category, n in categories.most_common()},
        unique_dishes=len(dishes),
        top_dishes=dishes.most_common(5),
    )


async def eligible_users(
    session: AsyncSession, *, office_id: int | None = None, today: date | None = None
) -> list[tuple[int, str]]:
    """Active users (of one office, or all) with at least MIN_ORDERS non-cancelled orders in the last WINDOW_DAYS
    before `today`: (tgid, language)."""
    since = _since(today)
    query = (
        select(User.tgid, User.language)  # type: ignore[call-overload]
        .join(Order, Order.user_tgid == User.tgid)  # type: ignore[arg-type]
        .where(User.is_active, Order.order_date >= since, Order.status != OrderStatus.cancelled)  # type: ignore[arg-type,operator]
        .group_by(User.tgid, User.language)
        .having(func.count(Order.id) >= MIN_ORDERS)  # type: ignore[arg-type]
        .order_by(User.tgid)
    )
    if office_id is not None:
        query = query.where(User.office_id == office_id)
    rows = await session.execute(query)
    return [(tgid, language) for tgid, language in rows]


async def cached_tips(redis: Redis, *, user_tgid: int) -> Tips | None:
    raw = await redis.get(CACHE_KEY.format(tgid=user_tgid))
    if raw is None:
        return None
    try:
        return Tips.from_json(raw)
    except (ValueError, KeyError, TypeError):
        return None


async def generate_tips(
    redis: Redis, generator: TipsGenerator, *, user_tgid: int, stats: UserStats, language: str
) -> Tips:
    """Call the generator and cache a good answer for 24 h. Failures raise and are never cached."""
    summary, tips = await generator.generate(stats.prompt_facts(), language=language)
    result = Tips(summary=summary, tips=tips, generated_at=get_clock().utcnow())
    await redis.set(CACHE_KEY.format(tgid=user_tgid), result.to_json(), ex=CACHE_TTL)
    return result


async def claim_manual_generation(redis: Redis, *, user_tgid: int) -> None:
    """At most one "generate now" per user per hour (shared by every app replica)."""
    if not await redis.set(MANUAL_KEY.format(tgid=user_tgid), "1", nx=True, ex=MANUAL_INTERVAL):
        ttl = max(1, int(await redis.ttl(MANUAL_KEY.format(tgid=user_tgid))))
        raise Conflict("error.reco.rate_limited", minutes=(ttl + 59) // 60)


async def release_manual_generation(redis: Redis, *, user_tgid: int) -> None:
    """A generation that failed through no fault of the user does not use up their hour."""
    await redis.delete(MANUAL_KEY.format(tgid=user_tgid))


@dataclass
class BatchResult:
    eligible: int = 0
    generated: int = 0
    failed: int = 0
    skipped: int = 0
    stopped_exhausted: bool = False


async def run_batch(
    session_factory: Any,
    redis: Redis,
    generator: TipsGenerator,
    *,
    concurrency: int,
    office_id: int | None = None,
    today: date | None = None,
) -> BatchResult:
    """Tips for every eligible user (of one office: the nightly task runs per office at its own 03:00) with
    bounded concurrency; stops when every key is exhausted."""
    async with session_factory() as session:
        users = await eligible_users(session, office_id=office_id, today=today)
    result = BatchResult(eligible=len(users))
    exhausted = asyncio.Event()
    semaphore = asyncio.Semaphore(concurrency)

    async def one(tgid: int, language: str) -> None:
        async with semaphore:
            if exhausted.is_set():
                result.skipped += 1
                return
            try:
                async with session_factory() as session:
                    stats = await user_stats(session, user_tgid=tgid, today=today)
                await generate_tips(redis, generator, user_tgid=tgid, stats=stats, language=language)
                result.generated += 1
            except AllKeysExhausted:
                exhausted.set()
                result.skipped += 1
            except GenerationFailed as exc:
                log.warning("recommendation failed", extra={"user_tgid": tgid, "reason": exc.params})
                result.failed += 1

    await asyncio.gather(*(one(tgid, language) for tgid, language in users))
    result.stopped_exhausted = exhausted.is_set()
    return result


async def generate_now(
    session: AsyncSession,
    redis: Redis,
    generator: TipsGenerator,
    *,
    user_tgid: int,
    language: str,
    today: date | None = None,
) -> Tips:
    """The profile's "generate now": eligible users only, once per hour, failures don't use the hour up."""
    stats = await user_stats(session, user_tgid=user_tgid, today=today)
    if stats.order_count < MIN_ORDERS:
        raise Conflict("error.reco.not_enough_orders", needed=MIN_ORDERS, count=stats.order_count)
    await claim_manual_generation(redis, user_tgid=user_tgid)
    try:
        return await generate_tips(redis, generator, user_tgid=user_tgid, stats=stats, language=language)
    except DomainError:
        await release_manual_generation(redis, user_tgid=user_tgid)
        raise


# --- the nightly run, per office ---------------------------------------------------------------------------

NIGHTLY_AT = time(3, 0)
NIGHTLY_CATCH_UP = timedelta(hours=6)  # a scheduler started later that morning (until 09:00) still queues it


@dataclass(frozen=True)
class NightlyRun:
    """Tonight's tips for one office: due from 03:00 on that office's clock."""

    office_id: int
    local_date: date

    @property
    def event_id(self) -> str:
        return f"nightly:{self.office_id}:{self.local_date.isoformat()}"


async def due_nightly_runs(session: AsyncSession, *, now: datetime) -> list[NightlyRun]:
    """The active offices whose local time is within [03:00, 09:00) and whose run for that local date is not
    queued yet (the outbox's unique event id is the record that it was)."""
    offices = (await session.execute(select(Office).where(col(Office.is_active).is_(True)))).scalars().all()
    runs = []
    for office in offices:
        assert office.id is not None
        local = now.astimezone(zone(office.timezone))
        start = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=local.tzinfo)
        if start <= local < start + NIGHTLY_CATCH_UP:
            runs.append(NightlyRun(office_id=office.id, local_date=local.date()))
    if not runs:
        return []
    queued = set(
        (
            await session.execute(
                select(col(OutboxEvent.event_id)).where(col(OutboxEvent.event_id).in_([run.event_id for run in runs]))
            )
        ).scalars()
    )
    return [run for run in runs if run.event_id not in queued]


async def queue_nightly_run(session: AsyncSession, *, run: NightlyRun) -> bool:
    """Queue one office's nightly task once; False when another scheduler queued it a moment ago."""
    try:
        async with session.begin_nested():
            daily_task(session, event_id=run.event_id, office_id=run.office_id, day=run.local_date)
            await session.flush()
    except IntegrityError:
        return False
    return True
