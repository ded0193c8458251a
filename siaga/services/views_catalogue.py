"""Catalogue management (placeholder until written)."""

urlpatterns: list = []
