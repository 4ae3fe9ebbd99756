"""Write the demo configuration: local feeds, the real profiles, topics and glossary, a local mail sink."""

from __future__ import annotations

import json
from pathlib import Path

from config.settings import PACKAGE_DIR, load_settings

DEMO_RECIPIENTS = (
    # address, profiles, frequency, language
    ("dlm@example.org", ("frontline", "managers"), "weekly", "fr"),
    ("tech-learning@example.org", ("tech", "compliance"), "weekly", "en"),
)


def _toml(value) -> str:
    """A TOML literal for the simple values used here (JSON strings are valid TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"unsupported TOML value {value!r}")


def _table(header: str, values: dict) -> str:
    lines = [header]
    lines += [f"{k} = {_toml(v)}" for k, v in values.items() if v not in ("", (), [], None)]
    return "\n".join(lines) + "\n"


def write_demo_config(folder: Path, feeds: list[tuple[str, ...]], *, app_port: int, smtp_port: int,
                      base: Path | None = None) -> Path:
    """Write `folder/veille.toml`; `feeds` are (url, title, language[, kind]). Returns the path."""
    base_settings = load_settings(base or PACKAGE_DIR / "veille.toml")
    folder.mkdir(parents=True, exist_ok=True)
    profile_keys = {p.key for p in base_settings.profiles}
    parts = [
        "# Written by `veille demo`: local demo feeds, the profiles and topics of config/veille.toml.\n"
        "# Regenerated at every `veille demo`; edit config/veille.toml instead.\n",
        _table("[database]", {"path": "veille.db"}),
        _table("[crawler]", {"allow_private_networks": True, "timeout_seconds": 20}),
        _table("[scoring]", {"model": base_settings.scoring.model}),
        _table("[ui]", {"language": "en", "base_url": f"http://127.0.0.1:{app_port}"}),
        _table("[schedule]", {"timezone": base_settings.schedule.timezone, "crawl_every_minutes": 30}),
        _table("[email]", {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "security": "none",
                           "sender": "veille-demo@example.org", "outbox": "outbox"}),
    ]
    for address, profiles, frequency, language in DEMO_RECIPIENTS:
        keep = [p for p in profiles if p in profile_keys]
        parts.append(_table("[[email.recipients]]", {"address": address, "profiles": keep, "frequency": frequency,
                                                    "language": language, "min_score": 0.5, "max_stories": 10}))
    for url, title, language, *kind in feeds:
        parts.append(_table("[[feeds]]", {"url": url, "title": title, "language": language,
                                          "kind": kind[0] if kind else "unknown"}))
    for t in base_settings.topics:
        parts.append(_table("[[topics]]", {"key": t.key, "label": t.label, "description": t.description,
                                           "keywords": list(t.keywords), "quadrant": t.quadrant}))
    for p in base_settings.profiles:
        parts.append(_table("[[profiles]]", {"key": p.key, "name": p.name, "description": p.description,
                                             "interests": list(p.interests), "avoid": list(p.avoid)}))
    for g in base_settings.glossary:
        parts.append(_table("[[glossary]]", {"en": list(g.en), "fr": list(g.fr)}))
    path = folder / "veille.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    load_settings(path)  # fail here, with the loader's message, if anything above is off
    return path
