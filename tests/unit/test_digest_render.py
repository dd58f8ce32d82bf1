"""Rendering of cafe digests and person notices to Telegram HTML (no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from lunch_app.domain.reports import (
    ComboTotal,
    DayReport,
    DishTotal,
    OfficeRef,
    PersonEntry,
    ReportLine,
    assemble_day_report,
)
from lunch_app.i18n.catalog import notices
from lunch_app.telegram.callbacks import AccessDecision, DigestAccepted, LinkDecision
from lunch_app.telegram.messages import (
    MESSAGE_LIMIT,
    NOTICE_TEMPLATES,
    UnknownTemplate,
    digest_accepted_line,
    digest_keyboard,
    render_digest,
    render_notice,
    text_length,
)

ALLOWED_TAGS = {"b", "i", "code"}


class TagChecker(HTMLParser):
    """Fails on any tag other than the ones the templates use, and on unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, f"unexpected tag <{tag}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(part: str) -> str:
    checker = TagChecker()
    checker.feed(part)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    return "".join(checker.text)


def line(name: str, qty: int = 1, price: str = "0.00", **options: str) -> ReportLine:
    unit = Decimal(price)
    return ReportLine(
        menu_item_id=1,
        name=name,
        category="main",
        quantity=qty,
        unit_price=unit,
        amount=unit * qty,
        options=dict(options),
    )


def person(n: int, name: str, *, notes: str = "", office: str = "Офис 1", combo: bool = True) -> PersonEntry:
    return PersonEntry(
        order_id=n,
        user_tgid=7_000_000_000 + n,
        user_name=name,
        office=office,
        status="sent",
        combo_id=1 if combo else None,
        combo_name="Бизнес-ланч" if combo else None,
        combo_price=Decimal("450.00") if combo else None,
        combo_dishes=[line("Борщ", Порция="большая"), line("Котлета", Гарнир="Пюре"), line("Оливье")] if combo else [],
        items=[line("Морс", 2, "90.00", Лёд="Нет")],
        notes=notes,
        total=Decimal("630.00"),
    )


def report(people: list[PersonEntry], cafe_name: str = "Столовая №1") -> DayReport:
    return DayReport(
        cafe_id=5,
        cafe_name=cafe_name,
        day=date(2026, 12, 1),
        orders_count=len(people),
        total=sum((p.total for p in people), Decimal("0.00")),
        dishes=[
            DishTotal(
                name="Борщ", category="soup", quantity=len(people), combo_quantity=len(people), amount=Decimal(0)
            ),
            DishTotal(name="Морс", category="drink", quantity=2 * len(people), combo_quantity=0, amount=Decimal(0)),
        ],
        combos=[ComboTotal(name="Бизнес-ланч", count=len(people), amount=Decimal("450.00") * len(people))],
        people=people,
    )


def test_small_digest_is_one_message_with_totals_people_options_and_notes() -> None:
    parts = render_digest(report([person(1, "Анна", notes="Без лука"), person(2, "Борис", office="")]))
    assert len(parts) == 1
    text = visible_text(parts[0])
    assert "Столовая №1" in text
    assert "01.12.2026" in text and "Вторник" in text
    assert "• Борщ × 2" in text
    assert "• Морс × 4" in text
    assert "• Бизнес-ланч × 2" in text
    assert "1. Анна (Офис 1)" in text
    assert "2. Борис\n" in text  # no empty office brackets
    assert "– Котлета (Гарнир: Пюре)" in text
    assert "– Морс × 2 (Лёд: Нет)" in text
    assert "Без лука" in text
    assert "Заказов: 2" in text
    assert "1\u202f260,00\u00a0₽" in text  # the day's total


def test_english_digest() -> None:
    parts = render_digest(report([person(1, "Ann")]), "en")
    text = visible_text(parts[0])
    assert "Order for “Столовая №1”" in text
    assert "2026-12-01" in text and "Tuesday" in text
    assert "₽630.00" in text


def test_html_special_characters_are_escaped_everywhere() -> None:
    evil = person(1, "<b>Eve</b> & <script>alert(1)</script>", notes='<i>x</i> & "q" <script>', office="R&D <1>")
    parts = render_digest(report([evil], cafe_name="Café <Tom & Jerry>"))
    joined = "\n".join(parts)
    assert "<script>" not in joined
    assert "&lt;script&gt;" in joined
    assert "&amp;" in joined
    text = "\n".join(visible_text(part) for part in parts)  # also checks only our tags are present
    assert "<b>Eve</b> & <script>alert(1)</script>" in text
    assert "R&D <1>" in text
    assert "Café <Tom & Jerry>" in text


