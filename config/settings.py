"""Typed settings, validated once at load.

Every key has a default, so a file may hold only what it changes. Any unknown key, wrong type,
duplicate key or missing file raises :class:`ConfigError` with a one-line message naming the file
and the key.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.errors import ConfigError

CONFIG_ENV = "VEILLE_CONFIG"
PACKAGE_DIR = Path(__file__).resolve().parent


def default_config_path() -> Path:
    """`$VEILLE_CONFIG`, else `config/veille.toml` of the project."""
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else PACKAGE_DIR / "veille.toml"


@dataclass(frozen=True)
class DatabaseSettings:
    path: str = "data/veille.db"


@dataclass(frozen=True)
class CrawlerSettings:
    timeout_seconds: float = 20.0
    connect_timeout_seconds: float = 10.0
    max_bytes: int = 15_000_000
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 2
    allow_private_networks: bool = False
    private_allowlist: tuple[str, ...] = ()  # "host" or "host:port" allowed even when private networks are not
    read_timeout_seconds: float = 15.0  # longest silence between two reads (timeout_seconds bounds the whole)
    max_consecutive_failures: int = 10
    min_interval_minutes: int = 30
    max_backoff_hours: float = 24.0
    user_agent: str = "veille/0.1 (+learning-technology watch)"
    parse_workers: int = 0  # 0 = one per core


@dataclass(frozen=True)
class ScoringSettings:
    model: str = "use-multilingual-v3"
    batch_size: int = 64
    device: str = "cpu"
    cluster_window_days: int = 7
    cluster_threshold: float = 0.72  # cosine (scoring/clusters.py); fitted: python -m scoring.calibrate --clusters
    feedback_min_labels: int = 12


@dataclass(frozen=True)
class FeedSettings:
    url: str
    title: str = ""
    topics: tuple[str, ...] = ()
    language: str = ""
    kind: str = "unknown"  # one of SOURCE_KINDS: who speaks (the dossier weighs evidence by it)


# What kind of source a feed is: research (studies, journals), practitioner (L&D people writing from practice),
# vendor (a company selling the tools it writes about), press (trade and general press), regulator (public
# bodies, official texts), unknown. The one list: config, OPML, CLI and the Sources page use it.
SOURCE_KINDS = ("research", "practitioner", "vendor", "press", "regulator", "unknown")


@dataclass(frozen=True)
class TopicSettings:
    key: str
    label: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    quadrant: str = ""


@dataclass(frozen=True)
class ProfileSettings:
    key: str
    name: str
    description: str = ""
    interests: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry:
    """A company's own term pair, added to the shipped glossary (scoring/glossary.toml): English variants
    (the first is the gloss appended for English-only models) and French variants."""

    en: tuple[str, ...]
    fr: tuple[str, ...]


@dataclass(frozen=True)
class Recipient:
    address: str
    profiles: tuple[str, ...] = ()
    frequency: str = "weekly"
    language: str = "en"
    min_score: float = 0.5
    max_stories: int = 12


@dataclass(frozen=True)
class EmailSettings:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    security: str = "starttls"
    username: str = ""
    sender: str = "veille@example.org"
    timeout_seconds: float = 30.0
    outbox: str = "data/outbox"
    ca_file: str = ""  # extra CA certificate (PEM) to trust for STARTTLS/TLS, e.g. a private relay
    recipients: tuple[Recipient, ...] = ()

    @property
    def password(self) -> str | None:
        """Only ever from the environment."""
        return os.environ.get("VEILLE_SMTP_PASSWORD")


@dataclass(frozen=True)
class UISettings:
    language: str = "en"
    base_url: str = "http://127.0.0.1:8501"
    auth_file: str = ""
    date_format: str = ""


@dataclass(frozen=True)
class ScheduleSettings:
    timezone: str = "Europe/Paris"
    crawl_every_minutes: int = 60
    crawl_jitter_seconds: int = 120
    daily_digest: str = "0 8 * * *"
    weekly_digest: str = "0 8 * * MON"
    retention: str = "30 3 * * *"
    misfire_grace_seconds: int = 900


@dataclass(frozen=True)
class RetentionSettings:
    max_age_days: int = 365


@dataclass(frozen=True)
class Settings:
    source: Path | None = None
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    crawler: CrawlerSettings = field(default_factory=CrawlerSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    feeds: tuple[FeedSettings, ...] = ()
    topics: tuple[TopicSettings, ...] = ()
    profiles: tuple[ProfileSettings, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    email: EmailSettings = field(default_factory=EmailSettings)
    ui: UISettings = field(default_factory=UISettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    @property
    def base_dir(self) -> Path:
        return self.source.parent if self.source else Path.cwd()

    def resolve(self, path: str) -> Path:
        """Resolve a path of the config file against the file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def database_path(self) -> Path:
        return self.resolve(self.database.path)

    def profile(self, key: str) -> ProfileSettings | None:
        return next((p for p in self.profiles if p.key == key), None)


