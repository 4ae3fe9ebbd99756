"""Settings schema, loader and the shipped default configuration."""

from config.settings import (
    CrawlerSettings,
    DatabaseSettings,
    EmailSettings,
    FeedSettings,
    GlossaryEntry,
    ProfileSettings,
    Recipient,
    RetentionSettings,
    ScheduleSettings,
    ScoringSettings,
    Settings,
    TopicSettings,
    UISettings,
    default_config_path,
    load_settings,
)

__all__ = [
    "CrawlerSettings",
    "DatabaseSettings",
    "EmailSettings",
    "FeedSettings",
    "GlossaryEntry",
    "ProfileSettings",
    "Recipient",
    "RetentionSettings",
    "ScheduleSettings",
    "ScoringSettings",
    "Settings",
    "TopicSettings",
    "UISettings",
    "default_config_path",
    "load_settings",
]