def test_200_order_digest_is_split_on_line_boundaries_within_the_limit_with_every_order() -> None:
    people = [person(n, f"Сотрудник {n:03d} <&>", notes=f"Заметка {n} " + "x" * 40) for n in range(1, 201)]
    parts = render_digest(report(people))
    assert len(parts) > 3
    for part in parts:
        assert text_length(part) <= MESSAGE_LIMIT
        assert len(visible_text(part)) <= MESSAGE_LIMIT
    texts = [visible_text(part) for part in parts]
    for n in range(1, 201):
        holders = [i for i, text in enumerate(texts) if f"{n}. Сотрудник {n:03d} <&>" in text]
        assert len(holders) == 1, f"order {n} appears in parts {holders}"
        # One person's order is never torn across two messages.
        block_start = texts[holders[0]].index(f"{n}. Сотрудник {n:03d} <&>")
        assert f"Заметка {n} " in texts[holders[0]][block_start:]
    for index, text in enumerate(texts[1:], start=2):
        assert f"(продолжение {index}/{len(parts)})" in text
    assert "Всего заказов: 200" in texts[-1]
    # Nothing lost or duplicated: the bodies (without continuation headers) rebuild the full digest.
    bodies = [parts[0]] + [part.split("\n\n", 1)[1] for part in parts[1:]]
    whole = render_digest(report(people), limit=10**9)
    assert len(whole) == 1
    assert "\n\n".join(bodies) == whole[0]


def test_rendering_is_deterministic() -> None:
    people = [person(n, f"P{n}") for n in range(80)]
    assert render_digest(report(people)) == render_digest(report(people))


def test_an_absurdly_long_line_is_cut_without_breaking_entities_or_tags() -> None:
    huge = person(1, "Имя", notes="<&>" * 3000)
    parts = render_digest(report([huge]))
    assert len(parts) >= 3
    for part in parts:
        assert text_length(part) <= MESSAGE_LIMIT
        visible_text(part)
    shown = "".join(visible_text(p) for p in parts)
    assert shown.count("<") == shown.count("&") == shown.count(">") == 3000


def test_digest_keyboard_carries_the_accepted_callback() -> None:
    markup = digest_keyboard(5, date(2026, 12, 1))
    button = markup.inline_keyboard[0][0]
    assert button.text == "✅ Принято"
    assert button.callback_data is not None
    data = DigestAccepted.unpack(button.callback_data)
    assert (data.cafe_id, data.day) == (5, "2026-12-01")
    assert "&lt;Bob&gt;" in digest_accepted_line("<Bob>", datetime(2026, 12, 1, 11, 5))


PARAMS = {
    "access_request_new": {"request_id": 7, "tgid": 1, "name": "<Ann>", "office": "A&B", "username": "ann"},
    "access_approved": {"name": "Ann"},
    "access_rejected": {"name": "Ann"},
    "order_changed_by_manager": {"order_id": 1, "cafe": "C<1>", "date": "2026-12-01", "total": "630.00"},
    "order_cancelled_by_manager": {"order_id": 1, "cafe": "C", "date": "2026-12-01", "total": "630.00"},
    "reminder": {"cafe_id": 5, "cafe": "C", "date": "2026-12-01", "cutoff": "11:00"},
    "link_request_new": {
        "request_id": 9,
        "cafe_id": 5,
        "cafe_name": "C",
        "chat_id": -100,
        "chat_title": "<Kitchen & Co>",
        "requested_by": 42,
        "requested_by_username": "chef",
    },
    "link_approved": {"cafe_id": 5, "cafe_name": "C&D", "request_id": 9},
    "link_rejected": {"cafe_id": 5, "cafe_name": "C", "request_id": 9},
    "order_cancelled_calendar": {
        "order_id": 3,
        "cafe": "C<3>",
        "date": "2027-01-04",
        "kind": "holiday",
        "reason": "<Ann>'s New Year",
    },
}


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("template", NOTICE_TEMPLATES)
def test_every_notice_renders_escaped_in_both_languages(template: str, lang: str) -> None:
    rendered = render_notice(template, PARAMS[template], lang, mini_app_url="https://app.example/")
    text = visible_text(rendered.text)
    assert "{" not in text and "notice." not in text
    assert "<Ann>" not in rendered.text and "<Kitchen" not in rendered.text


def test_notice_keyboards() -> None:
    access = render_notice("access_request_new", PARAMS["access_request_new"], "ru", mini_app_url="https://a/")
    assert access.reply_markup is not None
    approve, reject = access.reply_markup.inline_keyboard[0]
    assert AccessDecision.unpack(approve.callback_data or "") == AccessDecision(request_id=7, approve=True)
    assert AccessDecision.unpack(reject.callback_data or "") == AccessDecision(request_id=7, approve=False)
    assert "@ann" in access.text and "A&amp;B" in access.text

    link = render_notice("link_request_new", PARAMS["link_request_new"], "en", mini_app_url="https://a/")
    assert link.reply_markup is not None
    approve, _ = link.reply_markup.inline_keyboard[0]
    assert LinkDecision.unpack(approve.callback_data or "") == LinkDecision(request_id=9, approve=True)
    assert "&lt;Kitchen &amp; Co&gt;" in link.text and "@chef" in link.text

    reminder = render_notice("reminder", PARAMS["reminder"], "ru", mini_app_url="https://app.example/")
    assert reminder.reply_markup is not None
    button = reminder.reply_markup.inline_keyboard[0][0]
    assert button.web_app is not None and button.web_app.url == "https://app.example/"
    assert "01.12.2026" in reminder.text and "11:00" in reminder.text

    changed = render_notice("order_changed_by_manager", PARAMS["order_changed_by_manager"], "ru", mini_app_url="x")
    assert "630,00" in changed.text and "C&lt;1&gt;" in changed.text


