"""`veille ui` (serve the Streamlit app) and `veille users` (who may sign in)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

import ui as ui_package  # the name `ui` is the command below
from config.errors import ConfigError, ValidationError
from config.settings import CONFIG_ENV, default_config_path
from ui.auth import (
    ROLES,
    add_user,
    auth_configured,
    auth_path,
    cookie_key,
    is_loopback,
    list_users,
    load_credentials,
)
from veille.cli import echo_json, pass_app

APP_FILE = Path(ui_package.__file__).resolve().parent / "app.py"  # the Streamlit entry point


def streamlit_command(host: str, port: int) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, no file watching."""
    from ui.theme import THEME

    args = [
        sys.executable, "-m", "streamlit", "run", str(APP_FILE),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
        # "none": an uncaught exception shows a generic line, never a traceback ("false" still shows one)
        "--client.showErrorDetails", "none",
    ]
    for key, value in THEME.items():
        args += [f"--theme.{key}", str(value)]
    return args


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@pass_app
def ui(app, host: str, port: int) -> None:
    """Serve the Streamlit app for the configured database.

    Binds 127.0.0.1 by default; any other address needs users configured ([ui] auth_file).
    """
    settings = app.settings  # validates the config before starting anything
    cookie_key()  # a VEILLE_UI_COOKIE_KEY shorter than 32 characters: exit 2, one line
    if not is_loopback(host) and not auth_configured(settings):
        raise ConfigError(
            f"refusing to serve on {host} without authentication: set [ui] auth_file and run `veille users init`"
        )
    config_path = Path(app.config_path) if app.config_path else default_config_path()
    env = dict(os.environ)
    env[CONFIG_ENV] = str(config_path.resolve())
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    click.echo(f"veille app on http://{host}:{port} (config {config_path})", err=True)
    app.close()
    sys.stdout.flush()
    sys.stderr.flush()
    command = streamlit_command(host, port)
    os.execve(command[0], command, env)  # the server replaces this process: signals reach it directly


@click.group("users")
def users() -> None:
    """Manage who may sign in to the app (file set by [ui] auth_file)."""


def _users_file(app) -> Path:
    path = auth_path(app.settings)
    if path is None:
        source = app.settings.source or "the config file"
        raise ConfigError(f'{source}: no [ui] auth_file configured (add `[ui] auth_file = "users.yaml"`)')
    return path


def _password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise ValidationError(f"environment variable {password_env} is empty or not set")
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True, help="What the user may do.")
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable.")
@click.option("--replace", is_flag=True, help="Update the user if it exists (new password and role).")
@pass_app
def users_add(app, name: str, role: str, password_env: str | None, replace: bool) -> None:
    """Add a user NAME with a role; the password is prompted (or read from --password-env)."""
    path = _users_file(app)
    account = add_user(path, name, _password(password_env), role, replace=replace)
    click.echo(f"user {account.name} ({account.role}) saved in {path}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def users_list(app, as_json: bool) -> None:
    """List users and their roles (never passwords)."""
    path = _users_file(app)
    accounts = list_users(path)
    if as_json:
        echo_json([{"name": a.name, "role": a.role} for a in accounts])
        return
    if not accounts:
        click.echo(f"no user in {path}: create the first editor with `veille users init`")
    for account in accounts:
        click.echo(f"{account.name}\t{account.role}")


@users.command("init")
@click.argument("name", required=False)
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable.")
@pass_app
def users_init(app, name: str | None, password_env: str | None) -> None:
    """First run: create the first editor (refused once users exist)."""
    path = _users_file(app)
    if load_credentials(path)["usernames"]:
        raise ValidationError(f"{path} already has users: use `veille users add`")
    name = name or click.prompt("Editor name", default="admin")
    account = add_user(path, name, _password(password_env), "editor")
    click.echo(f"first editor {account.name} created in {path}; start the app with `veille ui`")
