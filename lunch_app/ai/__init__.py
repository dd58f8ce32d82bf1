"""Clients of external AI services."""
