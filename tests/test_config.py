"""Config errors: one line naming the file and the key; exit code 2 through the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from config.errors import ConfigError
from config.settings import load_settings
from veille.cli import main

CASES = [
    ("[crawler]\ntimeout_secs = 3\n", "crawler.timeout_secs", "unknown key"),
    ("[crawler]\nconcurrency = \"many\"\n", "crawler.concurrency", "expected an integer"),
    ("[crawler]\nallow_private_networks = 1\n", "crawler.allow_private_networks", "expected true or false"),
    ('[[feeds]]\nurl = "https://a.example/feed"\n[[feeds]]\nurl = "https://A.example/feed"\n', "feeds[1].url",
     "duplicate"),
    ('[[profiles]]\nkey = "ops"\nname = "Ops"\n[[profiles]]\nkey = "ops"\nname = "Ops 2"\n', "profiles[1].key",
     "duplicate"),
    ('[schedule]\ndaily_digest = "every morning"\n', "schedule.daily_digest", "invalid cron"),
    ('[[feeds]]\nurl = "file:///etc/passwd"\n', "feeds[0].url", "http(s) URL"),
    ("[crawler\n", "", "invalid TOML"),
]


@pytest.mark.parametrize(("body", "key", "message"), CASES)
def test_config_error_names_file_and_key(tmp_path, body, key, message):
    path = tmp_path / "veille.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = str(info.value)
    assert "\n" not in text
    assert str(path) in text and key in text and message in text
    result = CliRunner().invoke(main, ["--config", str(path), "feeds", "list"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and key in result.stderr and str(path) in result.stderr


def test_missing_config_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="not found"):
        load_settings(path)
    result = CliRunner().invoke(main, ["--config", str(path), "crawl"])
    assert result.exit_code == 2 and str(path) in result.stderr and "not found" in result.stderr


def test_minimal_config_takes_defaults(tmp_path):
    path = tmp_path / "veille.toml"
    path.write_text("", encoding="utf-8")
    settings = load_settings(path)
    assert settings.feeds == () and len(settings.topics) >= 6
    assert settings.crawler.allow_private_networks is False
