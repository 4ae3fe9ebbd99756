"""Fixtures: the Streamlit app under streamlit.testing.v1.AppTest, on the populated database."""

from __future__ import annotations

from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
VIEWER, EDITOR, PASSWORD = "victor", "claire", "pass-word-42"


def with_auth(config: Path) -> Path:
    """A copy of `config` with `[ui] auth_file = "users.yaml"` and one editor and one viewer in it."""
    from config.settings import load_settings
    from ui.auth import add_user

    auth_config = config.with_name("veille-auth.toml")
    auth_config.write_text(config.read_text(encoding="utf-8") + '\n[ui]\nauth_file = "users.yaml"\n',
                           encoding="utf-8")
    users = load_settings(auth_config).resolve("users.yaml")
    if not users.exists():
        add_user(users, EDITOR, PASSWORD, "editor")
        add_user(users, VIEWER, PASSWORD, "viewer")
    return auth_config


@pytest.fixture
def app_test(populated_store, monkeypatch):
    """A factory: app_test(page=None, auth=False, user=None) -> an AppTest that has run (on `page` if given).

    `user` signs a user of the auth file in directly (as the login form would); without auth the app is the
    local single-user editor.
    """
    path, _settings, _store = populated_store

    def make(page: str | None = None, *, auth: bool = False, user: str | None = None, lang: str | None = None):
        config = with_auth(path) if auth else path
        monkeypatch.setenv("VEILLE_CONFIG", str(config))
        return open_page(page, user=user, lang=lang)

    return make


def open_page(page: str | None = None, *, user: str | None = None, lang: str | None = None):
    """An AppTest of the app (its config from $VEILLE_CONFIG) that has run, then run on `page` if given; `user`
    signed in directly (as the login form would), `lang` the session's language."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    if user:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = user
    if lang:
        at.session_state["veille_lang"] = lang
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    return at