def test_unknown_template_is_refused() -> None:
    with pytest.raises(UnknownTemplate):
        render_notice("nope", {}, "ru", mini_app_url="x")


def test_catalogue_part_has_every_key_in_both_languages() -> None:
    assert notices.RU.keys() == notices.EN.keys()
    for template in NOTICE_TEMPLATES:
        assert f"notice.{template}" in notices.RU


def test_calendar_cancellation_notice_names_the_reason_in_each_language() -> None:
    holiday = render_notice("order_cancelled_calendar", PARAMS["order_cancelled_calendar"], "ru", mini_app_url="x")
    assert "№3" in holiday.text and "04.01.2027" in holiday.text and "выходной" in holiday.text
    assert "&lt;Ann&gt;" in holiday.text and "C&lt;3&gt;" in holiday.text
    closure = {**PARAMS["order_cancelled_calendar"], "kind": "closure", "reason": "кухня на ремонте"}
    english = render_notice("order_cancelled_calendar", closure, "en", mini_app_url="x")
    assert "cafe is closed" in english.text and "кухня на ремонте" in english.text
    plain = render_notice("order_cancelled_calendar", {**closure, "reason": ""}, "ru", mini_app_url="x")
    assert visible_text(plain.text).endswith("кафе в этот день закрыто.")
    weekend = {**closure, "kind": "non_working", "reason": ""}
    assert "нерабочий день" in render_notice("order_cancelled_calendar", weekend, "ru", mini_app_url="x").text


def _order(order_id: int, name: str, dish: str, quantity: int = 1) -> SimpleNamespace:
    return SimpleNamespace(
        id=order_id,
        user_tgid=100 + order_id,
        user_name=name,
        status="placed",
        combo_id=None,
        combo_name=None,
        combo_price=None,
        lines=[
            {
                "kind": "item",
                "name": dish,
                "category": "soup",
                "unit_price": "200.00",
                "quantity": quantity,
                "options": {},
            }
        ],
        notes="",
        total=Decimal("200.00") * quantity,
    )


MSK = OfficeRef(1, "Москва", "ул. Лесная, 5")
NSK = OfficeRef(2, "Новосибирск <Н>", "Красный проспект, 1")


def test_a_digest_for_two_offices_is_sectioned_with_addresses_and_per_office_packing() -> None:
    rows = [
        (_order(1, "Анна", "Борщ", 2), MSK),
        (_order(2, "Борис", "Борщ"), NSK),
        (_order(3, "Вера", "Солянка"), NSK),
    ]
    report = assemble_day_report(cafe_id=5, cafe_name="Дворик", day=date(2026, 12, 1), rows=rows)
    assert [(s.name, s.orders_count, s.total) for s in report.offices] == [
        ("Москва", 1, Decimal("400.00")),
        ("Новосибирск <Н>", 2, Decimal("400.00")),
    ]
    assert [(d.name, d.quantity) for d in report.offices[1].dishes] == [("Борщ", 1), ("Солянка", 1)]
    assert [(d.name, d.quantity) for d in report.dishes] == [("Борщ", 3), ("Солянка", 1)]  # the kitchen's totals
    again = DayReport.from_breakdown_json(report.to_breakdown_json())
    assert again == report  # what is stored at the cut-off is what the digest is rendered from

    [part] = render_digest(report)
    assert "&lt;Н&gt;" in part  # office names are escaped like every user-supplied text
    text = visible_text(part)
    msk, nsk = text.index("🏢 Москва — ул. Лесная, 5"), text.index("🏢 Новосибирск <Н> — Красный проспект, 1")
    assert text.index("• Борщ × 3") < msk < text.index("1. Анна") < nsk < text.index("2. Борис") < text.index("3. Вера")
    assert "• Борщ × 1" in text[nsk:] and "• Борщ × 2" in text[msk:nsk]
    assert "Заказов: 2 · Сумма: 400,00" in text[nsk:]
    assert "(Москва)" not in text and "(Новосибирск" not in text  # the section says the office already


def test_a_digest_for_one_office_names_it_and_its_address_in_the_header() -> None:
    report = assemble_day_report(
        cafe_id=5, cafe_name="Столовая", day=date(2026, 12, 1), rows=[(_order(1, "Анна", "Борщ"), MSK)]
    )
    text = visible_text(render_digest(report)[0])
    header, _, rest = text.partition("Заказов:")
    assert "🏢 Москва — ул. Лесная, 5" in header
    assert text.count("🏢") == 1 and "1. Анна (Москва)" in rest
