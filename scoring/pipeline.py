"""`score()`: from the database back to the database. Embed what is new, then profile scores, topics, clusters.

Each stage does only what is missing or stale (a profile whose signature changed, articles re-embedded), reads
vectors a chunk at a time, and commits per chunk, so a crash loses at most one chunk and the next run resumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

from scoring import centering as centering_mod
from scoring import clusters, embedder, feedback, glossary, state, topics
from scoring.centering import Centering, CenteringLike
from scoring.model import Encoder, LazyEncoder
from scoring.profiles import effective_profiles, profile_signature, stored_signature
from scoring.records import Profile, ScoreSummary
from scoring.scorer import SCORER_VERSION, ScorerConfig, build_profile, score_chunk
from watcher.db import Store
from watcher.service_lock import score_lock
from watcher.store import embeddings
from watcher.store import scores as score_store
from watcher.store import state as state_store
from watcher.store.embeddings import iter_vectors

Progress = Callable[[str, int, int], None]
TOPICS_VERSION = "topics:v1"
CLUSTER_BLOCK = 2000
WRITE_ROWS = 250_000  # score rows held before a write (~40 MB)


def score(settings, store: Store, *, rescore: bool = False, progress: Progress | None = None,
          encoder: Encoder | None = None) -> ScoreSummary:
    """Embed new/changed articles, score every profile, assign topics and story clusters (one scorer at a time
    per database: the score lock)."""
    if str(store.path) == ":memory:":
        return _score(settings, store, rescore=rescore, progress=progress, encoder=encoder)
    with score_lock(store.path):
        return _score(settings, store, rescore=rescore, progress=progress, encoder=encoder)


def _score(settings, store: Store, *, rescore: bool, progress: Progress | None,
           encoder: Encoder | None) -> ScoreSummary:
    started = time.perf_counter()
    cfg = settings.scoring
    encoder = encoder or LazyEncoder(cfg.model, cfg.device)  # loaded only if something needs embedding
    summary = ScoreSummary(model=encoder.name)
    summary.embedded = embedder.embed_pending(store, encoder, batch_size=cfg.batch_size, progress=progress)
    # after embedding, so the means include new articles; a multilingual model needs no centring
    cen = Centering() if encoder.multilingual else centering_mod.LazyCentering(store, encoder.name)
    profiles = effective_profiles(settings, store)
    summary.scored, summary.rescored_profiles = score_profiles(
        store, encoder, profiles, cen, min_labels=cfg.feedback_min_labels, rescore=rescore, progress=progress)
    summary.topics = assign_topics(store, encoder, settings.topics, cen, rescore=rescore, progress=progress)
    assign_clusters(store, encoder.name, cen, window_days=cfg.cluster_window_days,
                    threshold=cfg.cluster_threshold, rescore=rescore, progress=progress)
    summary.clusters = score_store.story_count(store)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


# --- profiles -----------------------------------------------------------------------------------------------

def preview_profile(settings, store: Store, profile: Profile, *, limit: int = 10,
                    encoder: Encoder | None = None) -> list[tuple[str, float, str]]:
    """What an edited (unsaved) profile would rank first: the scorer itself over the stored vectors, with
    the saved profile's judgements; nothing is written. Returns (article id, score, why), best first."""
    cfg = settings.scoring
    encoder = encoder or LazyEncoder(cfg.model, cfg.device)
    if not embeddings.count(store, encoder.name):
        return []
    cen = Centering() if encoder.multilingual else centering_mod.LazyCentering(store, encoder.name)
    config = ScorerConfig.for_encoder(encoder)
    fb = feedback.build(store, encoder.name, profile.key, cfg.feedback_min_labels, cen)
    pm = build_profile(profile, encoder, store, cen, config, feedback=fb)
    best: list[tuple[str, float, str]] = []
    for chunk_ids, x, langs in iter_vectors(store, encoder.name, with_language=True):
        scores, why = score_chunk(pm, chunk_ids, x, langs, config)
        top = np.argsort(-scores, kind="stable")[:limit]
        best.extend((chunk_ids[i], round(float(scores[i]), 5), why[i]) for i in top)
        best = sorted(best, key=lambda t: (-t[1], t[0]))[:limit]
    return best


