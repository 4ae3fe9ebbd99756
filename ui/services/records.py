"""Typed records the service layer hands to the Streamlit pages, the digest and the CLI.

Pages never see sqlite rows or dicts: every service function returns one of these dataclasses.
Dates are ISO 8601 strings (UTC) as stored; pages format them for the user's locale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from config.errors import Message
from scoring.records import Profile as ScoringProfile

ROLES = ("viewer", "editor")


@dataclass(frozen=True)
class User:
    name: str
    role: str = "viewer"  # 'viewer' | 'editor'

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


# --- digest -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRef:
    """One source of a story: the feed it came from and the article's own link."""

    article_id: str
    feed_id: int
    feed_title: str
    feed_url: str
    url: str | None
    title: str
    published: str


@dataclass(frozen=True)
class StoryCard:
    """One story (cluster of near-duplicate articles), shown through its best-ranked article."""

    cluster_id: str  # the article id when the article has no cluster
    article_id: str
    title: str
    url: str | None
    summary_html: str  # sanitized (nh3), safe to render
    published: str
    language: str
    topics: tuple[str, ...]
    score: float | None  # None when not scored yet
    why: str  # best-matching interest of the profile
    profile: str | None  # profile the score belongs to (the best one when no profile was chosen)
    sources: tuple[SourceRef, ...]
    read: bool = False
    saved: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DigestFilter:
    profile: str | None = None  # None = all profiles (a story ranks by its best profile score)
    topics: tuple[str, ...] = ()  # any of
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    languages: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    min_score: float | None = None
    unread_only: bool = False
    saved_only: bool = False
    query: str = ""  # full-text search (FTS5) on title and summary; words are AND-ed, `word*` is a prefix
    sort: str = "score"  # 'score' (scored articles only) | 'recent' (every article, newest first)
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class StoryPage:
    stories: tuple[StoryCard, ...]
    total: int  # stories matching; a lower bound when total_capped (counting stops ~10 pages ahead)
    page: int
    pages: int  # a lower bound when total_capped: show "page 2 of 10+"
    total_capped: bool = False  # True when more stories exist than were counted

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class FeedOption:
    id: int
    title: str
    url: str


@dataclass(frozen=True)
class TopicOption:
    key: str
    label: str
    quadrant: str


@dataclass(frozen=True)
class ProfileOption:
    key: str
    name: str


@dataclass(frozen=True)
class DigestOptions:
    """What the digest filters offer (cheap queries, independent of the number of articles)."""

    profiles: tuple[ProfileOption, ...]
    topics: tuple[TopicOption, ...]
    feeds: tuple[FeedOption, ...]
    languages: tuple[str, ...]


# --- register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    label_en: str
    label_fr: str
    guidance_en: str
    guidance_fr: str
    knockout: bool  # a 0 here blocks trial/adoption
    levels_en: tuple[str, ...] = ()  # what 0, 1, 2 and 3 mean for this criterion
    levels_fr: tuple[str, ...] = ()

    def level(self, score: int, language: str = "en") -> str:
        """What `score` (0..3) means for this criterion, in English or French."""
        levels = self.levels_fr if language == "fr" else self.levels_en
        return levels[score] if 0 <= score < len(levels) else ""


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    label: str
    score: int | None  # 0..3, None = not scored yet
    note: str = ""
    details: dict = field(default_factory=dict)  # e.g. {"ltem_level": 5, "vendor_claims_only": true}
    knockout: bool = False  # the criterion is a knock-out criterion
    updated_at: str | None = None
    updated_by: str = ""
    applies: bool = True  # False: marked "does not apply" to this tool (then score is None)


@dataclass(frozen=True)
class Scorecard:
    tool: str
    entries: tuple[CriterionScore, ...]
    total: int  # sum of scored criteria
    max_total: int  # 3 × number of scored criteria
    knocked_out: tuple[str, ...]  # criteria keys scored 0 that are knock-outs
    fit_prefill: dict[str, float] = field(default_factory=dict)  # profile -> mean score of linked evidence
    scored: int = 0  # criteria scored 0..3
    applicable: int = 0  # criteria that apply to this tool (all but those marked "does not apply")
    profile_names: dict[str, str] = field(default_factory=dict)  # profile key -> its name, for the fit rows

    @property
    def points_max(self) -> int:
        """3 × the criteria that apply: the same yardstick for every tool, scored or not yet."""
        return 3 * self.applicable

    @property
    def is_knocked_out(self) -> bool:
        return bool(self.knocked_out)


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    tool: str
    at: str
    by: str
    change: str  # 'created' | 'status' | 'score' | 'evidence' | 'edit' | 'import'
    from_status: str | None
    to_status: str | None
    rationale: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EvidenceRef:
    article_id: str
    title: str
    url: str | None
    feed_title: str
    published: str
    note: str
    added_at: str
    added_by: str


