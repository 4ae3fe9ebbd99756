"""Import a library without the optional extras it would load for features veille never uses.

Some libraries import heavy optional packages at import time when they happen to be installed
(streamlit's dependencies bring them): sqlite-utils loads pandas and numpy to map their types on
insert, httpx loads rich and pygments for its command-line tool. A crawl pays those imports in every
process start (~0.5 s for a new database, ~45 ms for httpx), so they are hidden while the library
is imported, unless something already loaded them. The libraries handle their absence themselves
(they treat them as not installed). Once the import is done the extras can be imported as usual; only
another thread importing one of them for the first time during that import would find it missing. The
CLI imports these before any thread starts, and the app imports sqlite-utils only when it opens a
database with a migration pending.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def import_without(name: str, extras: tuple[str, ...]) -> ModuleType:
    """`import name` as if the `extras` packages were not installed (unless already imported)."""
    if name in sys.modules:
        return sys.modules[name]
    hidden = [extra for extra in extras if extra not in sys.modules]
    for extra in hidden:
        sys.modules[extra] = None  # type: ignore[assignment]  # `import extra` now raises ImportError (typeshed allows modules only)
    try:
        return importlib.import_module(name)
    finally:
        for extra in hidden:
            del sys.modules[extra]
