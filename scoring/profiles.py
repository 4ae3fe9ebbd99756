"""Effective learner profiles: the config's, overridden (or extended) by rows of `profile_overrides` (the UI)."""

from __future__ import annotations

from config.errors import NotFoundError
from scoring import state
from scoring.records import Profile
from watcher.db import Store
from watcher.store import profiles as profile_store
from watcher.store import state as state_store


def effective_profiles(settings, store: Store) -> list[Profile]:
    """Config profiles in config order, each replaced by its override row if any; override-only keys last."""
    overrides = {o.key: o for o in profile_store.overrides(store)}
    out: list[Profile] = []
    for p in settings.profiles:
        row = overrides.pop(p.key, None)
        if row is None:
            out.append(Profile(p.key, p.name, p.description, tuple(p.interests), tuple(p.avoid)))
        else:
            out.append(_from_row(row))
    out.extend(_from_row(row) for row in overrides.values())
    return out


def _from_row(row: profile_store.ProfileOverride) -> Profile:
    return Profile(row.key, row.name, row.description, row.interests, row.avoid, source="override")


def get_profile(settings, store: Store, key: str) -> Profile:
    for p in effective_profiles(settings, store):
        if p.key == key:
            return p
    known = ", ".join(p.key for p in effective_profiles(settings, store)) or "none"
    raise NotFoundError(f"unknown profile {key!r} (known: {known})", key="err.profile.unknown_known", profile=key,
                        known=known)


def profile_signature(profile: Profile, model: str, scorer_version: str, feedback_state: tuple) -> str:
    """Changes whenever anything that affects this profile's scores changes (never the article vectors)."""
    return state.signature(profile.as_dict(), model, scorer_version, feedback_state)


def stored_signature(store: Store, key: str) -> str | None:
    return state_store.get(store, f"profile_sig:{key}")
