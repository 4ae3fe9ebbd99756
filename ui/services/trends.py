"""Trend figures, all aggregated in SQL (GROUP BY) over a bounded window of weeks.

Weeks are ISO weeks (Monday start): SQLite 3.40 has no %V, so a row's week is the Monday
`date(published, 'weekday 0', '-6 days')` and the ISO label is computed from the few aggregated rows.
Rising items compare the weekly rate in the last `recent_weeks` with the `baseline_weeks` before, smoothed:
ratio = (recent per week + 1) / (before per week + 1), so a topic going from 0 to 1 article is not "infinite".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from config import clock
from ui.services.context import ServiceContext
from ui.services.records import RisingItem, SourceVolume, TopicWeek
from watcher.store import reports

STOPWORDS = frozenset("""
a about after all also an and are as at be been but by can could de des did do does du en et for from had has have
how if in into is it its la le les more most new not of on one or our out over pour que qui sur than that the their
them then there these they this those to un une up us was we were what when where which who why will with would you
your avec dans est par plus ses son aux ces cette comment pourquoi être sont ont nous vous leur leurs entre sans
sous après avant via vs year years week weeks day days report news study says said
""".split())


def _zone(ctx: ServiceContext) -> str:
    return ctx.settings.schedule.timezone


def _week_start(ctx: ServiceContext, today: date | None = None) -> date:
    """The Monday of the current week (today in `[schedule] timezone`, from config.clock)."""
    return clock.week_start(today or clock.today(_zone(ctx)))


def _bound(ctx: ServiceContext, day: date) -> str:
    """The stored-timestamp form of the instant `day` begins in `[schedule] timezone`."""
    return clock.day_start_iso(day, _zone(ctx))


def _local_shift(ctx: ServiceContext, start: datetime, end: datetime) -> tuple[list[tuple[str, str]], str]:
    """The date() modifiers that turn a UTC instant between `start` and `end` into wall-clock time in
    `[schedule] timezone`: (end of a stretch, its '+N minutes') per stretch between offset changes (DST), then
    the modifier after the last change, so weeks are the zone's weeks."""
    tz = clock.zone(_zone(ctx))

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        assert delta is not None  # an aware datetime has one
        return int(delta.total_seconds() // 60)

    changes: list[tuple[datetime, int]] = []  # (first instant of a stretch, its offset)
    at, current = start, offset(start)
    while at < end:
        step = min(at + timedelta(days=1), end)
        if offset(step) != current:  # an offset change within this day: find it to the quarter hour
            while at + timedelta(minutes=15) <= step and offset(at + timedelta(minutes=15)) == current:
                at += timedelta(minutes=15)
            at += timedelta(minutes=15)
            current = offset(at)
            changes.append((at, current))
            continue
        at = step
    stretches, previous = [], offset(start)
    for when, value in changes:
        stretches.append((when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), f"{previous:+d} minutes"))
        previous = value
    return stretches, f"{previous:+d} minutes"


def iso_week_label(monday: str) -> str:
    year, week, _ = date.fromisoformat(monday).isocalendar()
    return f"{year}-W{week:02d}"


def _labels(ctx: ServiceContext) -> dict[str, str]:
    return {t.key: t.label for t in getattr(ctx.settings, "topics", ())}


def topic_weeks(ctx: ServiceContext, weeks: int = 12, *, today: date | None = None) -> list[TopicWeek]:
    """Articles per topic per ISO week for the last `weeks` weeks (current week included)."""
    start = _week_start(ctx, today) - timedelta(weeks=weeks - 1)
    stretches, last_shift = _local_shift(ctx, clock.day_start(start, _zone(ctx)), clock.now() + timedelta(weeks=2))
    rows = reports.topic_weeks(ctx.store, _bound(ctx, start), stretches, last_shift)
    labels = _labels(ctx)
    return [TopicWeek(week=iso_week_label(r.monday), week_start=r.monday, topic=r.topic_key,
                      label=labels.get(r.topic_key, r.topic_key), articles=r.articles) for r in rows]


def _windows(ctx: ServiceContext, recent_weeks: int, baseline_weeks: int, today: date | None
             ) -> tuple[str, str, str]:
    """(baseline start, recent start, end) instants; whole weeks of the zone ending with the current one."""
    end = _week_start(ctx, today) + timedelta(weeks=1)
    recent = end - timedelta(weeks=recent_weeks)
    base = recent - timedelta(weeks=baseline_weeks)
    return _bound(ctx, base), _bound(ctx, recent), _bound(ctx, end)


def _rising(rows: list[reports.RiseCount], recent_weeks: int, baseline_weeks: int, labels: dict[str, str],
            min_recent: int) -> list[RisingItem]:
    out = []
    for r in rows:
        if r.recent < min_recent:
            continue
        rp, bp = r.recent / recent_weeks, r.before / baseline_weeks
        ratio = (rp + 1) / (bp + 1)
        if ratio <= 1:
            continue
        out.append(RisingItem(key=r.key, label=labels.get(r.key, r.key), recent=r.recent, before=r.before,
                              recent_per_week=round(rp, 2), before_per_week=round(bp, 2), ratio=round(ratio, 2)))
    out.sort(key=lambda i: (-i.ratio, -i.recent, i.key))
    return out


def rising_topics(ctx: ServiceContext, recent_weeks: int = 4, baseline_weeks: int = 12, *,
                  today: date | None = None, min_recent: int = 1) -> list[RisingItem]:
    base, recent, end = _windows(ctx, recent_weeks, baseline_weeks, today)
    rows = reports.topic_rise(ctx.store, base, recent, end)
    return _rising(rows, recent_weeks, baseline_weeks, _labels(ctx), min_recent)


def rising_terms(ctx: ServiceContext, recent_weeks: int = 4, baseline_weeks: int = 12, limit: int = 20, *,
                 today: date | None = None, min_recent: int = 3) -> list[RisingItem]:
    """Title words (4+ letters, no stopwords) counted per article in SQL via json_each over the split title."""
    base, recent, end = _windows(ctx, recent_weeks, baseline_weeks, today)
    rows = reports.term_rise(ctx.store, base, recent, end, sorted(STOPWORDS), min_recent)
    return _rising(rows, recent_weeks, baseline_weeks, {}, min_recent)[:limit]


def source_volume(ctx: ServiceContext, weeks: int = 12, *, today: date | None = None) -> list[SourceVolume]:
    """Articles per feed over the last `weeks` weeks (feeds with none included), busiest first."""
    start = _bound(ctx, _week_start(ctx, today) - timedelta(weeks=weeks - 1))
    return [SourceVolume(feed_id=v.feed_id, title=v.title or v.url, url=v.url, articles=v.articles,
                         last_published=v.last_published) for v in reports.feed_volumes(ctx.store, start)]
