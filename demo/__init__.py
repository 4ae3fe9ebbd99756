"""Offline demo corpus and its local feed server."""
