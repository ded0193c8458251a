"""Reads of the workday app, scoped through ``siaga.core.access``."""

from __future__ import annotations
