"""Writes of the meetings app: validated, atomic and audit-logged."""

from __future__ import annotations