# --- validation -------------------------------------------------------------------------------

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("email", "security"): ("none", "starttls", "tls"),
    ("recipients", "frequency"): ("daily", "weekly"),
    ("recipients", "language"): ("en", "fr"),
    ("ui", "language"): ("en", "fr"),
    ("feeds", "kind"): SOURCE_KINDS,
}


# Allowed ranges of numbers: (section, key) -> (lowest, highest, lowest excluded). Every other number is
# refused when negative or above MAX_NUMBER; NaN and infinity (valid TOML floats) are refused everywhere.
MAX_NUMBER = 1_000_000_000
RANGES: dict[tuple[str, str], tuple[float, float, bool]] = {
    ("crawler", "timeout_seconds"): (0, 3600, True),
    ("crawler", "connect_timeout_seconds"): (0, 3600, True),
    ("crawler", "read_timeout_seconds"): (0, 3600, True),
    ("crawler", "max_bytes"): (1, 2_000_000_000, False),
    ("crawler", "max_redirects"): (0, 30, False),
    ("crawler", "concurrency"): (1, 1000, False),
    ("crawler", "per_host"): (1, 100, False),
    ("crawler", "max_consecutive_failures"): (1, 100_000, False),
    ("crawler", "min_interval_minutes"): (0, 525_600, False),
    ("crawler", "max_backoff_hours"): (0, 8760, True),
    ("crawler", "parse_workers"): (0, 256, False),
    ("scoring", "batch_size"): (1, 8192, False),
    ("scoring", "cluster_window_days"): (1, 3650, False),
    ("scoring", "cluster_threshold"): (0, 1, False),
    ("scoring", "feedback_min_labels"): (1, 1_000_000, False),
    ("email", "smtp_port"): (1, 65535, False),
    ("email", "timeout_seconds"): (0, 3600, True),
    ("recipients", "min_score"): (0, 1, False),
    ("recipients", "max_stories"): (1, 1000, False),
    ("schedule", "crawl_every_minutes"): (1, 525_600, False),
    ("schedule", "crawl_jitter_seconds"): (0, 86_400, False),
    ("schedule", "misfire_grace_seconds"): (1, 604_800, False),
    ("retention", "max_age_days"): (1, 36_500, False),
}


class _Loader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> typing.NoReturn:
        raise ConfigError(f"{self.source}: {where}: {message}")

    def build(self, cls: type, data: Any, where: str, section: str):
        if not isinstance(data, dict):
            self.fail(where, f"expected a table, got {type(data).__name__}")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
        known = set(fields)
        if cls is EmailSettings:
            known.discard("recipients")
        for key in data:
            if key not in fields:
                self.fail(f"{where}.{key}" if where else key, f"unknown key (known: {', '.join(sorted(known))})")
        kwargs = {}
        for name, f in fields.items():
            key_where = f"{where}.{name}" if where else name
            if name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    self.fail(key_where, "required key is missing")
                continue
            kwargs[name] = self.convert(hints[name], data[name], key_where, section, name)
        return cls(**kwargs)

    def check_range(self, value: float, where: str, section: str, name: str) -> None:
        low, high, low_excluded = RANGES.get((section, name), (0, MAX_NUMBER, False))
        if low_excluded and value <= low:
            self.fail(where, f"must be greater than {low} and at most {high:_}, got {value}")
        if value < low or value > high:
            self.fail(where, f"must be between {low} and {high:_}, got {value}")

    def convert(self, hint: Any, value: Any, where: str, section: str, name: str):
        origin = typing.get_origin(hint)
        if origin is tuple:
            (item_type, _ellipsis) = typing.get_args(hint)
            if not isinstance(value, list):
                self.fail(where, f"expected a list, got {type(value).__name__}")
            return tuple(self.convert(item_type, v, f"{where}[{i}]", name, name) for i, v in enumerate(value))
        if origin in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.build(hint, value, where, name)
        if hint is bool:
            if not isinstance(value, bool):
                self.fail(where, f"expected true or false, got {value!r}")
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(where, f"expected an integer, got {value!r}")
            self.check_range(value, where, section, name)
            return value
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(where, f"expected a number, got {value!r}")
            if not math.isfinite(value):
                self.fail(where, f"expected a finite number, got {value!r}")
            self.check_range(value, where, section, name)
            return float(value)
        if hint is str:
            if not isinstance(value, str):
                self.fail(where, f"expected a string, got {value!r}")
            choices = CHOICES.get((section, name))
            if choices and value not in choices:
                self.fail(where, f"expected one of {', '.join(choices)}, got {value!r}")
            return value
        self.fail(where, f"unsupported type {hint}")


