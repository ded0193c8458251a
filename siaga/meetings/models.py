"""Models of the meetings app."""

from __future__ import annotations
