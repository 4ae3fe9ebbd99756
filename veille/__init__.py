"""veille: the composition root (the facade, the command line, the scheduler's jobs) above config, watcher,
scoring and ui. `from veille import make_veille` loads the facade on first use, so `veille --help` stays fast."""

from __future__ import annotations

__all__ = ["Veille", "make_veille"]


def __getattr__(name: str):
    if name in __all__:
        from veille import facade

        return getattr(facade, name)
    raise AttributeError(f"module 'veille' has no attribute {name!r}")
