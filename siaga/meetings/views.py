"""Pages of the meetings app: thin, reads through selectors, writes through services."""

from __future__ import annotations
