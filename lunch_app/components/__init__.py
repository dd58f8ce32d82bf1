"""Reusable Reflex UI pieces in the Telegram look (styles in assets/miniapp.css)."""
