"""A synthetic populated store: 3 learner profiles, 6 feeds and N scored, topic-tagged, clustered articles.

Used by the digest benchmark (100k rows) and by the tests' `populated_store` fixture; no crawl, no model.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from config import clock

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
    with store.write() as db:
        feed_ids = []
        for url, title, lang in FEEDS:
            db.execute(
                "INSERT OR IGNORE INTO feeds (url, title, language, added_at, last_status, last_fetched, next_check)"
                " VALUES (?, ?, ?, ?, 'ok', ?, ?)",
                (url, title, lang, stamp, stamp, (now + timedelta(hours=1)).isoformat()),
            )
            feed_ids.append(db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0])
        db.execute(
            "UPDATE feeds SET last_status = 'error', error_count = 3, last_error = 'HTTP 503 from server'"
            " WHERE url = ?", (FEEDS[-1][0],),
        )
        articles, entries, scores, topics, state = [], [], [], [], []
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
                articles.append((
                    aid, feed_ids[feed_index], f"https://{feed_index}.example.org/a/{story}-{copy}", title, when,
                    lang, f"<p>{summary}</p>", summary, aid, when, when, cluster,
                ))
                ids.append(aid)
                entries.append((feed_ids[feed_index], aid, aid, articles[-1][2], when))
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
        db.executemany(
            "INSERT INTO articles (id, feed_id, url, title, published, language, content_html, summary_text,"
            " content_hash, first_seen, last_changed, cluster_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", articles,
        )
        db.executemany("INSERT INTO entries (feed_id, entry_key, article_id, url, first_seen) VALUES (?,?,?,?,?)",
                       entries)
        db.executemany("INSERT INTO scores (article_id, profile_key, score, why) VALUES (?,?,?,?)", scores)
        db.executemany("INSERT INTO article_topics (article_id, topic_key, score) VALUES (?,?,?)", topics)
        db.executemany("INSERT INTO article_state (article_id, read_at, saved_at) VALUES (?,?,?)", state)
    return ids
