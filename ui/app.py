"""The veille Streamlit app: sign-in, language, and one page per file under ui/pages/.

Started by `veille ui`, which passes the config path in $VEILLE_CONFIG.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts ui/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from config.errors import VeilleError  # noqa: E402
from ui import shell  # noqa: E402
from ui.auth import login_page, logout_button, signed_in  # noqa: E402
from ui.i18n import LANG_KEY, LANGUAGES, error_text, t  # noqa: E402
from ui.safe import md  # noqa: E402
from ui.services.context import make_user  # noqa: E402

PAGES = (  # (file, title key, icon, section key)
    ("views/digest.py", "nav.digest", ":material/newspaper:", "nav.section.review"),
    ("views/register.py", "nav.register", ":material/view_kanban:", "nav.section.review"),
    ("views/radar.py", "nav.radar", ":material/radar:", "nav.section.review"),
    ("views/trends.py", "nav.trends", ":material/trending_up:", "nav.section.review"),
    ("views/veille_log.py", "nav.log", ":material/fact_check:", "nav.section.review"),
    ("views/sources.py", "nav.sources", ":material/rss_feed:", "nav.section.manage"),
    ("views/profiles.py", "nav.profiles", ":material/groups:", "nav.section.manage"),
)

st.set_page_config(page_title="veille", page_icon=":material/radar:", layout="wide")

try:
    settings = shell.load_app_settings()
except VeilleError as exc:  # a bad config file: one line, as the CLI says it
    st.error(t("error.startup", error=error_text(exc, escape=md)), icon=":material/error:")
    st.stop()
if st.session_state.get(LANG_KEY) not in LANGUAGES:
    st.session_state[LANG_KEY] = settings.ui.language
shell.widget_texts(st.session_state[LANG_KEY])
shell.phone_layout()


def _language_switch(where) -> None:
    where.segmented_control(
        t("sidebar.language"), LANGUAGES, key=LANG_KEY, format_func=lambda code: code.upper(),
        selection_mode="single", required=True,
    )


def _sign_in() -> None:
    _language_switch(st.sidebar)
    login_page(settings)


try:
    account = signed_in(settings)
except VeilleError as exc:  # a malformed users file or a too short cookie key: one line, as `veille ui` says
    st.error(t("error.startup", error=error_text(exc, escape=md)), icon=":material/error:")
    st.stop()
if account is None:
    # only the sign-in form runs until the user is known: no other page is reachable. A link to a page (an
    # email's /register?tool=NAME) shows the form at that address, not "Page not found", and opens its page,
    # with its query, once signed in
    gates = [st.Page(_sign_in, title=t("login.title"), icon=":material/login:", default=True)]
    gates += [st.Page(_sign_in, title=t("login.title"), icon=":material/login:", url_path=Path(file).stem)
              for file, *_ in PAGES]
    st.navigation(gates, position="hidden").run()
    st.stop()

try:
    store = shell.session_store(settings)
except VeilleError as exc:  # the database path cannot be opened
    st.error(t("error.startup", error=error_text(exc, escape=md)), icon=":material/error:")
    st.stop()
ctx = shell.install_context(settings, store, make_user(account.name, account.role))

sections: dict[str, list] = {}
for file, title_key, icon, section_key in PAGES:
    sections.setdefault(t(section_key), []).append(
        st.Page(file, title=t(title_key), icon=icon, default=file.endswith("digest.py"))
    )
page = st.navigation(sections, position="sidebar", expanded=True)

with st.sidebar:
    _language_switch(st)
    if settings.ui.auth_file:
        st.caption(t("sidebar.user", name=md(account.name), role=t(f"role.{account.role}")))
        logout_button(settings, t("sidebar.logout"))
    else:
        st.caption(t("sidebar.local"))

try:
    page.run()
except Exception as exc:  # st.stop/st.rerun are BaseExceptions and pass through
    shell.unexpected(exc)
