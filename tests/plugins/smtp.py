"""Fixtures: smtp."""
