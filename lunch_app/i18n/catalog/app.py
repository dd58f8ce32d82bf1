"""Strings of the app shell: the cafe list page and the health route."""

RU = {
    "app.title": "Обеды в офисе",
    "app.cafes.heading": "Кафе-партнёры",
    "app.cafes.subtitle": "Выберите кафе и закажите обед до времени окончания приёма заказов.",
    "app.cafes.loading": "Загружаем кафе…",
    "app.cafes.empty": "Пока нет ни одного кафе.",
    "app.cafes.error": "Не удалось загрузить список кафе. Обновите страницу чуть позже.",
    "app.cafes.dishes": "Блюд в меню: {count}",
    "app.cafes.delivery": "Доставка: {days}",
    "app.cafes.no_delivery": "Дни доставки пока не заданы",
    "app.cafes.cutoff_same_day": "заказ до {time}",
    "app.cafes.cutoff_day_before": "заказ накануне до {time}",
    "app.cafes.cutoff_days_before": "заказ за {days} дн. до {time}",
    "app.cafes.combo": "{name} — {price}",
    "app.cafes.offices": "Для офисов: {offices} · время по поясу {zone}",
    "app.cafes.open_in_telegram": "Чтобы сделать заказ, откройте приложение из Telegram-бота @{bot}.",
}

EN = {
    "app.title": "Office lunch",
    "app.cafes.heading": "Partner cafes",
    "app.cafes.subtitle": "Pick a cafe and order lunch before its ordering cut-off.",
    "app.cafes.loading": "Loading cafes…",
    "app.cafes.empty": "There are no cafes yet.",
    "app.cafes.error": "Could not load the cafes. Please refresh the page a bit later.",
    "app.cafes.dishes": "Dishes on the menu: {count}",
    "app.cafes.delivery": "Delivery: {days}",
    "app.cafes.no_delivery": "No delivery days yet",
    "app.cafes.cutoff_same_day": "order by {time}",
    "app.cafes.cutoff_day_before": "order by {time} the day before",
    "app.cafes.cutoff_days_before": "order {days} days ahead by {time}",
    "app.cafes.offices": "For the offices: {offices} · times in {zone}",
    "app.cafes.combo": "{name} — {price}",
    "app.cafes.open_in_telegram": "To order, open the app from the Telegram bot @{bot}.",
}
