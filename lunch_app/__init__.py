"""Lunch Bot: the Reflex app package and the shared core used by the bot and the workers."""
