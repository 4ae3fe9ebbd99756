"""Signatures of what the scoring run did (kept in watcher.store.state): profiles, topic sets, recipes."""

from __future__ import annotations

import hashlib
import json


def signature(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
