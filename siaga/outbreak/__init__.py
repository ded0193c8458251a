"""Outbreak response: cases, close contacts, quarantine, clusters and their source."""