@dataclass(frozen=True)
class ToolCard:
    id: int
    name: str
    kind: str  # 'tool' | 'trend'
    description: str
    quadrant: str
    status: str
    created_at: str
    created_by: str
    updated_at: str
    last_rationale: str = ""
    evidence_count: int = 0
    score_total: int = 0
    score_max: int = 0
    knocked_out: tuple[str, ...] = ()
    criteria_scored: int = 0  # criteria scored 0..3
    criteria_applicable: int = 0  # criteria that apply (not marked "does not apply")

    @property
    def points_max(self) -> int:
        """3 × the criteria that apply: totals out of this compare across tools and lanes."""
        return 3 * self.criteria_applicable

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ToolDetail:
    card: ToolCard
    history: tuple[HistoryEntry, ...]
    scorecard: Scorecard
    evidence: tuple[EvidenceRef, ...]
    allowed_next: tuple[str, ...]  # statuses reachable from the current one

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Suggestion:
    """A recurring name in highly scored articles that is not in the register yet."""

    name: str
    articles: int  # distinct articles mentioning it
    mean_score: float
    article_ids: tuple[str, ...]  # a few examples
    quadrant: str = ""
    sources: int = 0  # distinct feeds whose articles name it
    example: str = ""  # the title of its best-scored article: why it was suggested, with the counts


# --- radar ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarEntry:
    name: str
    ring: str  # 'adopt' | 'trial' | 'assess' | 'hold' | 'rejected' (outside the radar)
    quadrant: str
    is_new: bool  # created since the chosen date
    moved: bool  # ring changed since the chosen date
    moved_from: str | None
    description: str
    kind: str = "tool"
    number: int = 0  # the register's id: the blip's number, the same whatever ring or quadrant the entry moves to

    def byor(self) -> dict:
        """The Build-Your-Own-Radar row."""
        return {"name": self.name, "ring": self.ring, "quadrant": self.quadrant,
                "isNew": "TRUE" if self.is_new else "FALSE", "description": self.description}


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[str, ...] = ()  # one line each: where and what (English, as the CLI prints them)
    problems: tuple[Message, ...] = ()  # the same lines as catalogue messages, for the page's language


# --- trends -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicWeek:
    week: str  # ISO week, e.g. '2026-W19'
    week_start: str  # Monday, 'YYYY-MM-DD'
    topic: str
    label: str
    articles: int
    partial: bool = False  # the current week, still in progress: not comparable with whole weeks
    days: int = 7  # days of the week counted so far (7 for a whole week)


@dataclass(frozen=True)
class RisingItem:
    key: str  # topic key or term
    label: str
    recent: int  # articles in the recent weeks
    before: int  # articles in the baseline weeks
    recent_per_week: float
    before_per_week: float
    ratio: float  # smoothed growth ratio (recent rate + 1) / (before rate + 1)


@dataclass(frozen=True)
class TrendWindows:
    """What "recent" and "before" mean for the rising topics and terms: whole weeks of the `[schedule]`
    timezone, the recent ones ending with the current (partial) week. Days are inclusive."""
    recent_weeks: int
    baseline_weeks: int
    recent_first: str  # YYYY-MM-DD, a Monday
    recent_last: str  # today
    before_first: str  # a Monday
    before_last: str  # the Sunday before recent_first
    current_week: str  # Monday of the current week
    current_days: int  # days of the current week so far, today included (1 on a Monday)


@dataclass(frozen=True)
class SourceVolume:
    feed_id: int
    title: str
    url: str
    articles: int
    last_published: str | None = None


# --- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRun:
    id: int
    job: str
    started: str
    finished: str | None
    status: str
    counts: dict
    error: str | None  # English, as stored
    error_message: Message | None = None  # the same as a catalogue message, when the error carried one


@dataclass(frozen=True)
class OpmlImportResult:
    added: int
    skipped: int
    errors: tuple[str, ...] = ()  # English, as the CLI prints them
    problems: tuple[Message, ...] = ()  # the same lines as catalogue messages, for the page's language


# --- profiles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile(ScoringProfile):
    """A learner profile as the boards show it: the effective profile (the config's record, scoring's `source`:
    'config' | 'override' (edited in the app) | 'app' (created in the app)) and who last edited it."""

    updated_at: str | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class SaveResult:
    profile: Profile
    rescored: bool  # False when the scoring package is not importable (scores refresh at the next `score`)
    message: str = ""


# --- veille log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionEntry:
    tool: str
    kind: str
    at: str
    by: str
    change: str
    from_status: str | None
    to_status: str | None
    rationale: str
    evidence: tuple[EvidenceRef, ...]
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DigestSent:
    recipient: str
    frequency: str
    sent_at: str
    stories: int
    subject: str


@dataclass(frozen=True)
class VeilleLog:
    date_from: date
    date_to: date  # inclusive
    generated_at: str
    generated_by: str
    decisions: tuple[DecisionEntry, ...]
    sources: tuple[SourceVolume, ...]  # every watched feed, with its volume in the period
    articles_collected: int
    articles_read: int
    articles_saved: int
    feedback_given: int
    digests: tuple[DigestSent, ...]
    register: tuple[ToolCard, ...]  # the register as it stands at generation time
    # scorecard changes, evidence links and edits: recorded in the period, never counted as decisions
    assessments: tuple[DecisionEntry, ...] = ()


@dataclass(frozen=True)
class LogCounts:
    """The veille log's figures: the screen, the printable report and the CSV all show these (one count)."""

    decisions: int  # register entries, status changes and imports
    assessments: int  # scorecard changes, evidence links, edits
    articles_collected: int
    articles_read: int
    articles_saved: int
    feedback_given: int
    digests_sent: int
    sources: int
