"""Render a :class:`Digest` as an HTML email (inlined CSS, table layout) and a plain-text twin.

Both come from Jinja2 templates fed with the same view model; the HTML environment autoescapes
everything, and every piece of feed text was already reduced to plain text by nh3 in `select`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2

from ui.digest.records import Digest
from ui.digest.strings import MONTHS, STATUS_COLOURS, STRINGS
from ui.i18n import format_score, french_typography, why_label
from ui.services.statuses import label as status_label

FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=2)
def _env(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ui.digest", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _local(iso_value: str, tz: ZoneInfo) -> datetime | None:
    try:
        dt = datetime.fromisoformat(iso_value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo("UTC"))
    return dt.astimezone(tz)


def format_date(iso_value: str, lang: str, tz: ZoneInfo, *, year: bool = True) -> str:
    dt = _local(iso_value, tz)
    if dt is None:
        return ""
    text = f"{dt.day} {MONTHS[lang][dt.month - 1]}"
    return f"{text} {dt.year}" if year else text


def format_period(start: str, end: str, lang: str, tz: ZoneInfo) -> str:
    a, b = _local(start, tz), _local(end, tz)
    if a is None or b is None:
        return ""
    if a.date() == b.date():
        return format_date(end, lang, tz)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{format_date(end, lang, tz)}"
    return f"{format_date(start, lang, tz, year=a.year != b.year)} – {format_date(end, lang, tz)}"


def _badge(score: float) -> tuple[str, str]:
    if score >= 0.75:
        return "#dcfce7", "#166534"
    if score >= 0.6:
        return "#e0f2f1", "#0f5f66"
    return "#eef2f7", "#475569"


def words(lang: str) -> dict[str, str]:
    """The email's wording in `lang`; French with French typography (no-break space before ':' ';' '!' '?')."""
    if lang == "fr":
        return {key: french_typography(text) for key, text in STRINGS["fr"].items()}
    return STRINGS["en"]


def subject_for(digest: Digest, tz: ZoneInfo) -> str:
    lang = digest.recipient.language if digest.recipient.language in STRINGS else "en"
    t = words(lang)
    period = format_period(digest.period_start, digest.period_end, lang, tz)
    if not digest.story_count:
        return t["subject_tools"].format(period=period)
    key = "subject_daily" if digest.recipient.frequency == "daily" else "subject_weekly"
    return t[key].format(n=digest.story_count, period=period)


def render_digest(digest: Digest, *, timezone: str = "Europe/Paris") -> RenderedDigest:
    tz = ZoneInfo(timezone)
    lang = digest.recipient.language if digest.recipient.language in STRINGS else "en"
    t = words(lang)
    sections = []
    for sec in digest.sections:
        stories = []
        for s in sec.stories:
            bg, fg = _badge(s.score)
            stories.append({
                "title": s.title, "url": s.url, "app_url": s.app_url, "summary": s.summary,
                "why": why_label(s.why, lang),
                "percent": format_score(s.score, lang), "profile_name": s.profile_name,
                "date": format_date(s.published, lang, tz), "sources": s.sources, "badge_bg": bg, "badge_fg": fg,
            })
        sections.append({"label": sec.label, "stories": stories})
    changes = [{
        "tool": c.tool, "app_url": c.app_url, "rationale": c.rationale, "by": c.by or "?",
        "date": format_date(c.at, lang, tz),
        "from_label": status_label(c.from_status, lang),
        "to_label": status_label(c.to_status, lang),
        "from_colour": STATUS_COLOURS.get(c.from_status or "", "#6b7280"),
        "to_colour": STATUS_COLOURS.get(c.to_status or "", "#6b7280"),
    } for c in digest.tool_changes]
    subject = subject_for(digest, tz)
    context = {
        "lang": lang, "t": t, "font": FONT, "subject": subject,
        "title": t["title_daily" if digest.recipient.frequency == "daily" else "title_weekly"],
        "period": format_period(digest.period_start, digest.period_end, lang, tz),
        "volumes": t["volumes"].format(articles=digest.articles_watched, sources=digest.sources,
                                       stories=digest.story_count),
        "for_profiles": t["for_profiles"].format(profiles=", ".join(digest.profile_names) or "-"),
        "preheader": t["preheader"].format(stories=digest.story_count, tools=len(digest.tool_changes)),
        "sections": sections, "tool_changes": changes, "signals": digest.signals,
        "reviews": [{"tool": r.tool, "app_url": r.app_url,
                     "line": t["review_line"].format(day=r.review_on, owner=r.owner, kpi=r.kpi)}
                    for r in digest.reviews_due],
        "signals_more": t["signals_one"] if digest.signals_total == 1 else t["signals_more"].format(
            n=digest.signals_total),
        "review_url": digest.base_url.rstrip("/") + "/",
        "base_url": digest.base_url.rstrip("/") + "/",
        "footer": t["footer"].format(address=digest.recipient.address),
    }
    html = _env(True).get_template("digest.html").render(context)
    text = _env(False).get_template("digest.txt").render(context)
    return RenderedDigest(subject=subject, html=html, text=text)
