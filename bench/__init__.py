"""Benchmarks. ``make bench`` runs them all; ``make bench ARGS=import`` one of them."""