def rescore_profile(settings, store: Store, key: str, *, encoder: Encoder | None = None,
                    progress: Progress | None = None) -> int:
    """Rescore one profile from stored vectors now (after a judgement or an edit): nothing is re-embedded, the
    other profiles are untouched. Returns the score rows written."""
    cfg = settings.scoring
    encoder = encoder or LazyEncoder(cfg.model, cfg.device)
    profiles = [p for p in effective_profiles(settings, store) if p.key == key]
    if not profiles:
        return 0
    cen = Centering() if encoder.multilingual else centering_mod.LazyCentering(store, encoder.name)
    written, _ = score_profiles(store, encoder, profiles, cen, min_labels=cfg.feedback_min_labels,
                                progress=progress, prune=False)
    return written


def score_profiles(store: Store, encoder: Encoder, profiles: list[Profile], cen: CenteringLike, *, min_labels: int,
                   rescore: bool = False, progress: Progress | None = None,
                   config: ScorerConfig | None = None, prune: bool = True) -> tuple[int, list[str]]:
    """Score articles for each profile: all of them when the profile (or its feedback) changed, else the
    unscored ones. Returns (score rows written, keys of fully rescored profiles)."""
    config = config or ScorerConfig.for_encoder(encoder)
    version = f"{SCORER_VERSION}:{config.signature()}"  # re-fitted constants rescore every profile
    if config.gloss or config.bilingual:  # a company's new glossary entries change its keyword queries
        version += ":" + state.signature([list(map(list, pair)) for pair in glossary.active().pairs])
    keys = [p.key for p in profiles]
    if prune:  # profiles removed from the configuration lose their scores
        score_store.keep_profiles(store, keys)
    written, rescored = 0, []
    for profile in profiles:
        sig = profile_signature(profile, encoder.name, version, feedback.feedback_state(store, profile.key))
        full = rescore or stored_signature(store, profile.key) != sig
        ids = None if full else score_store.unscored_ids(store, profile.key, encoder.name)
        if ids == []:
            continue
        # read in this thread after the profile is built: a read-ahead thread made the profile's FTS queries
        # wait for the GIL (1.9 s against 1.5 s per 100k, bench/bench_scoring.py) and doubled peak memory
        fb = feedback.build(store, encoder.name, profile.key, min_labels, cen)
        pm = build_profile(profile, encoder, store, cen, config, feedback=fb)
        total = ids is None and embeddings.count(store, encoder.name)
        total = total or len(ids or [])
        done = 0
        pending: list[tuple[str, str, float, str]] = []
        for chunk_ids, x, langs in iter_vectors(store, encoder.name, ids=ids, with_language=True):
            scores, why = score_chunk(pm, chunk_ids, x, langs, config)
            pending.extend(zip(chunk_ids, [profile.key] * len(chunk_ids), np.round(scores, 5).tolist(), why,
                               strict=True))
            done += len(chunk_ids)
            if len(pending) >= WRITE_ROWS:
                _write_scores(store, pending)
                pending = []
            if progress:
                progress(f"score {profile.key}", done, total)
        _write_scores(store, pending, state_key=f"profile_sig:{profile.key}", state_value=sig)
        written += done
        if full:
            rescored.append(profile.key)
    return written, rescored


def _write_scores(store: Store, rows: list[tuple[str, str, float, str]], *, state_key: str = "",
                  state_value: str = "") -> None:
    """Upsert score rows in one transaction, in key order, skipping rows that did not change.

    One transaction for a whole profile, not one per chunk: every chunk's rows are spread over all the pages of
    the score indexes, so committing per chunk wrote each index page to the WAL once per chunk. A crash loses
    nothing either way: the profile's signature is stored last, so its rescoring simply starts again."""
    with store.write():
        score_store.upsert(store, rows)
        if state_key:
            state_store.put(store, state_key, state_value)


# --- topics -------------------------------------------------------------------------------------------------

