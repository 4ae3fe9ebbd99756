"""`veille ui` refuses unsafe addresses; `veille users` manages the bcrypt users file."""

from __future__ import annotations

import json

import bcrypt
import pytest
import yaml
from click.testing import CliRunner

from ui.auth import is_loopback, list_users
from veille.cli import main
from veille.cli.app import streamlit_command

AUTH = '[ui]\nauth_file = "users.yaml"\n'


def run(config, *args, env=None, input=None):
    return CliRunner().invoke(main, ["--config", str(config), *args], env=env, input=input)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_ui_refuses_non_loopback_without_auth(tmp_config, host):
    path, _settings = tmp_config()
    result = run(path, "ui", "--host", host)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "refusing" in lines[0] and host in lines[0]


def test_ui_refuses_when_auth_file_has_no_user(tmp_config):
    path, _settings = tmp_config(AUTH)
    result = run(path, "ui", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "veille users init" in result.output


def test_ui_rejects_bad_port(tmp_config):
    path, _settings = tmp_config()
    assert run(path, "ui", "--port", "70000").exit_code == 2


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("127.0.0.2") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("myhost")


def test_streamlit_command_is_headless_without_usage_stats():
    args = streamlit_command("127.0.0.1", 8600)
    joined = " ".join(args)
    assert args[1:4] == ["-m", "streamlit", "run"] and args[4].endswith("ui/app.py")
    assert "--server.address 127.0.0.1" in joined and "--server.port 8600" in joined
    assert "--server.headless true" in joined and "--browser.gatherUsageStats false" in joined


def test_users_add_and_list(tmp_config):
    path, settings = tmp_config(AUTH)
    env = {"PW1": "correct horse battery", "PW2": "another secret 42"}
    first = run(path, "users", "add", "alice", "--role", "editor", "--password-env", "PW1", env=env)
    assert first.exit_code == 0, first.output
    second = run(path, "users", "add", "bob", "--role", "viewer", "--password-env", "PW2", env=env)
    assert second.exit_code == 0, second.output

    stored = yaml.safe_load((path.parent / "users.yaml").read_text())["credentials"]["usernames"]
    assert stored["alice"]["roles"] == ["editor"] and stored["bob"]["roles"] == ["viewer"]
    assert "correct horse" not in (path.parent / "users.yaml").read_text()
    assert bcrypt.checkpw(b"correct horse battery", stored["alice"]["password"].encode())
    assert not bcrypt.checkpw(b"wrong", stored["alice"]["password"].encode())

    listed = run(path, "users", "list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.output) == [{"name": "alice", "role": "editor"}, {"name": "bob", "role": "viewer"}]
    plain = run(path, "users", "list")
    assert "alice\teditor" in plain.output and "password" not in plain.output


def test_users_add_prompts_for_password(tmp_config):
    path, _settings = tmp_config(AUTH)
    result = run(path, "users", "add", "carol", "--role", "viewer", input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert [(u.name, u.role) for u in list_users(path.parent / "users.yaml")] == [("carol", "viewer")]


def test_users_add_rejects_bad_input(tmp_config):
    path, _settings = tmp_config(AUTH)
    env = {"PW": "long enough password", "SHORT": "abc"}
    assert run(path, "users", "add", "dan", "--password-env", "SHORT", env=env).exit_code == 2
    assert run(path, "users", "add", "bad name!", "--password-env", "PW", env=env).exit_code == 2
    assert run(path, "users", "add", "dan", "--role", "admin", "--password-env", "PW", env=env).exit_code == 2
    assert run(path, "users", "add", "dan", "--password-env", "UNSET_VAR", env=env).exit_code == 2
    assert run(path, "users", "add", "dan", "--password-env", "PW", env=env).exit_code == 0
    duplicate = run(path, "users", "add", "dan", "--password-env", "PW", env=env)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output


def test_users_init_creates_first_editor_once(tmp_config):
    path, _settings = tmp_config(AUTH)
    env = {"PW": "first editor pass"}
    result = run(path, "users", "init", "admin", "--password-env", "PW", env=env)
    assert result.exit_code == 0, result.output
    assert [(u.name, u.role) for u in list_users(path.parent / "users.yaml")] == [("admin", "editor")]
    again = run(path, "users", "init", "other", "--password-env", "PW", env=env)
    assert again.exit_code == 2 and "already has users" in again.output


def test_users_need_an_auth_file_setting(tmp_config):
    path, _settings = tmp_config()
    result = run(path, "users", "list")
    assert result.exit_code == 2
    assert "auth_file" in result.output and len(result.output.strip().splitlines()) == 1
