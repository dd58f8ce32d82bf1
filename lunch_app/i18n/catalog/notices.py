"""Telegram notices to people and chats, and the cafe digest (notifications worker, SPEC §4, §8).

Templates may contain Telegram HTML tags; every `{param}` is HTML-escaped by the renderer before it is
substituted, so user-supplied text never becomes markup.
"""

RU = {
    # --- access -------------------------------------------------------------------------------------
    "notice.access_request_new": (
        "🆕 <b>Запрос доступа</b>\n{name}{username}\nОфис: {office}\nTelegram ID: <code>{tgid}</code>"
    ),
    "notice.access_approved": "✅ {name}, доступ открыт! Заказывайте обед через кнопку меню бота.",
    "notice.access_rejected": "❌ {name}, запрос доступа отклонён. Если это ошибка, свяжитесь с менеджером.",
    "notice.button.approve": "✅ Одобрить",
    "notice.button.reject": "❌ Отклонить",
    # --- orders -------------------------------------------------------------------------------------
    "notice.order_changed_by_manager": ("✏️ Менеджер изменил ваш заказ в «{cafe}» на {date}.\nНовая сумма: {total}"),
    "notice.order_cancelled_by_manager": "🚫 Менеджер отменил ваш заказ в «{cafe}» на {date}.",
    # --- reminders ----------------------------------------------------------------------------------
    "notice.reminder": ("⏰ Вы ещё не заказали обед в «{cafe}» на {date}.\nПриём заказов закрывается в {cutoff}."),
    "notice.button.order": "🍽 Заказать",
    # --- cafe linking -------------------------------------------------------------------------------
    "notice.link_request_new": (
        "🔗 <b>Запрос привязки кафе</b>\nКафе: {cafe_name} (#{cafe_id})\nЧат: {chat_title}\nЗапросил: {requester}"
    ),
    "notice.link_approved": "✅ Этот чат привязан к кафе «{cafe_name}». Сюда будут приходить заказы.",
    "notice.link_rejected": "❌ Запрос на привязку этого чата к кафе «{cafe_name}» отклонён.",
    # --- digest -------------------------------------------------------------------------------------
    "digest.title": "🍽 <b>Заказ для «{cafe}»</b>",
    "digest.date": "📅 {weekday}, {date}",
    "digest.summary": "Заказов: <b>{count}</b> · Сумма: <b>{total}</b>",
    "digest.dishes": "<b>Блюда:</b>",
    "digest.combos": "<b>Комплексы:</b>",
    "digest.people": "<b>По сотрудникам:</b>",
    "digest.combo_line": "Комплекс «{name}» — {price}",
    "digest.notes": "📝 <i>{notes}</i>",
    "digest.person_total": "Итого: {total}",
    "digest.footer": "Всего заказов: <b>{count}</b> · Сумма: <b>{total}</b>",
    "digest.continued": "(продолжение {part}/{parts})",
    "digest.button.accepted": "✅ Принято",
    "digest.accepted_by": "✅ Принято: {name}, {time}",
    "digest.confirmed": "Заказ подтверждён.",
    "digest.already_confirmed": "Заказ уже подтверждён.",
    "error.digest.not_found": "Рассылка для этого кафе и даты не найдена.",
    "error.digest.wrong_chat": "Эту сводку можно подтвердить только в чате, куда она пришла.",
    "error.digest.not_resendable": "Повторно отправить можно только неотправленную или пропущенную рассылку.",
    "error.digest.cafe_not_linked": "Кафе не привязано к чату Telegram или уведомления выключены.",
    "notice.order_cancelled_calendar": "🚫 Ваш заказ №{order_id} в «{cafe}» на {date} отменён: {reason}.",
    "notice.closed_reason.holiday": "в вашем офисе выходной ({reason})",
    "notice.closed_reason.non_working": "это нерабочий день вашего офиса",
    "notice.closed_reason.closure": "кафе в этот день закрыто ({reason})",
    "notice.closed_reason.closure_plain": "кафе в этот день закрыто",
    "digest.office": "🏢 <b>{office}</b>",
    "digest.office_address": "🏢 <b>{office}</b> — {address}",
    "digest.no_office": "Без офиса",
}

EN = {
    "notice.access_request_new": (
        "🆕 <b>Access request</b>\n{name}{username}\nOffice: {office}\nTelegram ID: <code>{tgid}</code>"
    ),
    "notice.access_approved": "✅ {name}, your access is approved! Order lunch with the bot's menu button.",
    "notice.access_rejected": "❌ {name}, your access request was rejected. If this is a mistake, ask a manager.",
    "notice.button.approve": "✅ Approve",
    "notice.button.reject": "❌ Reject",
    "notice.order_changed_by_manager": "✏️ A manager changed your order at “{cafe}” for {date}.\nNew total: {total}",
    "notice.order_cancelled_by_manager": "🚫 A manager cancelled your order at “{cafe}” for {date}.",
    "notice.reminder": "⏰ You have not ordered lunch at “{cafe}” for {date} yet.\nOrders close at {cutoff}.",
    "notice.button.order": "🍽 Order",
    "notice.link_request_new": (
        "🔗 <b>Cafe link request</b>\nCafe: {cafe_name} (#{cafe_id})\nChat: {chat_title}\nRequested by: {requester}"
    ),
    "notice.link_approved": "✅ This chat is now linked to “{cafe_name}”. Orders will arrive here.",
    "notice.link_rejected": "❌ The request to link this chat to “{cafe_name}” was rejected.",
    "digest.title": "🍽 <b>Order for “{cafe}”</b>",
    "digest.date": "📅 {weekday}, {date}",
    "digest.summary": "Orders: <b>{count}</b> · Total: <b>{total}</b>",
    "digest.dishes": "<b>Dishes:</b>",
    "digest.combos": "<b>Combos:</b>",
    "digest.people": "<b>By person:</b>",
    "digest.combo_line": "Combo “{name}” — {price}",
    "digest.notes": "📝 <i>{notes}</i>",
    "digest.person_total": "Total: {total}",
    "digest.footer": "Orders: <b>{count}</b> · Total: <b>{total}</b>",
    "digest.continued": "(continued {part}/{parts})",
    "digest.button.accepted": "✅ Accepted",
    "digest.accepted_by": "✅ Accepted by {name}, {time}",
    "digest.confirmed": "The order is confirmed.",
    "digest.already_confirmed": "The order was already confirmed.",
    "error.digest.not_found": "There is no digest for this cafe and date.",
    "error.digest.wrong_chat": "This digest can only be accepted in the chat it was sent to.",
    "error.digest.not_resendable": "Only a failed or skipped digest can be sent again.",
    "error.digest.cafe_not_linked": "The cafe has no linked Telegram chat or its notifications are off.",
    "notice.order_cancelled_calendar": "🚫 Your order #{order_id} at “{cafe}” for {date} was cancelled: {reason}.",
    "notice.closed_reason.holiday": "it is a day off at your office ({reason})",
    "notice.closed_reason.non_working": "it is not a working day at your office",
    "notice.closed_reason.closure": "the cafe is closed that day ({reason})",
    "notice.closed_reason.closure_plain": "the cafe is closed that day",
    "digest.office": "🏢 <b>{office}</b>",
    "digest.office_address": "🏢 <b>{office}</b> — {address}",
    "digest.no_office": "No office",
}
