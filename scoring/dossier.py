"""The evidence dossier of a card, from the articles that name it: which of them are really about it, a weekly
timeline of mentions with the critical and promotional share, and a suggested hype stage with its reason.

Pure functions over typed records: the store reads and the permissions are in ui.services.dossier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from scoring.stance import Evidence, fold

STAGES = ("trigger", "peak", "trough", "slope", "plateau", "unknown")
MIN_MENTIONS = 4  # fewer articles than this say nothing about a stage
# Words of learning and training in English and French: an article naming the card without one of them, nor a
# word of the card's description or of a topic, uses the name for something else (a racehorse, a restaurant).
DOMAIN = frozenset(fold("""training learning learner learners course courses module modules lesson lessons
tutor tutoring coaching onboarding upskilling reskilling skills employees staff workforce l&d lms lxp elearning
e-learning microlearning quiz simulation classroom teacher instructor pedagogy curriculum edtech platform app
formation formations apprentissage apprenant apprenants apprenantes cours tuteur tutorat competences salaries
collaborateurs pedagogie pedagogique plateforme application stagiaires enseignement""").split())


@dataclass(frozen=True)
class DossierArticle:
    id: str
    url: str | None
    title: str
    published: str  # ISO instant
    language: str
    source_kind: str
    feed_title: str
    stance: str
    cues: tuple[str, ...]  # the phrases that decided the stance
    corrected: bool  # the stance is the DLM's correction
    claims: tuple[str, ...]
    vendor_claims: bool  # the claims come from a vendor
    evidence: Evidence | None
    learned: float | None = None  # the learned reading's probability when it decided the stance (stance_model)


@dataclass(frozen=True)
class Week:
    week: str  # ISO "YYYY-Www" in the configured zone
    mentions: int
    critical: int
    promotional: int


@dataclass(frozen=True)
class Stage:
    stage: str  # one of STAGES
    reason: str  # in English (REASONS); ui has the other languages' templates, keyed by `case`
    case: str = ""
    facts: tuple[tuple[str, float], ...] = ()  # the figures the reason quotes


REASONS = {
    "few": "{total:.0f} articles: too few to tell",
    "first": "first mentions, mostly promotional ({promo:.0%})",
    "highest": "mentions at their highest, {promo:.0%} promotional",
    "steady": "steady mentions, {neutral:.0%} neutral",
    "turned": "after a peak {promo:.0%} promotional, fewer mentions and a rising critical share "
              "({crit_before:.0%} → {crit:.0%})",
    "settle": "after the peak, mentions settle and turn neutral ({promo:.0%} promotional, {crit:.0%} critical)",
    "fewer": "fewer mentions after the peak, {crit:.0%} critical",
}


def _stage(stage_name: str, case: str, **facts: float) -> Stage:
    return Stage(stage_name, REASONS[case].format(**facts), case, tuple(sorted(facts.items())))


def names_pattern(names: Sequence[str]) -> re.Pattern:
    """Whole-word, case- and accent-insensitive match of any of `names` on folded text."""
    parts = sorted({fold(n).strip() for n in names if n.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in parts) + r")(?!\w)")


_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)'")
PREFIX = 6  # letters a word shares with a context word to count as the same word ("mainteneur", "maintenance")


def words(text: str) -> set[str]:
    """Folded words, French elisions dropped ("d'apprentissage" is "apprentissage")."""
    return {_ELISION.sub("", w) for w in re.findall(r"[\w&'-]+", fold(text))}


def about(title: str, summary: str, names: re.Pattern, context: Iterable[str]) -> bool:
    """The article names the card (a whole word) and speaks of learning or of the card's field (DOMAIN, the card's
    description, the topics' keywords; a word of 6 letters or more counts when its first 6 letters are a context
    word's, so a French article matches an English description: "mainteneur", "maintenance"; not for words holding
    the card's names). "Tutorix" the AI tutor, not "Tutoria" nor "Tutorix, winner of the 3.15 at Chantilly"."""
    text = f"{title} {summary}"
    if not names.search(fold(text)):
        return False
    found = words(text)
    if found & DOMAIN or found & set(context):
        return True
    stems = {w[:PREFIX] for w in context if len(w) >= PREFIX and not names.search(w)}
    return any(w[:PREFIX] in stems for w in found if len(w) >= PREFIX and not names.search(w))


