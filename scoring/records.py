"""Typed records the scoring package hands to the CLI, the UI and the crawler's `update`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from config.settings import ProfileSettings
from watcher.records import ArticleText, RankedArticle

__all__ = ["ArticleText", "EvalRow", "Feedback", "Profile", "RankedArticle", "ScoreSummary"]


@dataclass
class ScoreSummary:
    """What one `score()` run did (returned to `veille score` and `veille update`)."""

    embedded: int = 0
    scored: int = 0
    topics: int = 0
    clusters: int = 0
    model: str = ""
    rescored_profiles: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Profile(ProfileSettings):
    """An effective learner profile: the config's record (config.settings.ProfileSettings: key, name,
    description, interests, avoid), overridden by a `profile_overrides` row if present, and where it came from."""

    source: str = "config"  # config | override

    def as_dict(self) -> dict:
        d = asdict(self)
        d["interests"] = list(self.interests)
        d["avoid"] = list(self.avoid)
        return d


@dataclass(frozen=True)
class Feedback:
    article_id: str
    profile_key: str
    label: int  # 1 relevant, -1 irrelevant
    user: str = ""


@dataclass(frozen=True)
class EvalRow:
    """nDCG@10 and P@10 of one system on one profile of a gold set."""

    system: str
    profile: str
    ndcg10: float
    p10: float

    def as_dict(self) -> dict:
        return asdict(self)
