"""Reads of the attendance app, scoped through ``siaga.core.access``."""

from __future__ import annotations
