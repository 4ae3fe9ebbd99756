"""Serve a generated HTML page (the veille log's printable report) as a page of its own, opened in a new tab.

Streamlit's media store serves what a session registers at an unguessable URL (``/media/<hash>.html``) for as long
as the session shows it. Registered as media, not as a download, the page comes back as ``text/html`` with no
``Content-Disposition: attachment``: the browser opens it, ready to print, instead of saving a file. The page is
built by us (every value escaped, no script) and carries its own Content-Security-Policy.
"""

from __future__ import annotations

import streamlit as st
from streamlit import runtime


def html_page(html: str, key: str) -> str:
    """The URL of `html` served as a page for this session; `key` names the spot on the page it belongs to."""
    url = runtime.get_instance().media_file_mgr.add(html.encode("utf-8"), "text/html", key)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{url}" if base and url.startswith("/") else url
