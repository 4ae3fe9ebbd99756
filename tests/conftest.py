"""Shared fixtures. Each area keeps its fixtures in tests/plugins/<area>.py."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.plugins.clock",
    "tests.plugins.http_server",
    "tests.plugins.model",
    "tests.plugins.smtp",
    "tests.plugins.app",
    "tests.plugins.app_ui",
]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def write_config(folder: Path, body: str) -> Path:
    """Write a config file `veille.toml` in `folder` and return its path."""
    path = folder / "veille.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def tmp_config(tmp_path: Path):
    """A factory: tmp_config(extra_toml) -> (path, Settings) with the database in tmp_path."""
    from config.settings import load_settings

    def make(extra: str = "") -> tuple[Path, object]:
        path = write_config(tmp_path, f'[database]\npath = "veille.db"\n{extra}')
        return path, load_settings(path)

    return make


@pytest.fixture
def store(tmp_path: Path):
    from watcher.db import open_store

    s = open_store(tmp_path / "veille.db")
    yield s
    s.close()
