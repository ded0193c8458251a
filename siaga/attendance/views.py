"""Pages of the attendance app: thin, reads through selectors, writes through services."""

from __future__ import annotations
