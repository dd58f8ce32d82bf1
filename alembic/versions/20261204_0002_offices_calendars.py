"""offices, time zones, calendars

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

- New tables: offices, cafe_offices, holidays, extra_workdays, cafe_closures; cafes.timezone.
- users.office and access_requests.office (free text) become office_id (FK offices, ON DELETE RESTRICT,
  NOT NULL). The data step turns every distinct non-blank office text (trimmed, compared case-insensitively)
  into an office row in APP_TIMEZONE; blank offices go to the most common office, or to a new
  "Основной офис" when nobody has one. Every existing cafe serves every office (until now every cafe was
  offered to everyone) and takes APP_TIMEZONE, and the offices' working week is every weekday some cafe delivers
  (Monday–Friday when no cafe has a schedule), so nothing anyone could order changes. Orders are not touched.
- The downgrade writes the office names back into the text columns.

SQLite recreates altered tables; env.py turns its foreign keys off for the migration, so recreating `users`
does not fire the ON DELETE actions of orders, reminders and dashboard tokens.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lunch_app.db_types
from lunch_app.settings import get_settings

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_OFFICE = "Основной офис"
WORKING_WEEK = [0, 1, 2, 3, 4]
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _created() -> sa.Column:
    return sa.Column("created_at", lunch_app.db_types.AwareDateTime(timezone=True), nullable=False)


def _create_tables() -> None:
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), server_default="", nullable=False),
        sa.Column("working_weekdays", _JSON, nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_offices_name"),
    )
    op.create_table(
        "cafe_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cafe_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        _created(),
        sa.CheckConstraint("end_date >= start_date", name="ck_cafe_closures_range"),
        sa.ForeignKeyConstraint(["cafe_id"], ["cafes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cafe_closures_cafe_end", "cafe_closures", ["cafe_id", "end_date"], unique=False)
    op.create_table(
        "cafe_offices",
        sa.Column("cafe_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cafe_id"], ["cafes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cafe_id", "office_id"),
    )
    op.create_index("ix_cafe_offices_office_id", "cafe_offices", ["office_id"], unique=False)
    op.create_table(
        "extra_workdays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        _created(),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("office_id", "day", name="uq_extra_workdays_office_day"),
    )
    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        _created(),
        sa.CheckConstraint("end_date >= start_date", name="ck_holidays_range"),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_holidays_office_end", "holidays", ["office_id", "end_date"], unique=False)


def _office_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _fill_offices(bind: sa.Connection) -> None:
    """One office row per distinct free-text office; every user, request and cafe attached to office rows."""
    zone = get_settings().app_timezone
    now = datetime.now(UTC)
    raw_values = [
        row[0] or ""
        for table in ("users", "access_requests")
        for row in bind.execute(sa.text(f"SELECT office FROM {table}"))  # noqa: S608 - fixed table names
    ]
    has_cafes = bind.execute(sa.text("SELECT count(*) FROM cafes")).scalar_one() > 0
    if not raw_values and not has_cafes:
        return  # an empty database: the first office is created when it is needed

    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}  # key → the first spelling seen, trimmed
    for raw in raw_values:
        key = _office_key(raw)
        if key:
            counts[key] += 1
            spelling.setdefault(key, " ".join(raw.split())[:100])
    offices = sa.table(
        "offices",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("timezone", sa.String),
        sa.column("address", sa.String),
        sa.column("working_weekdays", _JSON),
        sa.column("is_active", sa.Boolean),
        sa.column("created_at", lunch_app.db_types.AwareDateTime(timezone=True)),
    )
    delivered = sorted(
        {int(row[0]) for row in bind.execute(sa.text("SELECT DISTINCT weekday FROM schedules WHERE is_enabled"))}
    )
    week = delivered or list(WORKING_WEEK)
    ids: dict[str, int] = {}
    # The most common office first: it gets the lowest id and takes the people with a blank office.
    ordered = sorted(counts, key=lambda key: (-counts[key], spelling[key]))
    for key in ordered or [_office_key(DEFAULT_OFFICE)]:
        name = spelling.get(key, DEFAULT_OFFICE)
        ids[key] = bind.execute(
            offices.insert()
            .values(
                name=name,
                timezone=zone,
                address="",
                working_weekdays=week,
                is_active=True,
                created_at=now,
            )
            .returning(offices.c.id)
        ).scalar_one()
    default_id = ids[ordered[0]] if ordered else ids[_office_key(DEFAULT_OFFICE)]

    for table in ("users", "access_requests"):
        distinct = [row[0] for row in bind.execute(sa.text(f"SELECT DISTINCT office FROM {table}"))]  # noqa: S608
        for raw in distinct:
            office_id = ids.get(_office_key(raw or ""), default_id)
            bind.execute(
                sa.text(f"UPDATE {table} SET office_id = :office_id WHERE office = :raw"),  # noqa: S608
                {"office_id": office_id, "raw": raw},
            )
    bind.execute(sa.text("UPDATE cafes SET timezone = :zone"), {"zone": zone})
    bind.execute(sa.text("INSERT INTO cafe_offices (cafe_id, office_id) SELECT c.id, o.id FROM cafes c, offices o"))


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("access_requests") as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("cafes") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    _fill_offices(op.get_bind())

    for table in ("users", "access_requests"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(f"ix_{table}_office_id", ["office_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_office_id", "offices", ["office_id"], ["id"], ondelete="RESTRICT"
            )
            batch_op.drop_column("office")
    with op.batch_alter_table("cafes") as batch_op:
        batch_op.alter_column("timezone", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("office", sa.String(length=100), server_default="", nullable=False))
    with op.batch_alter_table("access_requests") as batch_op:
        batch_op.add_column(sa.Column("office", sa.String(length=100), server_default="", nullable=False))
    for table in ("users", "access_requests"):
        bind.execute(
            sa.text(
                f"UPDATE {table} SET office = (SELECT name FROM offices WHERE offices.id = {table}.office_id)"  # noqa: S608
            )
        )
    with op.batch_alter_table("access_requests") as batch_op:
        batch_op.alter_column("office", existing_type=sa.String(length=100), server_default=None)
    for table in ("users", "access_requests"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_office_id", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_office_id")
            batch_op.drop_column("office_id")
    with op.batch_alter_table("cafes") as batch_op:
        batch_op.drop_column("timezone")
    op.drop_index("ix_holidays_office_end", table_name="holidays")
    op.drop_table("holidays")
    op.drop_table("extra_workdays")
    op.drop_index("ix_cafe_offices_office_id", table_name="cafe_offices")
    op.drop_table("cafe_offices")
    op.drop_index("ix_cafe_closures_cafe_end", table_name="cafe_closures")
    op.drop_table("cafe_closures")
    op.drop_table("offices")
