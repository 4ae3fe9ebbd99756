"""`Veille`: the product in one object, over the packages below (crawl, score, stories, decide, digests).

In the spirit of reader's `make_reader`: callers (the CLI, the scheduler's jobs, scripts) hold one facade
with the settings loaded once and the store opened once, and never reach into the packages' internals.

    with make_veille("config/veille.toml") as v:
        v.crawl()
        v.score()
        page = v.stories(DigestFilter(profile="frontline"))
"""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings, load_settings
from ui.services.context import ServiceContext, cli_user
from ui.services.records import DigestFilter, StoryPage, ToolCard
from watcher.db import Store, open_store


class Veille:
    def __init__(self, settings: Settings, store: Store, *, user: str | None = None) -> None:
        self.settings = settings
        self.store = store
        self._ctx = ServiceContext(settings=settings, store=store, user=cli_user(user))

    # --- the pipeline -----------------------------------------------------------------------------------------
    def crawl(self, *, all_feeds: bool = False, progress=None, trigger: str = "cli"):
        """Fetch due feeds (every enabled one with `all_feeds`); returns the CrawlSummary."""
        from watcher.crawler import crawl

        return crawl(self.settings, self.store, all_feeds=all_feeds, progress=progress, trigger=trigger)

    def score(self, *, rescore: bool = False, progress=None):
        """Embed what is new, score every profile, assign topics and story clusters; returns the ScoreSummary."""
        from scoring.pipeline import score

        return score(self.settings, self.store, rescore=rescore, progress=progress)

    def feedback(self, article_id: str, profile: str, relevant: bool | None) -> None:
        """Judge an article for a profile (`None` withdraws the judgement); that profile re-ranks at once."""
        from ui.services.stories import give_feedback

        give_feedback(self._ctx, article_id, profile, relevant)

    # --- the boards -------------------------------------------------------------------------------------------
    def stories(self, flt: DigestFilter | None = None) -> StoryPage:
        """One page of ranked story cards."""
        from ui.services.stories import list_stories

        return list_stories(self._ctx, flt or DigestFilter())

    def tools(self, status: str | None = None) -> list[ToolCard]:
        from ui.services.tools import list_tools

        return list_tools(self._ctx, status=status)

    def add_tool(self, name: str, *, note: str, kind: str = "tool") -> ToolCard:
        """A new register card (status `signal`), with why it was added."""
        from ui.services.tools import add_tool

        return add_tool(self._ctx, name, note=note, kind=kind)

    def decide(self, tool: str, status: str, rationale: str) -> ToolCard:
        """Move a register card to `status` with the DLM's rationale (kept in its history and the veille log)."""
        from ui.services.tools import set_status

        return set_status(self._ctx, tool, status, rationale)

    def send_digests(self, *, frequency: str | None = None, to: str | None = None, dry_run: bool = False):
        """Build and send the email summaries of the selected recipients; returns the DigestRunSummary."""
        from ui.digest.outbox import run_digests

        return run_digests(self.settings, self.store, frequency=frequency, to=to, dry_run=dry_run)

    # --- lifetime ---------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Veille:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_veille(config_path: Path | str | None = None, *, user: str | None = None) -> Veille:
    """Load the settings (default: $VEILLE_CONFIG, else config/veille.toml) and open their database."""
    settings = load_settings(config_path)
    return Veille(settings, open_store(settings.database_path), user=user)
