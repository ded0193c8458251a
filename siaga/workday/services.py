"""Writes of the workday app: validated, atomic and audit-logged."""

from __future__ import annotations
