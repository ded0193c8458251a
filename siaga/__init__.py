"""Siaga: keeps a regional government's public services running through an epidemic."""

__version__ = "0.1.0"
