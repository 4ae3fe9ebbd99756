"""Choose what goes into each recipient's digest (read-only SQL).

A story is a cluster of near-duplicate articles (``articles.cluster_id``), or a single article when it
has no cluster. A recipient gets the stories first seen since their last digest, scored at or above
their ``min_score`` for one of their profiles, never a story they already received (``digest_stories``),
and not older than a freshness window so a first digest does not dig up last year's news.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import nh3

from config import clock
from config.errors import NotFoundError
from ui.digest.records import (
    Digest,
    DigestRecipient,
    DigestStory,
    ReviewDue,
    SignalCard,
    StorySource,
    ToolChange,
    TopicSection,
)
from ui.services.stories import story_members
from watcher.store import digests as digests_store
from watcher.store import tools as tools_store
from watcher.store import trials as trials_store

WINDOWS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
FRESHNESS = {"daily": timedelta(days=3), "weekly": timedelta(days=14)}
SUMMARY_CHARS = 280
MAX_SIGNALS = 8
OTHER_TOPIC = "other"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def plain(text: str | None, limit: int = 0) -> str:
    """Feed text as plain text: every tag stripped by nh3, entities decoded, whitespace folded."""
    cleaned = html.unescape(nh3.clean(text or "", tags=set(), clean_content_tags={"script", "style"}))
    cleaned = " ".join(cleaned.split())
    if limit and len(cleaned) > limit:
        cut = cleaned[:limit].rsplit(" ", 1)[0]
        cleaned = cut.rstrip(",;:.") + "…"
    return cleaned


def safe_url(url: str | None) -> str:
    """Only http(s) links leave the database for an email."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def app_link(base_url: str, page: str, **params: str) -> str:
    base = base_url.rstrip("/")
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    return f"{base}/{page}" + (f"?{query}" if query else "")


def recipients_from_settings(settings, *, to: str | None = None, profile: str | None = None,
                             frequency: str | None = None) -> list[DigestRecipient]:
    """The configured recipients narrowed by --to/--profile/--frequency; an unknown --to becomes ad hoc."""
    if profile and settings.profile(profile) is None:
        raise NotFoundError(f"profile {profile!r} is not defined in {settings.source or 'the config'}")
    chosen: list[DigestRecipient] = []
    for r in settings.email.recipients:
        rec = DigestRecipient(r.address.strip(), r.language, tuple(r.profiles), r.frequency, r.min_score,
                              r.max_stories)
        if to and rec.address.lower() != to.strip().lower():
            continue
        if frequency and rec.frequency != frequency:
            continue
        if profile:
            if rec.profiles and profile not in rec.profiles:
                continue
            rec = DigestRecipient(rec.address, rec.language, (profile,), rec.frequency, rec.min_score,
                                  rec.max_stories)
        chosen.append(rec)
    if to and not chosen and not any(r.address.strip().lower() == to.strip().lower()
                                     for r in settings.email.recipients):
        chosen.append(DigestRecipient(
            to.strip(), settings.ui.language, (profile,) if profile else (), frequency or "weekly"))
    return chosen


def last_period_end(store, address: str) -> str | None:
    """End of the last digest sent (or being sent) to this address."""
    return digests_store.last_period_end(store, address)


def _profiles(settings, recipient: DigestRecipient) -> dict[str, str]:
    keys = recipient.profiles or tuple(p.key for p in settings.profiles)
    out = {}
    for key in keys:
        p = settings.profile(key)
        out[key] = p.name if p else key
    return out


def select_digest(settings, store, recipient: DigestRecipient, *, now: datetime | None = None) -> Digest:
    """Build the digest content for one recipient; reads only."""
    now = now or clock.now()
    window = WINDOWS.get(recipient.frequency, WINDOWS["weekly"])
    end = iso(now)
    start = last_period_end(store, recipient.address) or iso(now - window)
    fresh_cut = iso(now - FRESHNESS.get(recipient.frequency, FRESHNESS["weekly"]))
    profiles = _profiles(settings, recipient)
    base_url = settings.ui.base_url
    stories = _stories(store, recipient, profiles, start, end, fresh_cut, base_url)
    sections = _group_by_topic(settings, recipient.language, stories)
    return Digest(
        recipient=recipient,
        period_start=start,
        period_end=end,
        sections=sections,
        tool_changes=_tool_changes(store, start, end, base_url),
        reviews_due=_reviews_due(store, now, settings.schedule.timezone, base_url),
        signals=_signals(store, base_url),
        articles_watched=digests_store.articles_seen(store, start, end),
        sources=digests_store.enabled_feeds(store),
        base_url=base_url,
        profile_names=tuple(profiles.values()),
        signals_total=tools_store.count_with_status(store, "signal"),
    )


