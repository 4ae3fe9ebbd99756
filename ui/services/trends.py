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
from ui.services.records import RisingItem, SourceVolume, TopicWeek, TrendWindows
from watcher.store import reports

STOPWORDS = frozenset("""
a about after all also an and any are as at be been before being best between both but by can could did do does
doing down during each even every few first for from get gets getting had has have here how however if in into is
it its just last like made make makes many may might more most much must need needs new next not now of off on
once one only or other our out over own per same should since so some still such than that the their them then
there these they this those through to too under until up upon us use used uses using very was way ways we well
were what when where which while who whom why will with within without would yet you your yours

à afin ainsi alors après au aucun aussi autre autres aux avant avec avoir bien c ça car ce ceci cela celle celles
celui ces cet cette ceux chaque chez comme comment d dans de depuis des donc dont du elle elles en encore entre
est et été être eux fait faire faut il ils j l la le les leur leurs lors lorsque m ma mais me même mêmes mes moins
mon n ne ni nos notre nous on ont ou où par parce pas peu peut peuvent plus pour pourquoi qu quand que quel quelle
quelles quels qui quoi s sa sans se selon ses si sien soit son sont sous sur ta te tes toi ton tous tout toute
toutes très tu un une vers via voici voilà vos votre vous y

vs year years week weeks day days month months today report reports news study studies says said new nouveau
nouvelle nouveaux nouvelles année années ans semaine semaines jour jours mois aujourd'hui
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
    day = today or clock.today(_zone(ctx))
    current = clock.week_start(day).isoformat()
    so_far = day.weekday() + 1  # Monday counts 1 day
    return [TopicWeek(week=iso_week_label(r.monday), week_start=r.monday, topic=r.topic_key,
                      label=labels.get(r.topic_key, r.topic_key), articles=r.articles,
                      partial=r.monday == current and so_far < 7, days=so_far if r.monday == current else 7)
            for r in rows]


def windows(ctx: ServiceContext, recent_weeks: int = 4, baseline_weeks: int = 12, *,
            today: date | None = None) -> TrendWindows:
    """The days "recent" and "before" cover for rising_topics/rising_terms with the same arguments."""
    day = today or clock.today(_zone(ctx))
    monday = clock.week_start(day)
    recent = monday - timedelta(weeks=recent_weeks - 1)
    base = recent - timedelta(weeks=baseline_weeks)
    return TrendWindows(recent_weeks=recent_weeks, baseline_weeks=baseline_weeks, recent_first=recent.isoformat(),
                        recent_last=day.isoformat(), before_first=base.isoformat(),
                        before_last=(recent - timedelta(days=1)).isoformat(), current_week=monday.isoformat(),
                        current_days=day.weekday() + 1)


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
    """Title words counted once per article, in SQL via json_each over the split title: 4+ characters, starting
    with a letter (no years, amounts, "500k", "10x"), no currency or percent sign, not an English or French stop
    word; an elided article or pronoun ("l'IA", "d'apprentissage") is split off at the apostrophe."""
    base, recent, end = _windows(ctx, recent_weeks, baseline_weeks, today)
    rows = reports.term_rise(ctx.store, base, recent, end, sorted(STOPWORDS), min_recent)
    return _rising(rows, recent_weeks, baseline_weeks, {}, min_recent)[:limit]


def source_volume(ctx: ServiceContext, weeks: int = 12, *, today: date | None = None) -> list[SourceVolume]:
    """Articles per feed over the last `weeks` weeks (feeds with none included), busiest first."""
    start = _bound(ctx, _week_start(ctx, today) - timedelta(weeks=weeks - 1))
    return [SourceVolume(feed_id=v.feed_id, title=v.title or v.url, url=v.url, articles=v.articles,
                         last_published=v.last_published) for v in reports.feed_volumes(ctx.store, start)]