def _check_unique(loader: _Loader, items, attr: str, where: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, attr)
        norm = value.strip().lower() if isinstance(value, str) else value
        if norm in seen:
            loader.fail(f"{where}[{i}].{attr}", f"duplicate {attr} {value!r}")
        seen.add(norm)


def parse_settings(data: dict, source: str = "<config>", path: Path | None = None) -> Settings:
    """Validate a parsed TOML document into :class:`Settings`."""
    from config.topics import default_topics

    loader = _Loader(source)
    data = dict(data)
    email = data.get("email")
    recipients: list = []
    if isinstance(email, dict):
        email = dict(email)
        recipients = email.pop("recipients", [])
        data["email"] = email
    settings: Settings = loader.build(Settings, data, "", "")
    recips = loader.convert(tuple[Recipient, ...], recipients, "email.recipients", "recipients", "recipients")
    settings = dataclasses.replace(settings, source=path, email=dataclasses.replace(settings.email, recipients=recips))
    if not settings.topics:
        settings = dataclasses.replace(settings, topics=default_topics())
    _check_unique(loader, settings.feeds, "url", "feeds")
    _check_unique(loader, settings.topics, "key", "topics")
    _check_unique(loader, settings.profiles, "key", "profiles")
    for i, feed in enumerate(settings.feeds):
        if not feed.url.lower().startswith(("http://", "https://")):
            loader.fail(f"feeds[{i}].url", f"expected an http(s) URL, got {feed.url!r}")
    profile_keys = {p.key for p in settings.profiles}
    for i, r in enumerate(settings.email.recipients):
        for key in r.profiles:
            if key not in profile_keys:
                loader.fail(f"email.recipients[{i}].profiles", f"unknown profile {key!r}")
        if r.min_score > 1:
            loader.fail(f"email.recipients[{i}].min_score", "must be between 0 and 1")
    _check_schedule(loader, settings.schedule)
    return dataclasses.replace(settings, glossary=_check_glossary(loader, settings.glossary))


def _check_glossary(loader: _Loader, entries: tuple[GlossaryEntry, ...]) -> tuple[GlossaryEntry, ...]:
    """Every entry has at least one English and one French term, each with a letter or digit; trimmed."""
    out = []
    for i, entry in enumerate(entries):
        terms = {}
        for lang in ("en", "fr"):
            values = getattr(entry, lang)
            if not values:
                loader.fail(f"glossary[{i}].{lang}", "expected at least one term")
            for j, value in enumerate(values):
                if not any(ch.isalnum() for ch in value):
                    loader.fail(f"glossary[{i}].{lang}[{j}]", f"expected a term with letters or digits, got {value!r}")
            terms[lang] = tuple(v.strip() for v in values)
        out.append(GlossaryEntry(**terms))
    return tuple(out)


def _check_schedule(loader: _Loader, schedule: ScheduleSettings) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        loader.fail("schedule.timezone", f"unknown time zone {schedule.timezone!r}")
    from apscheduler.triggers.cron import CronTrigger

    for name in ("daily_digest", "weekly_digest", "retention"):
        expr = getattr(schedule, name)
        try:
            CronTrigger.from_crontab(expr)
        except ValueError as exc:
            loader.fail(f"schedule.{name}", f"invalid cron expression {expr!r} ({exc})")
    if schedule.crawl_every_minutes < 1:
        loader.fail("schedule.crawl_every_minutes", "must be at least 1")


_loaded_glossary: tuple[GlossaryEntry, ...] = ()


def loaded_glossary() -> tuple[GlossaryEntry, ...]:
    """The `[[glossary]]` entries of the config file this process loaded last (empty before any): the
    process-wide company glossary that scoring/glossary.py adds to the shipped one."""
    return _loaded_glossary


def load_settings(path: str | Path | None = None) -> Settings:
    """Load and validate a TOML config file; raise ConfigError with one line on any problem.

    Its `[[glossary]]` entries become the process's company glossary (:func:`loaded_glossary`)."""
    global _loaded_glossary
    p = Path(path) if path else default_config_path()
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: config file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML ({exc})") from None
    settings = parse_settings(data, str(p), p.resolve())
    _loaded_glossary = settings.glossary
    return settings
