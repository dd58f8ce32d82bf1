"""Messages of the domain errors raised by lunch_app/domain/*.py (foundation part)."""

RU = {
    "error.user.not_found": "Пользователь не найден.",
    "error.access.not_active": "Доступ не предоставлен или отключён.",
    "error.access.manager_only": "Это действие доступно только менеджерам.",
}

EN = {
    "error.user.not_found": "User not found.",
    "error.access.not_active": "You have no access or it has been disabled.",
    "error.access.manager_only": "Only managers can do this.",
}
