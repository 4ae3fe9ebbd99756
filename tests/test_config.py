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


def test_topics_have_one_home_the_shipped_config(tmp_path):
    """The built-in topics are the shipped config's `[[topics]]` (read once, not a second copy in Python), and
    every one names a radar quadrant, so the radar does not fall back on guesses with the shipped config."""
    from config.settings import PACKAGE_DIR
    from config.topics import default_topics
    from ui.services.tools import QUADRANTS

    shipped = load_settings(PACKAGE_DIR / "veille.toml")
    assert shipped.topics == default_topics()
    assert [t.key for t in shipped.topics] == ["ai", "microlearning", "xr", "metaverse", "regulation", "platforms",
                                               "learning-science"]
    assert all(t.quadrant in QUADRANTS for t in shipped.topics), [(t.key, t.quadrant) for t in shipped.topics]
    assert {t.quadrant for t in shipped.topics} == set(QUADRANTS)  # every quadrant is fed by some topic
    path = tmp_path / "veille.toml"
    path.write_text("", encoding="utf-8")
    assert load_settings(path).topics == shipped.topics  # a config without [[topics]] takes the same set
    path.write_text('[[topics]]\nkey = "own"\nlabel = "Own topic"\n', encoding="utf-8")
    assert [t.key for t in load_settings(path).topics] == ["own"]  # ...and one with topics only its own
    import config.topics

    assert not any(isinstance(v, tuple) and v and isinstance(v[0], type(shipped.topics[0]))
                   for v in vars(config.topics).values())  # no topic literals left in Python
