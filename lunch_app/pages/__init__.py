"""Reflex pages (UI only; rules live in lunch_app.domain)."""
