"""Fixtures: app."""
