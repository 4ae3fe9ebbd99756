"""Typed records the watcher hands to the other packages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from config.errors import Message


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str = ""
    site: str = ""
    language: str = ""
    topics: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: str | None = None
    last_status: str = "new"
    http_status: int | None = None
    next_check: str | None = None
    error_count: int = 0
    last_error: str | None = None
    warning: str | None = None
    moved_to: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    added_at: str = ""
    kind: str = "unknown"  # config.settings.SOURCE_KINDS
    # last_error as a catalogue message, when its error had one (out of ==/hash: its values are a dict)
    last_error_message: Message | None = field(default=None, compare=False)

    @property
    def status(self) -> str:
        """What `feeds list` and the Sources page show: the last crawl outcome, or 'disabled'."""
        return "disabled" if self.disabled else self.last_status


@dataclass(frozen=True)
class FeedListing:
    """A feed with its crawl status and article count: `veille feeds list` and the Sources page."""

    id: int
    url: str
    title: str
    status: str  # last_status of the crawler ('new', 'ok', 'not_modified', 'error') or 'disabled'
    last_fetched: str | None
    last_error: str | None
    error_count: int
    articles: int
    next_check: str | None
    moved_to: str | None
    disabled: bool
    disabled_reason: str | None
    warning: str | None
    topics: list[str]
    language: str
    kind: str = "unknown"
    last_error_message: Message | None = None  # for the app (in its reader's language); not in `as_dict`

    def as_dict(self) -> dict:
        """The fields of `veille feeds list --json` (README): the English `last_error`, not its message."""
        data = asdict(self)
        del data["last_error_message"]
        return data


@dataclass(frozen=True)
class Article:
    id: str
    feed_id: int
    url: str | None
    title: str
    author: str
    published: str  # ISO 8601 UTC
    updated: str | None
    language: str
    content_html: str  # sanitized
    summary_text: str  # plain text
    content_hash: str
    first_seen: str
    cluster_id: str | None = None


@dataclass
class CrawlSummary:
    run_id: int | None = None
    feeds: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (feed url, one-line error)
    seconds: float = 0.0  # wall time of the crawl itself (process start-up excluded)
    interrupted: list[str] = field(default_factory=list)  # earlier runs found left running by a dead process

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "feeds": self.feeds, "ok": self.ok, "not_modified": self.not_modified,
            "failed": self.failed, "skipped": self.skipped, "new_articles": self.new_articles,
            "updated_articles": self.updated_articles, "seconds": self.seconds,
            "failures": [{"url": u, "error": e} for u, e in self.failures],
            "interrupted": list(self.interrupted),
        }

    def figures(self) -> dict:
        """The run's figures as `job_runs` keeps them: failures counted (their URLs and errors are on the feeds)."""
        figures = {k: v for k, v in self.as_dict().items() if k != "failures"}
        figures["failures"] = len(self.failures)
        return figures


@dataclass(frozen=True)
class ArticleText:
    """The text of one article as scoring sees it (watcher.store reads it for embedding, topics and gold sets)."""

    id: str
    title: str
    summary: str
    language: str
    content_hash: str
    published: str = ""
    url: str | None = None


@dataclass(frozen=True)
class RankedArticle:
    """One stored score of a profile with its article: a line of `veille profiles show KEY`."""

    article_id: str
    title: str
    url: str | None
    published: str
    score: float
    why: str
    judged: int | None = None  # 1 relevant, -1 irrelevant, None not judged

    def as_dict(self) -> dict:
        return asdict(self)