def context_words(description: str, topic_keywords: Iterable[str]) -> set[str]:
    """Content words of the card's description and the topics' keywords (5 letters or more)."""
    out = {w for w in words(description) if len(w) >= 5}
    for keyword in topic_keywords:
        out |= {w for w in words(keyword) if len(w) >= 5}
    return out


def iso_week(instant: datetime, zone: tzinfo) -> str:
    year, week, _ = instant.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def timeline(articles: Sequence[tuple[datetime, str]], zone: tzinfo, until: datetime) -> list[Week]:
    """Mentions per ISO week (every week from the first mention to `until`, empty weeks included), with how many
    were critical and promotional. `articles`: (published, stance)."""
    if not articles:
        return []
    counts: dict[str, list[int]] = {}
    for published, stance in articles:
        c = counts.setdefault(iso_week(published, zone), [0, 0, 0])
        c[0] += 1
        c[1] += stance == "critical"
        c[2] += stance == "promotional"
    first = min(p for p, _ in articles).astimezone(zone)
    start = (first - timedelta(days=first.weekday())).replace(hour=12, minute=0, second=0, microsecond=0)
    end = max(until, max(p for p, _ in articles)).astimezone(zone)
    out, day = [], start
    while day <= end + timedelta(days=6 - end.weekday()):
        key = iso_week(day, zone)
        c = counts.get(key, [0, 0, 0])
        out.append(Week(key, *c))
        day += timedelta(days=7)
    return out


def _share(weeks: Sequence[Week], attr: str) -> float:
    n = sum(w.mentions for w in weeks)
    return sum(getattr(w, attr) for w in weeks) / n if n else 0.0


def stage(weeks: Sequence[Week], window: int = 4) -> Stage:
    """A suggested hype stage from the timeline, with the reason. The peak is the busiest `window` weeks; the
    busy period around it lasts while a `window`'s mentions stay at two thirds of the peak's or more, and what
    comes after it is compared with the peak: fewer mentions with a critical share that rose (by 15 points, to
    30% or more, from two critical articles) is a trough; fewer mentions without it a slope."""
    total = sum(w.mentions for w in weeks)
    if total < MIN_MENTIONS:
        return _stage("unknown", "few", total=total)
    sums = [sum(w.mentions for w in weeks[i:i + window]) for i in range(max(1, len(weeks) - window + 1))]
    top = max(range(len(sums)), key=lambda i: (sums[i], i))
    end = top
    while end + 1 < len(sums) and sums[end + 1] * 3 >= sums[top] * 2:
        end += 1
    peak, busy = weeks[top:top + window], weeks[top:end + window]
    before, after = weeks[:top], weeks[end + window:]
    recent = weeks[-window * 2:]
    peak_rate = sums[top] / window
    recent_rate = sum(w.mentions for w in recent) / max(1, len(recent))
    promo_peak, crit_peak = _share(peak, "promotional"), _share(peak, "critical")
    crit_busy = _share(busy, "critical")
    crit_after, promo_after = _share(after, "critical"), _share(after, "promotional")
    if not after or sum(w.mentions for w in after) < 2:  # the busiest weeks are the latest
        if sum(w.mentions for w in before) < sums[top] / 2 and promo_peak >= 0.5:
            if total < 2 * MIN_MENTIONS or top == 0:
                return _stage("trigger", "first", promo=promo_peak)
            return _stage("peak", "highest", promo=promo_peak)
        if promo_peak >= 0.5:
            return _stage("peak", "highest", promo=promo_peak)
        return _stage("plateau", "steady", neutral=1 - promo_peak - crit_peak)
    falling = recent_rate < 0.6 * peak_rate
    turned = crit_after >= crit_busy + 0.15 and crit_after >= 0.3 and sum(w.critical for w in after) >= 2
    if falling and turned:
        return _stage("trough", "turned", promo=promo_peak, crit_before=crit_busy, crit=crit_after)
    if falling and promo_after < promo_peak and crit_after < 0.3:
        return _stage("slope", "settle", promo=promo_after, crit=crit_after)
    if not falling and promo_peak < 0.5:
        return _stage("plateau", "steady", neutral=1 - promo_peak - crit_peak)
    if falling:
        return _stage("slope", "fewer", crit=crit_after)
    return _stage("peak", "highest", promo=promo_peak)
