"""Learner profiles as the boards see them: the config's, overridden by edits saved in the app.

Saving writes `profile_overrides` (the scoring package reads the same table) and rescores that profile only,
from stored vectors: in the caller's thread for the CLI and tests, as a background job for the app
(`start_rescore`, progress from `rescore_status`). The preview of unsaved edits runs the scorer itself over the
stored vectors; the saved profile's top articles come from the stored scores.
"""

from __future__ import annotations

import re

from config.errors import NotFoundError, ValidationError
from ui.services.background import JOBS, JobStatus
from ui.services.context import ServiceContext, now_iso, require_editor
from ui.services.records import DigestFilter, Profile, SaveResult, StoryCard
from watcher.store import profiles as profile_store

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def list_profiles(ctx: ServiceContext) -> list[Profile]:
    from scoring.profiles import effective_profiles

    config_keys = {p.key for p in getattr(ctx.settings, "profiles", ())}
    meta = {o.key: o for o in profile_store.overrides(ctx.store)}
    out = []
    for p in effective_profiles(ctx.settings, ctx.store):
        row = meta.get(p.key)
        source = "config" if row is None else ("override" if p.key in config_keys else "app")
        out.append(Profile(key=p.key, name=p.name, description=p.description, interests=tuple(p.interests),
                           avoid=tuple(p.avoid), source=source, updated_at=row.updated_at if row else None,
                           updated_by=row.updated_by if row else ""))
    return out


def get_profile(ctx: ServiceContext, key: str) -> Profile:
    for p in list_profiles(ctx):
        if p.key == key:
            return p
    raise NotFoundError(f"profile {key!r}: unknown", key="err.profile.unknown", profile=key)


def _clean_lines(items) -> tuple[str, ...]:
    out: list[str] = []
    for item in items or ():
        text = " ".join(str(item).split())
        if text and text not in out:
            out.append(text)
    return tuple(out)


def save_profile(ctx: ServiceContext, key: str, *, name: str, description: str = "", interests=(),
                 avoid=(), encoder=None, rescore: bool = True) -> SaveResult:
    """Save a profile edit (editor) and rescore it (`rescore=False`: the caller starts `start_rescore`).

    `encoder`: an already loaded scoring encoder (tests, long-running app); else the pipeline loads its own.
    """
    require_editor(ctx.user)
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise ValidationError(f"profile key: lowercase letters, digits, - or _ (got {key!r})", key="err.profile.key",
                              got=key)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(f"profile {key}: the name must not be empty", key="err.profile.name_empty", profile=key)
    interests, avoid = _clean_lines(interests), _clean_lines(avoid)
    if not interests:
        raise ValidationError(f"profile {key}: give at least one interest (one per line)",
                              key="err.profile.no_interest", profile=key)
    profile_store.save(ctx.store, profile_store.ProfileOverride(
        key=key, name=name, description=(description or "").strip(), interests=interests, avoid=avoid,
        updated_at=now_iso(), updated_by=ctx.user.name))
    if not rescore:
        return SaveResult(profile=get_profile(ctx, key), rescored=False, message="")
    from scoring.pipeline import rescore_profile

    scored = rescore_profile(ctx.settings, ctx.store, key, encoder=encoder)
    return SaveResult(profile=get_profile(ctx, key), rescored=True, message=f"Saved and rescored ({scored} articles).")


def _job_key(key: str) -> str:
    return f"rescore:{key}"


def start_rescore(ctx: ServiceContext, key: str, encoder=None) -> JobStatus:
    """Rescore one saved profile in the background (editor): nothing else waits for it. Returns its status;
    while it runs, a second start returns the running job."""
    require_editor(ctx.user)
    get_profile(ctx, key)
    settings = ctx.settings

    def work(store, progress) -> tuple[str, dict]:
        from scoring.pipeline import rescore_profile
        from watcher.service_lock import score_lock

        progress("waiting for the scorer", 0, 0)  # a `veille score` or the scheduler may be scoring this database
        with score_lock(settings.database_path):
            scored = rescore_profile(settings, store, key, encoder=encoder, progress=progress)
        return str(scored), {"profile": key, "scored": scored}  # the Sources page shows the profile's name

    return JOBS.start(_job_key(key), key, settings.database_path, work)


def rescore_status(key: str) -> JobStatus | None:
    """The background rescoring of that profile: running (with progress), done (`message` = rows) or failed."""
    return JOBS.status(_job_key(key))


def wait_rescore(key: str, timeout: float | None = None) -> JobStatus | None:
    return JOBS.wait(_job_key(key), timeout)


def forget_rescore(key: str) -> None:
    JOBS.forget(_job_key(key))


def top_articles(ctx: ServiceContext, key: str, limit: int = 10) -> list[StoryCard]:
    """The saved profile's best-scored stories (from stored scores)."""
    get_profile(ctx, key)
    from ui.services.stories import list_stories

    return list(list_stories(ctx, DigestFilter(profile=key, page_size=max(1, min(limit, 100)))).stories)


def preview(ctx: ServiceContext, key: str, *, interests=None, avoid=None, limit: int = 10) -> list[StoryCard]:
    """Articles an edited (unsaved) profile would favour, scored by the same scorer as the ranking.

    Without `interests`, the saved profile's interests are used.
    """
    saved = get_profile(ctx, key)
    interests = _clean_lines(interests if interests is not None else saved.interests)
    avoid = _clean_lines(avoid if avoid is not None else saved.avoid)
    if not interests:
        return []
    from dataclasses import replace

    from scoring.pipeline import preview_profile
    from ui.services.stories import get_story

    draft = replace(saved, interests=interests, avoid=avoid)
    cards = []
    for article_id, score, why in preview_profile(ctx.settings, ctx.store, draft, limit=max(1, min(limit, 50))):
        card = get_story(ctx, article_id, key)
        cards.append(replace(card, score=round(score, 3), why=why))
    return cards
