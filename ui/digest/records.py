"""Typed records of a digest, from selection to delivery."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DigestRecipient:
    """One person receiving digests (from `[[email.recipients]]`, or an ad-hoc `--to`)."""

    address: str
    language: str = "en"
    profiles: tuple[str, ...] = ()
    frequency: str = "weekly"
    min_score: float = 0.5
    max_stories: int = 12


@dataclass(frozen=True)
class StorySource:
    name: str  # feed title (or host)
    url: str  # article link (http/https only, else "")


@dataclass(frozen=True)
class DigestStory:
    story_id: str  # cluster id, or the article id of a story told by one article
    title: str
    url: str
    app_url: str
    published: str  # ISO 8601 UTC of the lead article
    summary: str  # plain text, already stripped of markup, short
    score: float
    profile_key: str  # the recipient profile it matched best
    profile_name: str
    why: str
    topic_key: str
    sources: tuple[StorySource, ...] = ()


@dataclass(frozen=True)
class TopicSection:
    key: str
    label: str
    stories: tuple[DigestStory, ...]


@dataclass(frozen=True)
class ToolChange:
    tool: str
    at: str
    by: str
    change: str
    from_status: str | None
    to_status: str | None
    rationale: str
    app_url: str


@dataclass(frozen=True)
class SignalCard:
    tool: str
    since: str
    app_url: str


@dataclass(frozen=True)
class ReviewDue:
    """A trial whose review date has come by the end of the period."""

    tool: str
    review_on: str  # YYYY-MM-DD
    owner: str
    kpi: str
    app_url: str


@dataclass(frozen=True)
class Digest:
    recipient: DigestRecipient
    period_start: str  # ISO 8601 UTC, exclusive lower bound
    period_end: str  # ISO 8601 UTC
    sections: tuple[TopicSection, ...]
    tool_changes: tuple[ToolChange, ...]
    signals: tuple[SignalCard, ...]
    articles_watched: int  # articles first seen in the period
    sources: int  # active feeds
    base_url: str
    profile_names: tuple[str, ...] = ()
    signals_total: int = 0
    reviews_due: tuple[ReviewDue, ...] = ()

    @property
    def story_ids(self) -> list[str]:
        return [s.story_id for sec in self.sections for s in sec.stories]

    @property
    def story_count(self) -> int:
        return len(self.story_ids)

    @property
    def is_empty(self) -> bool:
        """Nothing new worth an email (signals awaiting review alone do not make one; a trial review due does)."""
        return not self.story_ids and not self.tool_changes and not self.reviews_due


@dataclass
class SendResult:
    recipient: str
    status: str  # sent | failed | skipped | dry-run | resumed
    message_id: str = ""
    stories: int = 0
    error: str = ""
    path: str = ""  # .eml file for dry runs

    def as_dict(self) -> dict:
        return {
            "recipient": self.recipient, "status": self.status, "message_id": self.message_id,
            "stories": self.stories, "error": self.error, "path": self.path,
        }


@dataclass
class DigestRunSummary:
    results: list[SendResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def as_dict(self) -> dict:
        return {
            "sent": self.count("sent") + self.count("resumed"), "failed": self.count("failed"),
            "skipped": self.count("skipped"), "dry_run": self.count("dry-run"),
            "results": [r.as_dict() for r in self.results],
        }
