"""What every page shares: the session's service context, page headers, actions, pagination.

`ui/app.py` builds the context once per run (settings, the session's store, the signed-in user);
pages fetch it with :func:`context` and call only the service layer through it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from config.errors import PermissionDenied, VeilleError
from ui.i18n import error_text, t, translate
from ui.safe import md
from ui.services.context import ServiceContext
from ui.services.records import User

CTX_KEY = "veille_ctx"
STORE_KEY = "veille_store"
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _settings(path: str, mtime: float):
    from config.settings import load_settings

    return load_settings(path)


def load_app_settings():
    """The settings of $VEILLE_CONFIG (set by `veille ui`), reloaded when the file changes."""
    from config.settings import CONFIG_ENV, default_config_path

    path = Path(os.environ.get(CONFIG_ENV) or default_config_path())
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _settings(str(path), mtime)


def session_store(settings):
    """One connection per browser session (reruns may run on different threads, hence no same-thread check)."""
    from watcher.db import open_store

    path = str(settings.database_path)
    held = st.session_state.get(STORE_KEY)
    if held is not None and held[0] == path:
        return held[1]
    store = open_store(path, check_same_thread=False)
    st.session_state[STORE_KEY] = (path, store)
    return store


def install_context(settings, store, user: User) -> ServiceContext:
    ctx = ServiceContext(settings=settings, store=store, user=user)
    st.session_state[CTX_KEY] = ctx
    return ctx


def context() -> ServiceContext:
    ctx = st.session_state.get(CTX_KEY)
    if ctx is None:  # a page opened before the entry point ran: should not happen with st.navigation
        st.error("veille: no session context; open the app from its home page.")
        st.stop()
    return ctx


ACTIONS_KEY = "veille-actions"  # a card's action row: st.container(key=f"{ACTIONS_KEY}_<card>")


def phone_layout() -> None:
    """On a phone (under 640 px) a card's actions are one row of icon buttons: their words are kept for screen
    readers (visually hidden, not removed), so the row no longer wraps into three."""
    row = f'[class*="st-key-{ACTIONS_KEY}_"]'
    hidden = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
    st.html("<style>@media (max-width: 640px) {"
            f"{row} button [data-testid=\"stMarkdownContainer\"] {{{hidden}}}"
            f"{row} button {{padding-left:0.6rem;padding-right:0.6rem;min-width:2.6rem;gap:0}}"
            f"{row} {{gap:0.4rem}}"
            "}</style>")


def widget_texts(lang: str) -> None:
    """Streamlit's own English (skip link, file uploader, 'Press Enter to apply') in the page's language.

    Streamlit has no translations: in French its text is hidden (visibility, so it is not read either) and the
    catalogue's French drawn in its place by CSS."""
    if lang == "en":
        return
    import json

    def swap(selector: str, key: str, size: str = "0.875rem") -> str:
        return (f"{selector}{{visibility:hidden;font-size:0}}"
                f"{selector}::after{{visibility:visible;font-size:{size};content:{json.dumps(translate(key, lang))}}}")

    hint = '[data-testid="InputInstructions"] > span:first-child'
    css = "".join([
        swap('a[data-testid="stSkipToContent"]', "widget.skip", "1rem"),
        swap('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p', "widget.upload"),
        swap('[data-testid="stFileUploaderDropzoneInstructions"] span', "widget.upload_limit", "0.75rem"),
        swap(hint, "widget.enter_apply", "0.75rem"),
        swap(f'[data-testid="stForm"] {hint}', "widget.enter_submit", "0.75rem"),
        swap(f'[data-testid="stTextArea"] {hint}', "widget.ctrl_enter_apply", "0.75rem"),
        swap(f'[data-testid="stForm"] [data-testid="stTextArea"] {hint}', "widget.ctrl_enter_submit", "0.75rem"),
    ])
    st.html(f"<style>{css}</style>")


def header(title_key: str, intro_key: str) -> None:
    st.title(t(title_key))
    st.caption(t(intro_key))


def readonly_notice(ctx: ServiceContext) -> None:
    if not ctx.user.is_editor:
        st.info(t("readonly"), icon=":material/visibility:")


def act(action: Callable[[], T], success: str | Callable[[T], str] | None = None) -> T | None:
    """Run a user action through the service layer: show success, or one clear line on failure."""
    try:
        result = action()
    except PermissionDenied:
        st.error(t("error.permission"))
        return None
    except VeilleError as exc:
        st.error(t("error.generic", error=error_text(exc, escape=md)))
        return None
    except Exception as exc:  # a bug, not the user's fault: one line here, the traceback in the server log
        unexpected(exc)
        return None
    if success:
        st.toast(success(result) if callable(success) else success, icon=":material/check_circle:")
    return result


def unexpected(exc: BaseException) -> None:
    """An exception nobody raised on purpose: the traceback goes to the server log, the user sees one line."""
    logging.getLogger("veille.ui").error("unexpected error in the app", exc_info=exc)
    st.error(t("error.unexpected"), icon=":material/error:")


def attempt(action: Callable[[], object]) -> bool:
    """Run a user action whose result does not matter: True when it succeeded (failure shown as one line)."""
    done = []
    act(lambda: done.append(action()))
    return bool(done)


def do(action: Callable[[], object], message: str | None = None) -> None:
    """Run a user action, then redraw the page; `message` shows once after the redraw."""
    if attempt(action):
        if message:
            flash(message)
        st.rerun()


def flash(message: str) -> None:
    """A message shown once after the next rerun (actions rerun to refresh what they changed).

    It is Markdown: values from feeds or users in it go through ui.safe.md (as for `act`'s success)."""
    st.session_state["veille_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("veille_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def pager(key: str, page: int, pages: int, total: int, capped: bool = False) -> None:
    """Previous / next buttons writing the page number into session state under `key`."""
    left, middle, right = st.columns([1, 3, 1], vertical_alignment="center")
    total_text = f"{total}+" if capped else str(total)
    middle.caption(t("page.of", page=page, pages=max(pages, 1), total=total_text))
    if left.button(t("page.prev"), key=f"{key}_prev", disabled=page <= 1, width="stretch"):
        st.session_state[key] = page - 1
        st.rerun()
    if right.button(t("page.next"), key=f"{key}_next", disabled=page >= pages, width="stretch"):
        st.session_state[key] = page + 1
        st.rerun()
