"""Fixtures of the measures tests: the attendance tests' office (Gedung Menara Wijaya, floor 2)."""

from siaga.attendance.tests.conftest import office  # noqa: F401