def assign_topics(store: Store, encoder: Encoder, topic_settings, cen: CenteringLike, *, rescore: bool = False,
                  progress: Progress | None = None) -> int:
    """Topics for articles that have none for the current topic set; returns how many articles were done."""
    sig = state.signature([[t.key, t.label, t.description, list(t.keywords)] for t in topic_settings],
                          encoder.name, TOPICS_VERSION)
    if rescore:
        score_store.reset_topics(store)
    ids = score_store.topics_due(store, encoder.name, sig)
    if not ids:
        return 0
    model = topics.build(list(topic_settings), encoder, cen)
    done = 0
    for chunk_ids, x, langs in iter_vectors(store, encoder.name, ids=ids, with_language=True):
        texts = {a.id: a for a in embedder.load_texts(store, chunk_ids)}
        articles = [texts[i] for i in chunk_ids]
        found = topics.assign(model, articles, cen.articles(x, langs))
        score_store.set_topics(store, chunk_ids, [(a.id, key, s) for a, pairs in zip(articles, found, strict=True)
                                                  for key, s in pairs], sig)
        done += len(chunk_ids)
        if progress:
            progress("topics", done, len(ids))
    return done


# --- clusters -----------------------------------------------------------------------------------------------

def _shift(published: str, days: float) -> str:
    try:
        when = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return published
    return (when + timedelta(days=days)).isoformat()


def assign_clusters(store: Store, model: str, cen: CenteringLike, *, window_days: float, threshold: float,
                    rescore: bool = False, progress: Progress | None = None) -> int:
    """Link not-yet-clustered articles to stories within the time window; returns how many were clustered."""
    score_store.queue_clustering(store, model, reset=rescore)
    pending = score_store.unclustered(store, model)
    done = 0
    for start in range(0, len(pending), CLUSTER_BLOCK):
        block = pending[start:start + CLUSTER_BLOCK]
        _cluster_block(store, model, cen, [r[0] for r in block], block[0][1], block[-1][1],
                       window_days=window_days, threshold=threshold)
        done += len(block)
        if progress:
            progress("clusters", done, len(pending))
    return done


def _cluster_block(store: Store, model: str, cen: CenteringLike, new_ids: list[str], first: str, last: str, *,
                   window_days: float, threshold: float) -> None:
    rows = {r.id: r for r in score_store.cluster_window(store, model, _shift(first, -window_days),
                                                        _shift(last, window_days))}
    for i in new_ids:  # published values in odd formats still take part
        if i not in rows:
            r = score_store.cluster_article(store, i)
            if r is not None:
                rows[i] = r
    ids, mats, langs = [], [], []
    for chunk_ids, x, chunk_langs in iter_vectors(store, model, ids=list(rows), with_language=True):
        ids.extend(chunk_ids)
        mats.append(x)
        langs.extend(chunk_langs)
    if not ids:
        return
    xc = cen.articles(np.vstack(mats), langs)
    items = [clusters.Item(i, rows[i].published, rows[i].title, rows[i].summary, rows[i].url, rows[i].language)
             for i in ids]
    index = {i: n for n, i in enumerate(ids)}
    new_set = set(new_ids)
    focus = [index[i] for i in new_ids if i in index]
    uf = clusters.UnionFind()
    for a, b in clusters.link_pairs(items, xc, focus, window_days=window_days, threshold=threshold):
        for n in (a, b):  # an already-clustered article brings its whole story along
            old = rows[ids[n]].cluster_id
            if ids[n] not in new_set and old:
                uf.union(ids[n], "story:" + old)
        uf.union(ids[a], ids[b])
    components: dict[str, set[str]] = {}
    for i in new_ids:
        components.setdefault(uf.find(i), set()).add(i)
    for node in list(uf.parent):
        root = uf.find(node)
        if root in components:
            components[root].add(node)
    updates: list[tuple[str, list[str], list[str]]] = []  # (cluster id, old cluster ids, member ids)
    for members in components.values():
        old_ids = {m[len("story:"):] for m in members if m.startswith("story:")}
        old_ids |= {cid for m in members if m in rows and m not in new_set and (cid := rows[m].cluster_id)}
        article_ids = [m for m in members if not m.startswith("story:")]
        candidates = set(article_ids) | old_ids
        published = {c: (rows[c].published if c in rows else score_store.published(store, c) or "")
                     for c in candidates}
        cid = min(candidates, key=lambda c: (published[c], c))
        updates.append((cid, sorted(old_ids), article_ids))
    score_store.set_clusters(store, updates, new_ids)
