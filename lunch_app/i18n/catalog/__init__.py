"""Catalogue parts: each module defines RU and EN dicts."""
