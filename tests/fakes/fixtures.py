"""Pytest fixtures for the protocol stand-ins (Telegram Bot API, Gemini, Kafka broker)."""
