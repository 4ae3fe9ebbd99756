"""A synthetic populated store: 3 learner profiles, 6 feeds and N scored, topic-tagged, clustered articles.

Used by the digest benchmark (100k rows) and by the tests' `populated_store` fixture; no crawl, no model.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from config import clock
from watcher.store import articles as article_store
from watcher.store import feeds as feed_store
from watcher.store import scores as score_store
from watcher.store import stories
from watcher.store.articles import ArticleRow, EntryRow

PROFILES_TOML = """
[[profiles]]
key = "frontline"
name = "Frontline operators"
description = "Warehouse and store staff learning on smartphones."
interests = ["VR safety training for warehouse staff", "microlearning on mobile for deskless workers"]

[[profiles]]
key = "managers"
name = "Managers"
description = "First-line managers."
interests = ["AI role-play for difficult conversations", "coaching and feedback skills"]

[[profiles]]
key = "compliance"
name = "HR & compliance"
description = "Regulation watchers."
interests = ["EU AI Act and GDPR in training", "Qualiopi and CPF funding"]
"""

FEEDS = [
    ("https://news.example.org/feed", "L&D News", "en"),
    ("https://xr.example.org/rss", "XR Training Weekly", "en"),
    ("https://ia.example.fr/flux", "IA & Formation", "fr"),
    ("https://science.example.org/atom", "Learning Science Digest", "en"),
    ("https://compliance.example.eu/feed", "Compliance Monitor", "en"),
    ("https://broken.example.net/feed", "Broken Feed", "en"),
]

# (topic, title template, product name) — names recur so register suggestions have something to find
SUBJECTS = [
    ("ai", "{p} launches an AI tutor for onboarding", "Tutora Coach"),
    ("ai", "How {p} writes courses with generative AI", "CourseForge Studio"),
    ("xr", "{p} VR safety simulation cuts forklift incidents", "SafeSim Reality"),
    ("xr", "Headsets in the warehouse: {p} pilot results", "SafeSim Reality"),
    ("microlearning", "Spaced repetition on phones with {p}", "Quizlo Daily"),
    ("microlearning", "Microlearning nudges for deskless staff by {p}", "Quizlo Daily"),
    ("metaverse", "{p} opens a metaverse onboarding campus", "Meta Campus World"),
    ("regulation", "EU AI Act: what {p} means for proctoring", "ProctorEye Guard"),
    ("regulation", "Qualiopi audit checklist from {p}", "Certif Pro Audit"),
    ("platforms", "{p} adds an xAPI learning record store", "Learning Locker Cloud"),
    ("learning-science", "Retrieval practice meta-analysis reviewed by {p}", "Evidence Lab Europe"),
    ("ai", "Réalité augmentée et IA générative chez {p}", "Tutora Coach"),
]
SCORE_PROFILE_BIAS = {"ai": "managers", "xr": "frontline", "microlearning": "frontline", "metaverse": "frontline",
                      "regulation": "compliance", "platforms": "compliance", "learning-science": "managers"}


def build_corpus(store, n_articles: int = 200, *, seed: int = 7, now: datetime | None = None,
                 weeks: int = 20, cluster_every: int = 5, states: bool = True) -> list[str]:
    """Insert feeds and `n_articles` scored, topic-tagged, clustered articles; return the article ids.

    Every `cluster_every`-th story gets 2 extra copies from other feeds in the same cluster.
    Fast: executemany in one transaction (used by bench/bench_digest.py for 100k rows too).
    """
    rng = random.Random(seed)
    now = now or clock.now()
    stamp = now.isoformat()
    with store.write():
        feed_ids = []
        for url, title, lang in FEEDS:
            broken = url == FEEDS[-1][0]
            feed_ids.append(feed_store.ensure_feed(
                store, url, title=title, language=lang, added_at=stamp, last_fetched=stamp,
                next_check=(now + timedelta(hours=1)).isoformat(), last_status="error" if broken else "ok",
                error_count=3 if broken else 0, last_error="HTTP 503 from server" if broken else None,
            ))
        articles: list[ArticleRow] = []
        entries: list[EntryRow] = []
        scores: list[tuple[str, str, float, str]] = []
        topics: list[tuple[str, str, float]] = []
        state: list[tuple[str, str | None, str | None]] = []
        ids: list[str] = []
        story = 0
        while len(ids) < n_articles:
            topic, template, product = SUBJECTS[story % len(SUBJECTS)]
            published = now - timedelta(minutes=rng.randrange(0, weeks * 7 * 24 * 60))
            copies = 3 if story % cluster_every == 0 else 1
            cluster = f"c{story:07d}"
            for copy in range(copies):
                if len(ids) >= n_articles:
                    break
                aid = hashlib.sha1(f"{seed}-{story}-{copy}".encode()).hexdigest()[:16]
                feed_index = (story + copy * 2) % (len(FEEDS) - 1)
                lang = "fr" if "chez" in template or feed_index == 2 else "en"
                title = template.format(p=product) + ("" if copy == 0 else f" (via {FEEDS[feed_index][1]})")
                summary = f"{title}. Workplace learning teams report on {topic} with {product} (item {story})."
                when = (published + timedelta(hours=copy)).isoformat()
                url = f"https://{feed_index}.example.org/a/{story}-{copy}"
                articles.append(ArticleRow(
                    aid, feed_ids[feed_index], when, aid, when, when, url=url, title=title, language=lang,
                    content_html=f"<p>{summary}</p>", summary_text=summary, cluster_id=cluster,
                ))
                ids.append(aid)
                entries.append(EntryRow(feed_ids[feed_index], aid, aid, url, when))
                for pkey in ("frontline", "managers", "compliance"):
                    base = 0.55 if SCORE_PROFILE_BIAS[topic] == pkey else 0.2
                    score = round(min(0.99, max(0.0, base + rng.uniform(-0.2, 0.35))), 4)
                    scores.append((aid, pkey, score, f"matches: {topic} interest of {pkey}"))
                topics.append((aid, topic, round(rng.uniform(0.4, 0.9), 3)))
                if story % 4 == 1:
                    topics.append((aid, "learning-science", 0.35))
                if states and story % 9 == 0:
                    state.append((aid, when if copy == 0 else None, when if story % 18 == 0 else None))
            story += 1
        article_store.insert_many(store, articles)
        article_store.add_entries(store, entries)
        score_store.upsert(store, scores)
        score_store.set_topics(store, ids, topics, "")  # "" = topics not assigned by a topic set (the default)
        stories.set_states(store, "local", state)
    return ids
