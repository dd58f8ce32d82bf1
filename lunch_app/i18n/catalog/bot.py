"""Messages of the Telegram bot (bot/). Texts are sent with HTML parse mode; parameters are escaped by the bot."""

RU = {
    "bot.menu_button": "Заказать",
    "bot.button.order": "🍽 Заказать обед",
    "bot.button.open_private": "Открыть чат с ботом",
    "bot.button.dashboard": "Открыть панель менеджера",
    "bot.cmd.start": "Начать",
    "bot.cmd.order": "Заказать обед",
    "bot.cmd.help": "Что умеет бот",
    "bot.cmd.link": "Привязать чат кафе: /link номер",
    "bot.cmd.status": "К какому кафе привязан чат",
    "bot.cmd.dashboard": "Ссылка на панель менеджера",
    "bot.start.welcome": (
        "Здравствуйте, {name}! 👋\n\n"
        "Здесь сотрудники заказывают обед в офис из кафе-партнёров: выберите кафе и день, соберите обед "
        "до времени окончания приёма заказов.\n\n"
        "Нажмите «Заказать обед», чтобы открыть меню. Все команды — /help."
    ),
    "bot.order.text": "Откройте приложение, чтобы выбрать кафе, день и блюда.",
    "bot.order.private_only": "Заказывать обед удобнее в личном чате со мной — нажмите кнопку ниже.",
    "bot.help": (
        "<b>Что я умею</b>\n"
        "/order — открыть приложение и заказать обед\n"
        "/start — приветствие и кнопка заказа\n"
        "/help — эта справка\n\n"
        "<b>Для кафе</b>\n"
        "/link <i>номер</i> — привязать этот чат к кафе (номер даст менеджер); сюда будут приходить заказы\n"
        "/status — к какому кафе привязан этот чат\n\n"
        "<b>Для менеджеров</b>\n"
        "/dashboard — одноразовая ссылка для входа в панель менеджера с компьютера"
    ),
    "bot.link.usage": "Укажите номер кафе, например: <code>/link 5</code>. Номер кафе можно узнать у менеджера.",
    "bot.link.bad_id": (
        "«{value}» — не номер кафе. Номер должен быть целым положительным числом, например: <code>/link 5</code>."
    ),
    "bot.link.requested": (
        "Заявка на привязку этого чата к кафе «{cafe}» отправлена менеджерам. "
        "Я напишу сюда, когда её рассмотрят. Проверить состояние: /status"
    ),
    "bot.status.linked": "Этот чат привязан к кафе «{cafe}». Уведомления о заказах: {notifications}.",
    "bot.status.notifications_on": "включены",
    "bot.status.notifications_off": "выключены",
    "bot.status.pending": "Заявка на привязку этого чата к кафе «{cafe}» ждёт решения менеджера.",
    "bot.status.none": (
        "Этот чат не привязан ни к одному кафе. Чтобы получать сюда заказы, отправьте <code>/link номер_кафе</code>."
    ),
    "bot.dashboard.link": (
        "Ваша ссылка для входа в панель менеджера. Она одноразовая и действует {minutes} мин.\n\n"
        '<a href="{url}">Открыть панель менеджера</a>'
    ),
    "bot.dashboard.managers_only": (
        "Панель управления доступна только менеджерам. Если нужен доступ, обратитесь к менеджеру."
    ),
    "bot.dashboard.private_only": (
        "Ссылку для входа в панель я отправляю только в личном чате, чтобы её не увидели другие. "
        "Напишите мне /dashboard лично."
    ),
    "bot.decision.approved_by": "✅ Одобрено: {name}",
    "bot.decision.rejected_by": "❌ Отклонено: {name}",
    "bot.decision.approved": "Заявка одобрена.",
    "bot.decision.rejected": "Заявка отклонена.",
    "bot.decision.managers_only": "Решения по заявкам принимают только менеджеры. Ничего не изменилось.",
    "bot.digest.accepted_by": "✅ Принято: {name}",
    "bot.digest.accepted": "Спасибо! Заказ отмечен как принятый.",
    "bot.digest.already_accepted": "Этот заказ уже принят.",
    "bot.button.stale": "Эта кнопка устарела.",
    "bot.flood": "Слишком много команд подряд. Подождите несколько секунд и попробуйте снова.",
    "bot.error.generic": "Что-то пошло не так. Попробуйте ещё раз чуть позже.",
    "bot.unknown_command": "Я не знаю такой команды. Список команд: /help",
    "bot.text_hint": "Я понимаю только команды. Чтобы заказать обед, отправьте /order, список команд — /help.",
}

