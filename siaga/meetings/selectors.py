"""Reads of the meetings app, scoped through ``siaga.core.access``."""

from __future__ import annotations
