"""The built-in topic set, used when a config file has no `[[topics]]`.

The topics are written once, in the `[[topics]]` of the shipped config/veille.toml (labels, descriptions,
bilingual keywords and radar quadrants); a config without topics takes those, read and validated here once.
"""

from __future__ import annotations

import tomllib
from functools import cache

from config.errors import ConfigError
from config.settings import PACKAGE_DIR, TopicSettings, _check_unique, _Loader

SHIPPED_CONFIG = PACKAGE_DIR / "veille.toml"


@cache
def default_topics() -> tuple[TopicSettings, ...]:
    """The `[[topics]]` of the shipped config/veille.toml, validated like any config's."""
    path = SHIPPED_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the built-in topics ({exc})") from None
    loader = _Loader(str(path))
    topics = loader.convert(tuple[TopicSettings, ...], data.get("topics", []), "topics", "topics", "topics")
    _check_unique(loader, topics, "key", "topics")
    if not topics:
        loader.fail("topics", "the shipped config defines no topics")
    return topics