EN = {
    "bot.menu_button": "Order",
    "bot.button.order": "🍽 Order lunch",
    "bot.button.open_private": "Open a chat with the bot",
    "bot.button.dashboard": "Open the manager dashboard",
    "bot.cmd.start": "Start",
    "bot.cmd.order": "Order lunch",
    "bot.cmd.help": "What the bot can do",
    "bot.cmd.link": "Link a cafe chat: /link number",
    "bot.cmd.status": "Which cafe this chat is linked to",
    "bot.cmd.dashboard": "Sign-in link to the manager dashboard",
    "bot.start.welcome": (
        "Hello, {name}! 👋\n\n"
        "Here employees order lunch to the office from partner cafes: pick a cafe and a day and build your "
        "lunch before the ordering cut-off.\n\n"
        "Tap “Order lunch” to open the menu. All commands: /help."
    ),
    "bot.order.text": "Open the app to choose a cafe, a day and your dishes.",
    "bot.order.private_only": "Ordering works best in a private chat with me — tap the button below.",
    "bot.help": (
        "<b>What I can do</b>\n"
        "/order — open the app and order lunch\n"
        "/start — welcome message and the order button\n"
        "/help — this help\n\n"
        "<b>For cafes</b>\n"
        "/link <i>number</i> — link this chat to a cafe (a manager gives you the number); orders will arrive here\n"
        "/status — which cafe this chat is linked to\n\n"
        "<b>For managers</b>\n"
        "/dashboard — a one-time link to sign in to the manager dashboard on a computer"
    ),
    "bot.link.usage": (
        "Please give the cafe number, for example: <code>/link 5</code>. A manager can tell you the number."
    ),
    "bot.link.bad_id": (
        "“{value}” is not a cafe number. It must be a positive whole number, for example: <code>/link 5</code>."
    ),
    "bot.link.requested": (
        "The request to link this chat to the cafe “{cafe}” was sent to the managers. "
        "I will write here when it is decided. Check the state with /status"
    ),
    "bot.status.linked": "This chat is linked to the cafe “{cafe}”. Order notifications are {notifications}.",
    "bot.status.notifications_on": "on",
    "bot.status.notifications_off": "off",
    "bot.status.pending": "The request to link this chat to the cafe “{cafe}” is waiting for a manager.",
    "bot.status.none": (
        "This chat is not linked to any cafe. To receive orders here, send <code>/link cafe_number</code>."
    ),
    "bot.dashboard.link": (
        "Your sign-in link to the manager dashboard. It works once and for {minutes} min.\n\n"
        '<a href="{url}">Open the manager dashboard</a>'
    ),
    "bot.dashboard.managers_only": "The dashboard is for managers only. If you need access, please ask a manager.",
    "bot.dashboard.private_only": (
        "I send the dashboard sign-in link only in a private chat, so nobody else can see it. "
        "Send me /dashboard directly."
    ),
    "bot.decision.approved_by": "✅ Approved by {name}",
    "bot.decision.rejected_by": "❌ Rejected by {name}",
    "bot.decision.approved": "Request approved.",
    "bot.decision.rejected": "Request rejected.",
    "bot.decision.managers_only": "Only managers decide on requests. Nothing was changed.",
    "bot.digest.accepted_by": "✅ Accepted by {name}",
    "bot.digest.accepted": "Thank you! The order is marked as accepted.",
    "bot.digest.already_accepted": "This order has already been accepted.",
    "bot.button.stale": "This button is out of date.",
    "bot.flood": "Too many commands in a row. Please wait a few seconds and try again.",
    "bot.error.generic": "Something went wrong. Please try again a bit later.",
    "bot.unknown_command": "I don't know this command. The list of commands: /help",
    "bot.text_hint": "I only understand commands. To order lunch send /order; the list of commands is /help.",
}
