"""Fixtures: http_server."""
