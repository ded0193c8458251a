"""Models of the workday app."""

from __future__ import annotations
