"""Demo data for the embedded default and for trying the product: cafes with Russian menus, people, history.

Rows are inserted through the models directly (not through the domain layer) because this is a fixture of
the whole product, not a user action: no audit entries, no outbox events. Dates are relative to the clock's
"today" so the demo always looks current. Everything is deterministic (fixed tgids, a seeded RNG).

Two offices four hours apart — Moscow (Europe/Moscow) and Novosibirsk (Asia/Novosibirsk) — with cafes serving
one or both (the Novosibirsk salad bar keeps its schedule in Novosibirsk time), the New Year holidays in both
calendars, a company day off in Novosibirsk in the coming days and a bakery closed for a few days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from lunch_app.clock import get_clock, local_today, week_bounds, zone
from lunch_app.domain import orders
from lunch_app.domain.errors import DomainError
from lunch_app.models import (
    AccessRequest,
    Cafe,
    CafeClosure,
    CafeOffice,
    Category,
    Combo,
    Holiday,
    MenuItem,
    MenuItemOption,
    Office,
    Order,
    OrderStatus,
    RequestStatus,
    Role,
    Schedule,
    Tag,
    User,
)

CENT = Decimal("0.01")
MANAGER_TGID = 100001
HISTORY_DAYS = 21

PORTION = ("Порция", ["Стандарт", "Большая"], True)
BREAD = ("Хлеб", ["Белый", "Чёрный"], False)
SOUR_CREAM = ("Сметана", ["Со сметаной", "Без сметаны"], False)
SAUCE = ("Соус", ["Ткемали", "Сацебели", "Без соуса"], False)
MILK = ("Молоко", ["Обычное", "Овсяное", "Безлактозное"], False)
SUGAR = ("Сахар", ["Без сахара", "С сахаром"], False)
DRESSING = ("Заправка", ["Оливковое масло", "Йогуртовый соус"], True)


@dataclass(frozen=True)
class DishSpec:
    name: str
    category: Category
    price: str | None  # None: only inside a combo
    description: str = ""
    tags: tuple[Tag, ...] = ()
    options: tuple[tuple[str, list[str], bool], ...] = ()


@dataclass(frozen=True)
class ComboSpec:
    name: str
    categories: tuple[Category, ...]
    price: str


@dataclass(frozen=True)
class OfficeSpec:
    key: str
    name: str
    timezone: str
    address: str


MOSCOW = OfficeSpec("msk", "Москва", "Europe/Moscow", "ул. Лесная, 5, 3 этаж")
NOVOSIBIRSK = OfficeSpec("nsk", "Новосибирск", "Asia/Novosibirsk", "Красный проспект, 1, офис 410")
OFFICES = (MOSCOW, NOVOSIBIRSK)


@dataclass(frozen=True)
class CafeSpec:
    name: str
    description: str
    dishes: tuple[DishSpec, ...]
    combos: tuple[ComboSpec, ...]
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    cutoff: time = time(11, 0)
    cutoff_days_before: int = 0
    offices: tuple[str, ...] = ("msk",)  # OfficeSpec keys; the first one's zone is the cafe's


S, SA, M, SI, DE, DR, BA, EX = (
    Category.soup,
    Category.salad,
    Category.main,
    Category.side,
    Category.dessert,
    Category.drink,
    Category.bakery,
    Category.extra,
)
VEG, VEGAN, SPICY, GF, LF, NUTS = (
    Tag.vegetarian,
    Tag.vegan,
    Tag.spicy,
    Tag.gluten_free,
    Tag.lactose_free,
    Tag.contains_nuts,
)

CAFES: tuple[CafeSpec, ...] = (
    CafeSpec(
        name="Столовая №1",
        description="Домашняя кухня без изысков: супы, горячее и компот. Доставка к 13:00.",
        dishes=(
            DishSpec(
                "Борщ со сметаной", S, "190.00", "Классический борщ на говяжьем бульоне.", (), (SOUR_CREAM, BREAD)
            ),
            DishSpec("Солянка мясная", S, "230.00", "Сборная солянка с копчёностями и маслинами.", (), (BREAD,)),
            DishSpec("Щи из свежей капусты", S, None, "Только в комплексном обеде.", (LF,)),
            DishSpec("Оливье", SA, "160.00", "С варёной колбасой и горошком.", ()),
            DishSpec("Винегрет", SA, "120.00", "Свёкла, картофель, квашеная капуста.", (VEGAN, GF)),
            DishSpec("Котлета по-киевски", M, "290.00", "С маслом и зеленью внутри.", (), (PORTION,)),
            DishSpec("Гуляш из говядины", M, "270.00", "Тушёная говядина в томатном соусе.", (GF,), (PORTION,)),
            DishSpec("Тефтели в сливочном соусе", M, None, "Только в комплексном обеде.", ()),
            DishSpec("Картофельное пюре", SI, "90.00", "", (VEG, GF)),
            DishSpec("Гречка с маслом", SI, "80.00", "", (VEG, GF)),
            DishSpec("Сырники со сметаной", DE, "170.00", "Три сырника.", (VEG,)),
            DishSpec("Компот из сухофруктов", DR, "60.00", "", (VEGAN, GF)),
            DishSpec("Морс клюквенный", DR, "80.00", "", (VEGAN, GF)),
            DishSpec("Пирожок с капустой", BA, "55.00", "", (VEG,)),
            DishSpec("Хлеб (2 куска)", EX, "15.00", "", (VEGAN,), (BREAD,)),
        ),
        combos=(
            ComboSpec("Бизнес-ланч", (S, M, SA), "450.00"),
            ComboSpec("Лёгкий обед", (S, SA, DR), "320.00"),
        ),
    ),
    CafeSpec(
        name="Грузинский дворик",
        description="Харчо, хинкали и хачапури по семейным рецептам. Заказ до 18:00 накануне.",
        dishes=(
            DishSpec("Харчо", S, "280.00", "Острый суп из говядины с рисом и ткемали.", (SPICY, GF, LF)),
            DishSpec("Чихиртма", S, "250.00", "Куриный суп с яйцом и зеленью.", (GF,)),
            DishSpec("Салат с грецкими орехами", SA, "260.00", "Огурцы, помидоры, орехи, кинза.", (VEGAN, NUTS, GF)),
            DishSpec("Пхали ассорти", SA, "240.00", "Шпинат, свёкла и фасоль с орехами.", (VEGAN, NUTS)),
            DishSpec("Хинкали с говядиной (5 шт.)", M, "390.00", "", (SPICY,), (PORTION,)),
            DishSpec("Чахохбили", M, "360.00", "Курица, тушённая с томатами и зеленью.", (GF,), (PORTION, SAUCE)),
            DishSpec("Шашлык из свинины", M, "450.00", "С маринованным луком.", (GF, LF), (SAUCE,)),
            DishSpec("Лобио", M, None, "Только в комплексном обеде.", (VEGAN, GF)),
            DishSpec("Рис с зеленью", SI, "90.00", "", (VEGAN, GF)),
            DishSpec("Овощи на гриле", SI, "180.00", "", (VEGAN, GF)),
            DishSpec("Пахлава", DE, "150.00", "Медовая, с грецким орехом.", (VEG, NUTS)),
            DishSpec("Тархун", DR, "120.00", "Лимонад, 0,5 л.", (VEGAN, GF)),
            DishSpec("Хачапури по-аджарски", BA, "420.00", "С яйцом и сливочным маслом.", (VEG,), (PORTION,)),
            DishSpec("Хачапури по-имеретински", BA, "350.00", "", (VEG,)),
            DishSpec("Соус ткемали", EX, "50.00", "", (VEGAN, GF)),
        ),
        combos=(ComboSpec("Обед по-грузински", (S, M, SA), "590.00"),),
        cutoff=time(18, 0),
        cutoff_days_before=1,
        offices=("msk", "nsk"),
    ),
    CafeSpec(
        name="Green Bowl",
        description="Боулы, супы-пюре и смузи для офиса в Новосибирске. Заказ до 10:30 по новосибирскому времени.",
        dishes=(
            DishSpec("Тыквенный крем-суп", S, "240.00", "С семечками и кокосовыми сливками.", (VEGAN, GF)),
            DishSpec("Томатный суп с базиликом", S, "220.00", "", (VEGAN,)),
            DishSpec("Цезарь с курицей", SA, "340.00", "Романо, пармезан, гренки.", (), (DRESSING,)),
            DishSpec("Салат с киноа и авокадо", SA, "360.00", "", (VEGAN, GF), (DRESSING,)),
            DishSpec("Боул с лососем", M, "520.00", "Рис, лосось, эдамаме, огурец.", (LF,), (PORTION,)),
            DishSpec("Боул с фалафелем", M, "420.00", "Булгур, хумус, фалафель.", (VEGAN,), (PORTION,)),
            DishSpec("Курица терияки с рисом", M, "410.00", "", (LF,), (PORTION,)),
            DishSpec("Булгур с овощами", SI, "110.00", "", (VEGAN,)),
            DishSpec("Чиа-пудинг с манго", DE, "210.00", "", (VEGAN, GF)),
            DishSpec("Смузи «Зелёный»", DR, "250.00", "Шпинат, банан, яблоко.", (VEGAN, GF)),
            DishSpec("Капучино", DR, "180.00", "", (VEG,), (MILK, SUGAR)),
            DishSpec("Хумус с овощами", EX, "150.00", "", (VEGAN, GF)),
        ),
        combos=(ComboSpec("Ланч-боул", (S, M), "560.00"),),
        weekdays=(0, 1, 2, 3, 4),
        cutoff=time(10, 30),
        offices=("nsk",),
    ),
    CafeSpec(
        name="Пекарня Хлеб&Соль",
        description="Свежая выпечка, сэндвичи и кофе. Доставка по понедельникам, средам и пятницам.",
        dishes=(
            DishSpec("Суп дня", S, None, "Только в наборе «Суп и выпечка».", ()),
            DishSpec("Сэндвич с ветчиной и сыром", M, "260.00", "На чиабатте.", (), (BREAD,)),
            DishSpec("Киш с грибами", M, "290.00", "", (VEG,)),
            DishSpec("Круассан классический", BA, "120.00", "", (VEG,)),
            DishSpec("Круассан с миндалём", BA, "170.00", "", (VEG, NUTS)),
            DishSpec("Пирог с курицей", BA, "190.00", "", ()),
            DishSpec("Синнабон", DE, "210.00", "", (VEG,)),
            DishSpec("Эклер", DE, "130.00", "", (VEG,)),
            DishSpec("Американо", DR, "140.00", "", (VEGAN,), (SUGAR,)),
            DishSpec("Латте", DR, "190.00", "", (VEG,), (MILK, SUGAR)),
            DishSpec("Багет", EX, "110.00", "", (VEGAN,)),
        ),
        combos=(ComboSpec("Суп и выпечка", (S, BA, DR), "390.00"),),
        weekdays=(0, 2, 4),
        cutoff=time(11, 0),
        offices=("msk", "nsk"),
    ),
)


@dataclass(frozen=True)
class PersonSpec:
    tgid: int
    name: str
    office: str  # an OfficeSpec key
    username: str | None
    role: Role = Role.employee
    is_active: bool = True
    weekly_limit: str | None = None
    language: str = "ru"


OFFICE_A = MOSCOW.key
OFFICE_B = NOVOSIBIRSK.key

PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(MANAGER_TGID, "Ольга Смирнова", OFFICE_A, "olga_smirnova", role=Role.manager),
    PersonSpec(100002, "Иван Петров", OFFICE_A, "ivan_petrov"),
    PersonSpec(100003, "Мария Кузнецова", OFFICE_A, "m_kuznetsova", weekly_limit="3000.00"),
    PersonSpec(100004, "Алексей Волков", OFFICE_B, "volkov_a"),
    PersonSpec(100005, "Екатерина Новикова", OFFICE_B, None),
    PersonSpec(100006, "Дмитрий Морозов", OFFICE_A, "dmorozov"),
    PersonSpec(100007, "Анна Лебедева", OFFICE_B, "anna_leb", language="en"),
    PersonSpec(100008, "Сергей Козлов", OFFICE_A, "skozlov"),
    PersonSpec(100009, "Наталья Соколова", OFFICE_B, "n_sokolova", is_active=False),
)

PENDING_REQUEST = PersonSpec(100010, "Павел Орлов", OFFICE_B, "pavel_orlov")
NOTES = ("", "", "", "", "Без лука, пожалуйста", "Приборы не нужны", "Доставить к 13:30")
NEW_YEAR = "Новогодние каникулы"
COMPANY_DAY = ("День компании", 3)  # a day off of the Novosibirsk office, the first weekday at least 3 days ahead
CLOSURE = ("Пекарня Хлеб&Соль", "Ремонт кухни", 5, 3)  # the bakery closes 5 days ahead, for 3 days


@dataclass
class SeedSummary:
    offices: int = 0
    cafes: int = 0
    menu_items: int = 0
    combos: int = 0
    users: int = 0
    orders: int = 0
    upcoming: int = 0
    skipped_users: list[int] = field(default_factory=list)


async def has_cafes(session: AsyncSession) -> bool:
    count = await session.scalar(select(func.count()).select_from(Cafe))
    return bool(count)


def _money(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


async def _add_offices(session: AsyncSession, now: datetime, summary: SeedSummary) -> dict[str, Office]:
    """The two demo offices (an office of the same name that exists already is used as it is)."""
    existing = {office.name: office for office in (await session.scalars(select(Office))).all()}
    offices: dict[str, Office] = {}
    for spec in OFFICES:
        office = existing.get(spec.name)
        if office is None:
            office = Office(name=spec.name, timezone=spec.timezone, address=spec.address, created_at=now)
            session.add(office)
            summary.offices += 1
        offices[spec.key] = office
    await session.flush()
    return offices


async def _add_calendar(session: AsyncSession, offices: dict[str, Office], cafes: list[_CafeRows]) -> None:
    """New Year in both offices, a company day off in Novosibirsk soon, the bakery closed for a few days."""
    for office in offices.values():
        assert office.id is not None
        year = local_today(zone(office.timezone)).year + 1
        session.add(Holiday(office_id=office.id, start_date=date(year, 1, 1), end_date=date(year, 1, 8), name=NEW_YEAR))
    nsk = offices[NOVOSIBIRSK.key]
    assert nsk.id is not None
    day = local_today(zone(nsk.timezone)) + timedelta(days=COMPANY_DAY[1])
    while day.weekday() >= 5:
        day += timedelta(days=1)
    session.add(Holiday(office_id=nsk.id, start_date=day, end_date=day, name=COMPANY_DAY[0]))
    cafe_name, note, ahead, length = CLOSURE
    bakery = next(rows.cafe for rows in cafes if rows.spec.name == cafe_name)
    assert bakery.id is not None
    start = local_today(zone(bakery.timezone)) + timedelta(days=ahead)
    session.add(
        CafeClosure(cafe_id=bakery.id, start_date=start, end_date=start + timedelta(days=length - 1), note=note)
    )
    await session.flush()


async def _add_people(
    session: AsyncSession, now: datetime, summary: SeedSummary, offices: dict[str, Office]
) -> list[User]:
    existing = set((await session.scalars(select(col(User.tgid)))).all())
    users: list[User] = []
    for spec in PEOPLE:
        if spec.tgid in existing:
            summary.skipped_users.append(spec.tgid)
            continue
        office_id = offices[spec.office].id
        assert office_id is not None
        user = User(
            tgid=spec.tgid,
            name=spec.name,
            office_id=office_id,
            username=spec.username,
            language=spec.language,
            role=spec.role,
            is_active=spec.is_active,
            weekly_limit=_money(spec.weekly_limit) if spec.weekly_limit else None,
            created_at=now - timedelta(days=60),
            updated_at=now - timedelta(days=60),
        )
        session.add(user)
        users.append(user)
    summary.users = len(users)
    has_request = await session.scalar(
        select(col(AccessRequest.id)).where(col(AccessRequest.tgid) == PENDING_REQUEST.tgid)
    )
    if PENDING_REQUEST.tgid not in existing and has_request is None:
        session.add(
            AccessRequest(
                tgid=PENDING_REQUEST.tgid,
                name=PENDING_REQUEST.name,
                username=PENDING_REQUEST.username,
                office_id=offices[PENDING_REQUEST.office].id or 0,
                status=RequestStatus.pending,
                created_at=now - timedelta(hours=2),
            )
        )
    await session.flush()
    return users


@dataclass
class _CafeRows:
    cafe: Cafe
    spec: CafeSpec
    items: list[MenuItem]
    options: dict[int, list[MenuItemOption]]
    combos: list[Combo]
    office_ids: set[int]


async def _add_cafe(session: AsyncSession, spec: CafeSpec, now: datetime, offices: dict[str, Office]) -> _CafeRows:
    served = [offices[key] for key in spec.offices]
    cafe = Cafe(
        name=spec.name,
        description=spec.description,
        timezone=served[0].timezone,
        created_at=now - timedelta(days=90),
    )
    session.add(cafe)
    await session.flush()
    assert cafe.id is not None
    session.add_all(CafeOffice(cafe_id=cafe.id, office_id=office.id or 0) for office in served)
    items: list[MenuItem] = []
    for order, dish in enumerate(spec.dishes):
        item = MenuItem(
            cafe_id=cafe.id,
            name=dish.name,
            description=dish.description,
            category=dish.category,
            price=_money(dish.price) if dish.price is not None else None,
            tags=[tag.value for tag in dish.tags],
            sort_order=order * 10,
            created_at=now - timedelta(days=90),
        )
        session.add(item)
        items.append(item)
    await session.flush()
    options: dict[int, list[MenuItemOption]] = {}
    for item, dish in zip(items, spec.dishes, strict=True):
        assert item.id is not None
        for name, values, required in dish.options:
            option = MenuItemOption(menu_item_id=item.id, name=name, values=list(values), is_required=required)
            session.add(option)
            options.setdefault(item.id, []).append(option)
    combos = [
        Combo(
            cafe_id=cafe.id,
            name=combo.name,
            categories=[category.value for category in combo.categories],
            price=_money(combo.price),
            created_at=now - timedelta(days=90),
        )
        for combo in spec.combos
    ]
    session.add_all(combos)
    for weekday in spec.weekdays:
        session.add(
            Schedule(
                cafe_id=cafe.id,
                weekday=weekday,
                cutoff_time=spec.cutoff,
                cutoff_days_before=spec.cutoff_days_before,
            )
        )
    await session.flush()
    return _CafeRows(
        cafe=cafe,
        spec=spec,
        items=items,
        options=options,
        combos=combos,
        office_ids={office.id for office in served if office.id is not None},
    )


def _pick_options(rng: random.Random, item: MenuItem, rows: _CafeRows) -> dict[str, str]:
    assert item.id is not None
    chosen: dict[str, str] = {}
    for option in rows.options.get(item.id, []):
        if option.is_required or rng.random() < 0.5:
            chosen[option.name] = rng.choice(option.values)
    return chosen


def _line(kind: str, item: MenuItem, unit_price: Decimal, quantity: int, options: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": kind,
        "menu_item_id": item.id,
        "name": item.name,
        "category": item.category.value,
        "unit_price": str(unit_price.quantize(CENT)),
        "quantity": quantity,
        "options": options,
    }


def _draft_order(rng: random.Random, rows: _CafeRows) -> tuple[Combo | None, list[dict[str, Any]], Decimal]:
    """A plausible order: usually a combo, sometimes à la carte, often with a drink or an extra."""
    priced = [item for item in rows.items if item.price is not None]
    lines: list[dict[str, Any]] = []
    total = Decimal("0.00")
    combo: Combo | None = None
    if rows.combos and rng.random() < 0.6:
        combo = rng.choice(rows.combos)
        total += combo.price
        for category in combo.categories:
            dish = rng.choice([item for item in rows.items if item.category.value == category])
            lines.append(_line("combo_dish", dish, Decimal("0.00"), 1, _pick_options(rng, dish, rows)))
        extras = [item for item in priced if item.category in (Category.drink, Category.bakery, Category.extra)]
        if extras and rng.random() < 0.4:
            extra = rng.choice(extras)
            assert extra.price is not None
            lines.append(_line("item", extra, extra.price, 1, _pick_options(rng, extra, rows)))
            total += extra.price
    else:
        mains = [item for item in priced if item.category in (Category.main, Category.soup, Category.bakery)]
        for dish in rng.sample(mains, k=min(len(mains), rng.choice((1, 2)))):
            assert dish.price is not None
            quantity = 2 if dish.category is Category.bakery and rng.random() < 0.3 else 1
            lines.append(_line("item", dish, dish.price, quantity, _pick_options(rng, dish, rows)))
            total += dish.price * quantity
    return combo, lines, total.quantize(CENT)


async def _add_history(
    session: AsyncSession, users: list[User], cafes: list[_CafeRows], today: date, summary: SeedSummary
) -> None:
    """Orders on delivery days of the last three weeks (before today), from the cafes of each person's office,
    respecting weekly limits."""
    rng = random.Random(20261130)  # deterministic demo data
    eaters = [user for user in users if user.is_active]
    spent: dict[tuple[int, date], Decimal] = {}
    for offset in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        open_cafes = [rows for rows in cafes if day.weekday() in rows.spec.weekdays]
        if not open_cafes:
            continue
        for user in eaters:
            if rng.random() < 0.3:
                continue
            mine = [rows for rows in open_cafes if user.office_id in rows.office_ids]
            if not mine:
                continue
            rows = rng.choice(mine)
            tz = zone(rows.cafe.timezone)
            combo, lines, total = _draft_order(rng, rows)
            week = week_bounds(day)[0]
            cancelled = rng.random() < 0.07
            if not cancelled:
                week_total = spent.get((user.tgid, week), Decimal(0)) + total
                if user.weekly_limit is not None and week_total > user.weekly_limit:
                    continue
                spent[(user.tgid, week)] = week_total
            schedule_day = day - timedelta(days=rows.spec.cutoff_days_before)
            placed_at = datetime.combine(schedule_day, rows.spec.cutoff, tzinfo=tz) - timedelta(
                minutes=rng.randint(20, 600)
            )
            if cancelled:
                status = OrderStatus.cancelled
            else:
                status = OrderStatus.confirmed if rng.random() < 0.85 else OrderStatus.sent
            assert rows.cafe.id is not None
            session.add(
                Order(
                    user_tgid=user.tgid,
                    user_name=user.name,
                    cafe_id=rows.cafe.id,
                    order_date=day,
                    status=status,
                    combo_id=combo.id if combo else None,
                    combo_name=combo.name if combo else None,
                    combo_price=combo.price if combo else None,
                    lines=lines,
                    notes=rng.choice(NOTES),
                    total=total,
                    created_at=placed_at,
                    updated_at=placed_at + timedelta(minutes=rng.randint(0, 15)),
                )
            )
            summary.orders += 1
    await session.flush()


async def _add_upcoming(
    session: AsyncSession, users: list[User], cafes: list[_CafeRows], today: date, summary: SeedSummary
) -> None:
    """Live orders for the next open days, placed through the ordering rules (cut-offs, limits), so the Mini App's
    My orders and the dashboard's Today tab have something to show right away."""
    rng = random.Random(20261201)
    for user in [user for user in users if user.is_active]:
        if rng.random() < 0.3:
            continue
        for day in (today + timedelta(days=offset) for offset in range(3)):
            mine = [rows for rows in cafes if day.weekday() in rows.spec.weekdays and user.office_id in rows.office_ids]
            rows = rng.choice(mine or [None])
            if rows is None:
                continue
            combo, lines, _total = _draft_order(rng, rows)
            draft = {
                "cafe_id": rows.cafe.id,
                "order_date": day.isoformat(),
                "combo": None
                if combo is None
                else {
                    "combo_id": combo.id,
                    "dishes": [
                        {"menu_item_id": line["menu_item_id"], "options": line["options"]}
                        for line in lines
                        if line["kind"] == "combo_dish"
                    ],
                },
                "items": [
                    {"menu_item_id": line["menu_item_id"], "quantity": line["quantity"], "options": line["options"]}
                    for line in lines
                    if line["kind"] == "item"
                ],
                "notes": rng.choice(NOTES),
            }
            try:
                async with session.begin_nested():  # a refusal (day closed, limit reached) undoes only this one
                    await orders.place_order(session, user_tgid=user.tgid, draft=draft)
            except DomainError:
                continue
            summary.upcoming += 1
            break


async def seed_demo(session: AsyncSession) -> SeedSummary:
    """Insert the demo cafes, people and order history. Users that already exist are kept as they are."""
    clock = get_clock()
    now, today = clock.now(), clock.today()
    summary = SeedSummary()
    offices = await _add_offices(session, now, summary)
    users = await _add_people(session, now, summary, offices)
    cafes = [await _add_cafe(session, spec, now, offices) for spec in CAFES]
    await _add_calendar(session, offices, cafes)
    summary.cafes = len(cafes)
    summary.menu_items = sum(len(rows.items) for rows in cafes)
    summary.combos = sum(len(rows.combos) for rows in cafes)
    await _add_history(session, users, cafes, today, summary)
    await _add_upcoming(session, users, cafes, today, summary)
    return summary