def _stories(store, recipient, profiles, start, end, fresh_cut, base_url) -> list[DigestStory]:
    if not profiles:
        return []
    rows = digests_store.candidates(store, recipient.address, list(profiles), first_seen_from=start,
                                    first_seen_to=end, published_from=fresh_cut, min_score=recipient.min_score)
    best: dict[str, digests_store.Candidate] = {}
    face: dict[str, digests_store.Candidate] = {}
    for row in rows:  # first row per story is its best (score-ordered)
        best.setdefault(row.story_id, row)
        if row.language[:2].lower() == recipient.language:  # its best telling in the reader's language
            face.setdefault(row.story_id, row)
    top = list(best.values())[: max(recipient.max_stories, 0)]
    stories = []
    for row in top:
        # one entry per story, ranked and explained by its best score, told through the reader's language when
        # one of its articles is in it (an English reader of a story also told in French reads the English one)
        shown = face.get(row.story_id, row)
        stories.append(DigestStory(
            story_id=row.story_id,
            title=plain(shown.title, 200) or "(untitled)",
            url=safe_url(shown.url),
            app_url=app_link(base_url, "", story=row.story_id),
            published=shown.published,
            summary=plain(shown.summary_text, SUMMARY_CHARS),
            score=float(row.score),
            profile_key=row.profile_key,
            profile_name=profiles.get(row.profile_key, row.profile_key),
            why=_why(row.why),
            topic_key=_topic_of(store, shown.article_id),
            sources=_sources(store, row.story_id, shown.article_id),
        ))
    return stories


def _why(raw: str | None) -> str:
    """`scores.why` is free text or JSON; keep one short readable line."""
    raw = (raw or "").strip()
    if raw.startswith(("{", "[")):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, dict):
            parts = [str(v) for k, v in data.items() if isinstance(v, str | int | float) and k != "score"]
            raw = "; ".join(parts) or raw
        elif isinstance(data, list):
            raw = "; ".join(str(x) for x in data)
    return plain(raw, 160)


def _topic_of(store, article_id: str) -> str:
    return digests_store.main_topic(store, article_id) or OTHER_TOPIC


def _sources(store, story_id: str, lead_id: str) -> tuple[StorySource, ...]:
    """The outlets of a story: the lead article's feeds first, then its cluster mates' (the boards' query)."""
    members = story_members(store, {lead_id: story_id}).get(story_id, [])
    rows = sorted(members, key=lambda m: m.id != lead_id)  # stable: mates stay oldest first
    seen: set[str] = set()
    out = []
    for r in rows:
        name = plain(r.feed_title, 80) or urlsplit(r.feed_site or r.feed_url).hostname or "?"
        if name in seen:
            continue
        seen.add(name)
        out.append(StorySource(name, safe_url(r.url)))
    return tuple(out)


def topic_label(settings, key: str, language: str) -> str:
    """The topic's name as the app shows it (ui.i18n: one French vocabulary for the app and the email)."""
    from ui.i18n import topic_label as label_of

    topic = next((t for t in settings.topics if t.key == key), None)
    return label_of(key, topic.label if topic else "", language)


def _group_by_topic(settings, language: str, stories: list[DigestStory]) -> tuple[TopicSection, ...]:
    groups: dict[str, list[DigestStory]] = defaultdict(list)
    for s in stories:  # stories arrive best first, so sections are ordered by their best story
        groups[s.topic_key].append(s)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == OTHER_TOPIC, -kv[1][0].score))
    return tuple(TopicSection(k, topic_label(settings, k, language), tuple(v)) for k, v in ordered)


def _tool_changes(store, start: str, end: str, base_url: str) -> tuple[ToolChange, ...]:
    return tuple(ToolChange(
        tool=plain(r.tool, 80), at=r.at, by=plain(r.by, 60), change=r.change,
        from_status=r.from_status, to_status=r.to_status, rationale=plain(r.rationale, 300),
        app_url=app_link(base_url, "register", tool=r.tool),
    ) for r in tools_store.status_changes(store, start, end))


def _reviews_due(store, now: datetime, zone: str, base_url: str) -> tuple[ReviewDue, ...]:
    """Open trials whose review date has come by `now` (a day in the configured zone)."""
    today = now.astimezone(clock.zone(zone)).date().isoformat()
    return tuple(ReviewDue(plain(r.tool, 80), r.review_on, plain(r.owner, 60), plain(r.kpi, 200),
                           app_link(base_url, "register", tool=r.tool))
                 for r in trials_store.open_trials(store) if r.review_on <= today)


def _signals(store, base_url: str) -> tuple[SignalCard, ...]:
    return tuple(SignalCard(plain(name, 80), created_at, app_link(base_url, "register", tool=name))
                 for name, created_at in tools_store.newest_with_status(store, "signal", MAX_SIGNALS))
