"""Who may use the app: a YAML file of bcrypt-hashed users with roles, and the login gate.

The file uses streamlit-authenticator's credentials layout so it can be handed to it as is::

    credentials:
      usernames:
        alice: {name: alice, email: "", password: "$2b$12$...", roles: [editor]}

Roles: ``editor`` (changes statuses, scorecards, feeds, profiles) and ``viewer`` (reads only).
No auth file configured means a local single-user editor, and `veille ui` then refuses any address
other than loopback.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from watcher.errors import ConfigError, ValidationError

ROLES = ("editor", "viewer")
LOCAL_USER = "local"
COOKIE_NAME = "veille_auth"
COOKIE_KEY_ENV = "VEILLE_UI_COOKIE_KEY"
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# A process-wide random key when none is given: sessions then do not survive a restart, which is safe.
_PROCESS_KEY = secrets.token_hex(32)


@dataclass(frozen=True)
class UserAccount:
    name: str
    role: str


def auth_path(settings) -> Path | None:
    """The configured auth file (resolved against the config folder), or None when auth is off."""
    configured = settings.ui.auth_file.strip()
    return settings.resolve(configured) if configured else None


def load_credentials(path: Path) -> dict:
    """The credentials mapping of `path`; an absent file holds no user."""
    if not path.exists():
        return {"usernames": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the users file ({exc})") from None
    creds = data.get("credentials") if isinstance(data, dict) else None
    users = creds.get("usernames") if isinstance(creds, dict) else None
    if users is None:
        return {"usernames": {}}
    if not isinstance(users, dict):
        raise ConfigError(f"{path}: credentials.usernames must be a mapping")
    return {"usernames": users}


def list_users(path: Path) -> list[UserAccount]:
    users = load_credentials(path)["usernames"]
    return [UserAccount(name, role_of(entry.get("roles"))) for name, entry in sorted(users.items())]


def role_of(roles) -> str:
    """`editor` if the roles list holds it, else `viewer` (the least privilege)."""
    return "editor" if isinstance(roles, list | tuple) and "editor" in roles else "viewer"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"password too short: at least {MIN_PASSWORD} characters")


def add_user(path: Path, name: str, password: str, role: str, *, replace: bool = False) -> UserAccount:
    """Add (or with `replace`, update) a user; the password is stored only as a bcrypt hash."""
    if not _NAME.match(name):
        raise ValidationError(f"invalid user name {name!r}: letters, digits, . _ @ - (max 64)")
    if role not in ROLES:
        raise ValidationError(f"invalid role {role!r}: expected one of {', '.join(ROLES)}")
    check_password(password)
    creds = load_credentials(path)
    if name in creds["usernames"] and not replace:
        raise ValidationError(f"user {name!r} already exists in {path}")
    hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")
    creds["usernames"][name] = {"name": name, "email": "", "password": hashed, "roles": [role]}
    _write(path, creds)
    return UserAccount(name, role)


def _write(path: Path, creds: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = "# veille app users: bcrypt hashes only. Manage with `veille users`.\n"
    text += yaml.safe_dump({"credentials": creds}, sort_keys=True, allow_unicode=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def auth_configured(settings) -> bool:
    """True when an auth file is configured and holds at least one user."""
    path = auth_path(settings)
    return path is not None and bool(load_credentials(path)["usernames"])


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- the login gate (runs inside Streamlit) ----------------------------------------------------


def signed_in(settings) -> UserAccount | None:
    """The signed-in account from the session, without drawing anything (None: show the login page).

    Without an auth file the app is a local single-user editor (the CLI binds it to loopback only).
    """
    import streamlit as st

    path = auth_path(settings)
    if path is None:
        return UserAccount(LOCAL_USER, "editor")
    if not st.session_state.get("authentication_status"):
        return None
    users = load_credentials(path)["usernames"]
    name = st.session_state.get("username") or ""
    if name not in users:  # removed from the file since signing in
        st.session_state["authentication_status"] = None
        return None
    return UserAccount(name, role_of(users[name].get("roles")))


def _authenticator(settings):
    import streamlit_authenticator as stauth

    creds = load_credentials(auth_path(settings))
    key = os.environ.get(COOKIE_KEY_ENV) or _PROCESS_KEY
    return stauth.Authenticate(creds, COOKIE_NAME, key, 1.0, auto_hash=False, login_sleep_time=0.0), creds


def login_page(settings) -> None:
    """The sign-in form (streamlit-authenticator; a valid session cookie signs in without it)."""
    import streamlit as st

    from ui.i18n import t

    authenticator, creds = _authenticator(settings)
    st.title(t("login.title"))
    st.caption(t("app.tagline"))
    if not creds["usernames"]:
        st.warning(t("login.no_users"))
        return
    fields = {"Form name": " ", "Username": t("login.username"), "Password": t("login.password"),
              "Login": t("login.submit")}
    authenticator.login(location="main", fields=fields, key="veille_login")
    status = st.session_state.get("authentication_status")
    if status:
        st.rerun()  # signed in: draw the app from a clean page
    if status is False:
        st.error(t("login.failed"))


def logout_button(settings, label: str) -> None:
    """A sidebar log-out button; the app reruns to the sign-in page once pressed."""
    import streamlit as st

    authenticator, _creds = _authenticator(settings)
    authenticator.logout(label, location="sidebar", key="veille_logout")
    if not st.session_state.get("authentication_status"):
        st.rerun()
