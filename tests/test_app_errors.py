"""The app never shows a traceback: a bug in a page or an action is one readable line (details in the server
log), a bad config or database path is one line naming it, and `veille ui` turns Streamlit's error details off."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import write_config
from tests.plugins.app_ui import APP
from ui.i18n import STRINGS

UNEXPECTED_EN, UNEXPECTED_FR = STRINGS["error.unexpected"]
SECRET = "internal detail /srv/secret-path line 42"


def plain(markdown: str) -> str:
    """The text of an escaped Markdown line (the app escapes echoed input)."""
    return markdown.replace("\u2060", "").replace("\\", "")


def shown_text(at) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "markdown", "caption", "code", "text")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize(("lang", "message"), [("en", UNEXPECTED_EN), ("fr", UNEXPECTED_FR)])
def test_a_bug_in_a_page_is_one_line_without_traceback(app_test, monkeypatch, caplog, lang, message):
    from ui.services import radar

    def broken(*_args, **_kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(radar, "radar_entries", broken)
    with caplog.at_level(logging.ERROR, logger="veille.ui"):
        at = app_test("radar", lang=lang)
    assert not at.exception, [e.value for e in at.exception]  # Streamlit's own exception box never shows
    assert [e.value for e in at.error] == [message]
    assert SECRET not in shown_text(at) and "Traceback" not in shown_text(at)
    assert any(SECRET in (r.exc_text or "") or (r.exc_info and SECRET in str(r.exc_info[1]))
               for r in caplog.records)  # the details are in the server log
    assert len(at.sidebar.segmented_control) == 1  # the rest of the app (navigation, language) still works


def _act_app():
    import streamlit as st

    from ui import shell

    if st.button("go"):
        result = shell.act(lambda: {}["missing"])  # a bug inside an action
        st.write(f"result={result}")


def test_a_bug_in_an_action_is_one_line(caplog):
    at = AppTest.from_function(_act_app, default_timeout=30).run()
    with caplog.at_level(logging.ERROR, logger="veille.ui"):
        at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [UNEXPECTED_EN]
    assert "result=None" in shown_text(at)  # the page went on
    assert any(r.exc_info and isinstance(r.exc_info[1], KeyError) for r in caplog.records)


def _startup(monkeypatch, config) -> AppTest:
    monkeypatch.setenv("VEILLE_CONFIG", str(config))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_a_bad_config_is_one_line_in_the_app(tmp_path, monkeypatch):
    config = write_config(tmp_path, '[database]\npath = "veille.db"\n[crawler]\ntimeout_seconds = nan\n')
    at = _startup(monkeypatch, config)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    line = plain(at.error[0].value)
    assert "crawler.timeout_seconds: expected a finite number, got nan" in line and "\n" not in line


@pytest.mark.parametrize("kind", ["folder", "not sqlite"])
def test_a_database_path_that_cannot_be_opened_is_one_line_in_the_app(tmp_path, monkeypatch, kind):
    target = tmp_path / "db"
    if kind == "folder":
        target.mkdir()
    else:
        target.write_text("not a database\n" * 50, encoding="utf-8")
    config = write_config(tmp_path, f'[database]\npath = "{target}"\n')
    at = _startup(monkeypatch, config)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "cannot open database" in plain(at.error[0].value)


def test_veille_ui_turns_streamlit_error_details_off():
    from veille.cli.app import streamlit_command

    args = streamlit_command("127.0.0.1", 8600)
    i = args.index("--client.showErrorDetails")
    # "none": generic message only; the deprecated "false" still shows a stack trace
    assert args[i + 1] == "none"
    from streamlit.config import ShowErrorDetailsConfigOptions

    assert ShowErrorDetailsConfigOptions(args[i + 1]) is ShowErrorDetailsConfigOptions.NONE  # valid in this version
