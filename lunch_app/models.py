"""SQLModel tables and enums (SPEC §3).

The database guards the invariants: unique pairs, partial unique indexes, CHECKs and foreign keys with
an explicit ON DELETE. Domain code validates first to give friendly messages; the constraints make races
harmless. Money is Decimal(10,2); every timestamp is timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import enum
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from lunch_app.db_types import MONEY, AwareDateTime, JSONType
from lunch_app.settings import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_timezone() -> str:
    """APP_TIMEZONE: only the default zone of a new office or cafe (each then keeps its own)."""
    return get_settings().app_timezone


class Role(enum.StrEnum):
    employee = "employee"
    manager = "manager"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class OrderStatus(enum.StrEnum):
    placed = "placed"
    sent = "sent"
    confirmed = "confirmed"
    cancelled = "cancelled"


class DispatchStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    skipped = "skipped"  # the cafe has no linked chat or notifications are off


class Category(enum.StrEnum):
    soup = "soup"
    salad = "salad"
    main = "main"
    side = "side"
    dessert = "dessert"
    drink = "drink"
    bakery = "bakery"
    extra = "extra"


class Tag(enum.StrEnum):
    vegetarian = "vegetarian"
    vegan = "vegan"
    spicy = "spicy"
    gluten_free = "gluten_free"
    lactose_free = "lactose_free"
    contains_nuts = "contains_nuts"


def _enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=sa.Column(AwareDateTime(), nullable=False))


def _updated() -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=sa.Column(AwareDateTime(), nullable=False, onupdate=utcnow),
    )


def _timestamp(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=sa.Column(AwareDateTime(), nullable=nullable))


def _actor_fk() -> Any:
    """A reference to the manager who acted; the history survives deleting that user."""
    return Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.tgid", ondelete="SET NULL"), nullable=True),
    )


WORKING_WEEK = [0, 1, 2, 3, 4]  # Monday–Friday: the working week of a new office


def _office_fk(table: str) -> Any:
    """The office a person belongs to. RESTRICT: an office with people is deactivated, never deleted."""
    return Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("offices.id", ondelete="RESTRICT", name=f"fk_{table}_office_id"),
            nullable=False,
            index=True,
        )
    )


class Office(SQLModel, table=True):
    """A place where people work and lunch is delivered. Its IANA time zone decides its people's "today",
    their 7-day strip and how cut-off times are shown to them (see lunch_app/domain/offices.py)."""

    __tablename__ = "offices"
    # Exact-unique in the database; the domain also refuses names that differ only in case (casefold, which
    # neither SQLite's nor a C-locale PostgreSQL's lower() does for Cyrillic).
    __table_args__ = (sa.UniqueConstraint("name", name="uq_offices_name"), {"extend_existing": True})

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    timezone: str = Field(default_factory=default_timezone, sa_column=sa.Column(sa.String(64), nullable=False))
    address: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False, server_default=""))
    # Weekdays (0 = Monday) people of this office work; holidays and extra working days adjust single dates.
    working_weekdays: list[int] = Field(
        default_factory=lambda: list(WORKING_WEEK), sa_column=sa.Column(JSONType(), nullable=False)
    )
    is_active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    created_at: datetime = _created()


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("weekly_limit IS NULL OR weekly_limit >= 0", name="ck_users_weekly_limit"),
        {"extend_existing": True},
    )

    tgid: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    office_id: int = _office_fk("users")
    username: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    language: str = Field(default="ru", sa_column=sa.Column(sa.String(8), nullable=False, server_default="ru"))
    role: Role = Field(
        default=Role.employee,
        sa_column=sa.Column(_enum(Role, "user_role"), nullable=False, server_default=Role.employee.value),
    )
    is_active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    weekly_limit: Decimal | None = Field(default=None, sa_column=sa.Column(MONEY, nullable=True))
    reminders_enabled: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class AccessRequest(SQLModel, table=True):
    __tablename__ = "access_requests"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    tgid: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    username: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    office_id: int = _office_fk("access_requests")
    language: str = Field(default="ru", sa_column=sa.Column(sa.String(8), nullable=False, server_default="ru"))
    status: RequestStatus = Field(
        default=RequestStatus.pending,
        sa_column=sa.Column(_enum(RequestStatus, "access_request_status"), nullable=False, index=True),
    )
    created_at: datetime = _created()
    processed_at: datetime | None = _timestamp()
    processed_by: int | None = _actor_fk()


class Cafe(SQLModel, table=True):
    __tablename__ = "cafes"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.String(1000), nullable=False, server_default=""))
    is_active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    tg_chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True, unique=True))
    tg_chat_title: str | None = Field(default=None, sa_column=sa.Column(sa.String(255), nullable=True))
    notifications_enabled: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    linked_at: datetime | None = _timestamp()
    # The zone of the cafe's schedule: each (cafe, date) has one cut-off instant (see domain/availability.py).
    timezone: str = Field(default_factory=default_timezone, sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = _created()


class CafeOffice(SQLModel, table=True):
    """Which offices a cafe serves (at least one; employees see only the cafes of their office)."""

    __tablename__ = "cafe_offices"
    __table_args__ = {"extend_existing": True}

    cafe_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), primary_key=True)
    )
    office_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Holiday(SQLModel, table=True):
    """A company holiday of one office: start…end inclusive (e.g. 1–8 January), with its name."""

    __tablename__ = "holidays"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="ck_holidays_range"),
        sa.Index("ix_holidays_office_end", "office_id", "end_date"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("offices.id", ondelete="CASCADE"), nullable=False)
    )
    start_date: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    end_date: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    created_at: datetime = _created()


class ExtraWorkday(SQLModel, table=True):
    """A date an office works although its weekday is off (a transferred working Saturday)."""

    __tablename__ = "extra_workdays"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "day", name="uq_extra_workdays_office_day"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("offices.id", ondelete="CASCADE"), nullable=False)
    )
    day: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    name: str = Field(default="", sa_column=sa.Column(sa.String(100), nullable=False, server_default=""))
    created_at: datetime = _created()


class CafeClosure(SQLModel, table=True):
    """Days a cafe does not cook: start…end inclusive, with a note ("кухня на ремонте")."""

    __tablename__ = "cafe_closures"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="ck_cafe_closures_range"),
        sa.Index("ix_cafe_closures_cafe_end", "cafe_id", "end_date"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False))
    start_date: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    end_date: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    note: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    created_at: datetime = _created()


class CafeLinkRequest(SQLModel, table=True):
    __tablename__ = "cafe_link_requests"
    __table_args__ = (
        sa.Index(
            "uq_cafe_link_requests_one_pending",
            "cafe_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    tg_chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    tg_chat_title: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    requested_by: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    requested_by_username: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    status: RequestStatus = Field(
        default=RequestStatus.pending,
        sa_column=sa.Column(_enum(RequestStatus, "link_request_status"), nullable=False),
    )
    created_at: datetime = _created()
    processed_at: datetime | None = _timestamp()
    processed_by: int | None = _actor_fk()


class MenuItem(SQLModel, table=True):
    __tablename__ = "menu_items"
    __table_args__ = (
        sa.CheckConstraint("price IS NULL OR (price >= 0 AND price <= 100000)", name="ck_menu_items_price"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.String(1000), nullable=False, server_default=""))
    category: Category = Field(sa_column=sa.Column(_enum(Category, "dish_category"), nullable=False))
    # NULL price: the dish can only be chosen inside a combo.
    price: Decimal | None = Field(default=None, sa_column=sa.Column(MONEY, nullable=True))
    is_available: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    tags: list[str] = Field(default_factory=list, sa_column=sa.Column(JSONType(), nullable=False))
    sort_order: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    created_at: datetime = _created()


class MenuItemOption(SQLModel, table=True):
    __tablename__ = "menu_item_options"
    __table_args__ = (
        sa.UniqueConstraint("menu_item_id", "name", name="uq_menu_item_options_item_name"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    menu_item_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("menu_items.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(50), nullable=False))
    values: list[str] = Field(sa_column=sa.Column(JSONType(), nullable=False))
    is_required: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))


class Combo(SQLModel, table=True):
    __tablename__ = "combos"
    __table_args__ = (
        sa.CheckConstraint("price >= 0 AND price <= 100000", name="ck_combos_price"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    categories: list[str] = Field(sa_column=sa.Column(JSONType(), nullable=False))
    price: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    is_available: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    created_at: datetime = _created()


class Schedule(SQLModel, table=True):
    __tablename__ = "schedules"
    __table_args__ = (
        sa.UniqueConstraint("cafe_id", "weekday", name="uq_schedules_cafe_weekday"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_schedules_weekday"),
        sa.CheckConstraint("cutoff_days_before BETWEEN 0 AND 6", name="ck_schedules_days_before"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False))
    weekday: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    cutoff_time: time = Field(sa_column=sa.Column(sa.Time, nullable=False))
    cutoff_days_before: int = Field(default=0, sa_column=sa.Column(sa.SmallInteger, nullable=False))
    is_enabled: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # At most one live order per (user, cafe, date); cancelled ones stay as history.
        sa.Index(
            "uq_orders_one_live_per_user_cafe_date",
            "user_tgid",
            "cafe_id",
            "order_date",
            unique=True,
            postgresql_where=sa.text("status <> 'cancelled'"),
            sqlite_where=sa.text("status <> 'cancelled'"),
        ),
        sa.Index("ix_orders_cafe_date_status", "cafe_id", "order_date", "status"),
        sa.Index("ix_orders_user_date", "user_tgid", "order_date"),
        sa.CheckConstraint("total >= 0", name="ck_orders_total"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    # SET NULL: deleting a user keeps their orders (with the name snapshot) for accounting.
    user_tgid: int | None = Field(
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.tgid", ondelete="SET NULL"), nullable=True)
    )
    user_name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    cafe_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="RESTRICT"), nullable=False)
    )
    order_date: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    status: OrderStatus = Field(
        default=OrderStatus.placed,
        sa_column=sa.Column(_enum(OrderStatus, "order_status"), nullable=False),
    )
    combo_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("combos.id", ondelete="SET NULL"), nullable=True),
    )
    combo_name: str | None = Field(default=None, sa_column=sa.Column(sa.String(100), nullable=True))
    combo_price: Decimal | None = Field(default=None, sa_column=sa.Column(MONEY, nullable=True))
    # Snapshot at order time: [{kind, menu_item_id, name, category, unit_price (str), quantity, options}]
    lines: list[dict[str, Any]] = Field(sa_column=sa.Column(JSONType(), nullable=False))
    notes: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False, server_default=""))
    total: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class Report(SQLModel, table=True):
    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("cafe_id", "date", name="uq_reports_cafe_date"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False))
    date: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    orders_count: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    total: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    breakdown: dict[str, Any] = Field(sa_column=sa.Column(JSONType(), nullable=False))
    created_at: datetime = _created()


class Dispatch(SQLModel, table=True):
    __tablename__ = "dispatches"
    __table_args__ = (
        sa.UniqueConstraint("cafe_id", "date", name="uq_dispatches_cafe_date"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    cafe_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False))
    date: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    status: DispatchStatus = Field(
        default=DispatchStatus.pending,
        sa_column=sa.Column(_enum(DispatchStatus, "dispatch_status"), nullable=False, index=True),
    )
    chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    message_ids: list[int] = Field(default_factory=list, sa_column=sa.Column(JSONType(), nullable=False))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000), nullable=True))
    sent_at: datetime | None = _timestamp()
    confirmed_at: datetime | None = _timestamp()
    confirmed_by: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    confirmed_by_name: str | None = Field(default=None, sa_column=sa.Column(sa.String(100), nullable=True))
    created_at: datetime = _created()


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        ),
        {"extend_existing": True},
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    )
    event_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    topic: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    key: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONType(), nullable=False))
    created_at: datetime = _created()
    published_at: datetime | None = _timestamp()


class Reminder(SQLModel, table=True):
    """A reminder that went out (or is going out): never twice for the same (user, cafe, date)."""

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("user_tgid", "cafe_id", "date", name="uq_reminders_user_cafe_date"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_tgid: int = Field(
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.tgid", ondelete="CASCADE"), nullable=False)
    )
    cafe_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("cafes.id", ondelete="CASCADE"), nullable=False))
    date: dt.date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    created_at: datetime = _created()


class DashboardToken(SQLModel, table=True):
    """A one-time dashboard sign-in link handed out by the bot's /dashboard (only a hash is stored)."""

    __tablename__ = "dashboard_tokens"
    __table_args__ = {"extend_existing": True}

    token_hash: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    manager_tgid: int = Field(
        sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.tgid", ondelete="CASCADE"), nullable=False)
    )
    expires_at: datetime = Field(sa_column=sa.Column(AwareDateTime(), nullable=False))
    used_at: datetime | None = _timestamp()
    created_at: datetime = _created()


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at", "at"), {"extend_existing": True})

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    )
    actor_tgid: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True, index=True))
    action: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    entity: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    entity_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(JSONType(), nullable=False))
    at: datetime = _created()
