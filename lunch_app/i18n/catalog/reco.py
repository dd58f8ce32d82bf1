"""Messages of the AI recommendations."""

RU = {
    "error.reco.unavailable": "Советы временно недоступны, попробуйте позже.",
    "error.reco.failed": "Не удалось получить советы, попробуйте позже.",
    "error.reco.rate_limited": "Новые советы можно получить не чаще раза в час (через {minutes} мин.).",
    "error.reco.not_enough_orders": "Советы появятся после {needed} заказов за 30 дней (сейчас {count}).",
}

EN = {
    "error.reco.unavailable": "Tips are temporarily unavailable; please try later.",
    "error.reco.failed": "Could not get tips; please try later.",
    "error.reco.rate_limited": "New tips at most once an hour (in {minutes} min).",
    "error.reco.not_enough_orders": "Tips appear after {needed} orders in 30 days (you have {count}).",
}
