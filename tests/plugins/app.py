"""Fixtures: app. A populated database for the service layer and the Streamlit pages.

`populated_store` -> (settings_path, settings, store): 3 learner profiles (config), 6 feeds, 200 articles over
the last 20 weeks with story clusters, profile scores, topics, some read/saved state, and the demo register
(8+ tools with history, scorecards and evidence), built by bench/corpus.py (no crawl, no model).
"""

from __future__ import annotations

import pytest

from bench.corpus import PROFILES_TOML, build_corpus


def editor_ctx(settings, store, name: str = "Claire (DLM)"):
    from ui.services.context import ServiceContext, make_user

    return ServiceContext(settings=settings, store=store, user=make_user(name, "editor"))


def viewer_ctx(settings, store, name: str = "Victor (viewer)"):
    from ui.services.context import ServiceContext, make_user

    return ServiceContext(settings=settings, store=store, user=make_user(name, "viewer"))


@pytest.fixture
def populated_store(tmp_config):
    """(settings_path, settings, store) with feeds, 200 articles (scores, topics, clusters) and the demo register."""
    from ui.services.demo_tools import seed_demo_tools
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES_TOML)
    store = open_store(settings.database_path)
    build_corpus(store, 200)
    seed_demo_tools(editor_ctx(settings, store))
    yield path, settings, store
    store.close()
