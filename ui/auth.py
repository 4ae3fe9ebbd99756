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

import contextlib
import functools
import ipaddress
import math
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from config.errors import ConfigError, ValidationError, terms

ROLES = ("editor", "viewer")
LOCAL_USER = "local"
COOKIE_NAME = "veille_auth"
COOKIE_KEY_ENV = "VEILLE_UI_COOKIE_KEY"
MIN_PASSWORD = 8
MIN_COOKIE_KEY = 32  # characters; a shorter signing key is refused (`veille ui` exits 2, the app says one line)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
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


def _reason(exc: BaseException) -> str:
    """One short line for an OS or YAML error (no path repeated, no multi-line context)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        return f"{exc.problem or exc.context or 'invalid YAML'}{where}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_credentials(path: Path) -> dict:
    """The credentials mapping of `path`, every entry checked; an absent file holds no user.

    A malformed file (not a mapping, an entry without a bcrypt password hash, an unknown role) is refused with
    one line (ConfigError) rather than half-used: a user silently missing or demoted is worse than a clear stop.
    """
    if path.is_dir():
        raise ConfigError(f"{path}: the users file is a folder; point [ui] auth_file at a file",
                          key="err.users.folder", path=str(path))
    if not path.exists():
        return {"usernames": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the users file ({_reason(exc)})", key="err.users.read",
                          path=str(path), detail=_reason(exc)) from None
    if data is None:  # empty, or comments only
        return {"usernames": {}}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the users file must be a mapping with credentials.usernames, "
                          f"not a {type(data).__name__}", key="err.users.not_mapping", path=str(path),
                          got=type(data).__name__)
    creds = data.get("credentials")
    users = creds.get("usernames") if isinstance(creds, dict) else None
    if creds is not None and not isinstance(creds, dict):
        raise ConfigError(f"{path}: credentials must be a mapping", key="err.users.credentials", path=str(path))
    if users is None:
        return {"usernames": {}}
    if not isinstance(users, dict):
        raise ConfigError(f"{path}: credentials.usernames must be a mapping", key="err.users.usernames",
                          path=str(path))
    for name, entry in users.items():
        _check_entry(path, name, entry)
    return {"usernames": users}


def _check_entry(path: Path, name, entry) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{path}: invalid user name {name!r}: letters, digits, . _ @ - (max 64)",
                          key="err.users.bad_name_in", path=str(path), user=str(name))
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: user {name!r} must be a mapping with a password hash and roles",
                          key="err.users.entry", path=str(path), user=str(name))
    password = entry.get("password")
    if not password:
        raise ConfigError(f"{path}: user {name!r} has no password: set one with `veille users add {name} --replace`",
                          key="err.users.no_password", path=str(path), user=str(name))
    if not isinstance(password, str) or not _BCRYPT.match(password):
        raise ConfigError(f"{path}: user {name!r}: the password is not a bcrypt hash "
                          f"(set it with `veille users add {name} --replace`)", key="err.users.not_bcrypt",
                          path=str(path), user=str(name))
    roles = entry.get("roles", ["viewer"])
    if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
        raise ConfigError(f"{path}: user {name!r}: roles must be a list of {', '.join(ROLES)}, got {roles!r}",
                          key="err.users.roles", path=str(path), user=str(name), allowed=terms("role", ROLES),
                          got=repr(roles))


def list_users(path: Path) -> list[UserAccount]:
    users = load_credentials(path)["usernames"]
    return [UserAccount(name, role_of(entry.get("roles"))) for name, entry in sorted(users.items())]


def role_of(roles) -> str:
    """`editor` if the roles list holds it, else `viewer` (the least privilege)."""
    return "editor" if isinstance(roles, list | tuple) and "editor" in roles else "viewer"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"password too short: at least {MIN_PASSWORD} characters", key="err.users.password",
                              min=MIN_PASSWORD)


def add_user(path: Path, name: str, password: str, role: str, *, replace: bool = False) -> UserAccount:
    """Add (or with `replace`, update) a user; the password is stored only as a bcrypt hash."""
    if not _NAME.match(name):
        raise ValidationError(f"invalid user name {name!r}: letters, digits, . _ @ - (max 64)",
                              key="err.users.bad_name", user=name)
    if role not in ROLES:
        raise ValidationError(f"invalid role {role!r}: expected one of {', '.join(ROLES)}", key="err.role.unknown",
                              allowed=terms("role", ROLES), got=str(role))
    check_password(password)
    creds = load_credentials(path)
    if name in creds["usernames"] and not replace:
        raise ValidationError(f"user {name!r} already exists in {path}", key="err.users.exists", user=name,
                              path=str(path))
    hashed = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")
    creds["usernames"][name] = {"name": name, "email": "", "password": hashed, "roles": [role]}
    _write(path, creds)
    return UserAccount(name, role)


def _write(path: Path, creds: dict) -> None:
    """Write the users file atomically: a private temporary file next to it, then a rename.

    An existing file is never truncated: if anything fails (read-only folder, disk full) it stays as it was and
    the temporary file is removed; the failure is one line (ConfigError, exit 2).
    """
    text = "# veille app users: bcrypt hashes only. Manage with `veille users`.\n"
    text += yaml.safe_dump({"credentials": creds}, sort_keys=True, allow_unicode=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the users file ({_reason(exc)})", key="err.users.write",
                          path=str(path), detail=_reason(exc)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ConfigError(f"{path}: cannot write the users file ({_reason(exc)})", key="err.users.write",
                          path=str(path), detail=_reason(exc)) from None


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


def cookie_key() -> str:
    """The sign-in cookie signing key: $VEILLE_UI_COOKIE_KEY (at least 32 characters) or a per-process random one."""
    key = os.environ.get(COOKIE_KEY_ENV)
    if key is None:
        return _PROCESS_KEY
    if len(key) < MIN_COOKIE_KEY:
        raise ConfigError(
            f"{COOKIE_KEY_ENV} is too short ({len(key)} characters): use at least {MIN_COOKIE_KEY} random "
            f"characters (e.g. the output of `openssl rand -hex 32`), or unset it",
            key="err.users.cookie_key", env=COOKIE_KEY_ENV, length=len(key), min=MIN_COOKIE_KEY,
        )
    return key


# --- sign-in throttling ---------------------------------------------------------------------------

MAX_FAILURES = 5  # failed sign-ins allowed for a user name (or a client) before a delay applies
BASE_DELAY = 30.0  # seconds after the MAX_FAILURES-th failure; doubles with every further failure
MAX_DELAY = 900.0
FORGET_AFTER = 86_400.0  # a key quiet for this long starts again from zero
MAX_KEYS = 10_000  # the store stays small whatever an attacker sends: the oldest keys go first


class LoginThrottle:
    """Failed sign-ins counted per user name and per client, in the server process.

    After MAX_FAILURES failures for a key, further attempts for it are refused (without checking the password)
    until BASE_DELAY seconds after the last failure, doubling with each further failure up to MAX_DELAY. The
    counts live in the process, not in the browser session, so reloading the page does not reset them (a
    server restart does). Uses monotonic time: a wall-clock change neither unlocks nor extends a delay.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, limit: int = MAX_FAILURES,
                 base: float = BASE_DELAY, cap: float = MAX_DELAY) -> None:
        self.clock = clock
        self.limit, self.base, self.cap = limit, base, cap
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (failures, time of the last failure)

    def _delay(self, failures: int) -> float:
        if failures < self.limit:
            return 0.0
        return min(self.cap, self.base * 2 ** (failures - self.limit))

    def wait(self, keys: Iterable[str]) -> int:
        """Whole seconds before another attempt is allowed for all of `keys` (0: allowed now)."""
        now = self.clock()
        left = 0.0
        with self._lock:
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                left = max(left, last + self._delay(count) - now)
        return math.ceil(left) if left > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                count, last = self._failures.pop(key, (0, now))
                if now - last > FORGET_AFTER:
                    count = 0
                self._failures[key] = (count + 1, now)  # re-inserted: dict order is least recently failed first
            while len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


THROTTLE = LoginThrottle()


def throttle_keys(username: str, client: str) -> tuple[str, str]:
    """The throttle's keys for an attempt: the user name as typed (case-folded) and the client."""
    return f"user:{username.strip().casefold()}", f"client:{client}"


@functools.cache
def _dummy_hash() -> bytes:
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt())


def verify_password(creds: dict, username: str, password: str) -> bool:
    """True when `username` exists and `password` matches its hash (an unknown name costs the same time)."""
    entry = creds["usernames"].get(username)
    hashed = entry.get("password") if isinstance(entry, dict) else None
    try:
        ok = bcrypt.checkpw(password.encode("utf-8"), (hashed or "").encode("ascii") or _dummy_hash())
    except (ValueError, UnicodeEncodeError):
        return False
    return ok and bool(hashed)


# --- the login gate (runs inside Streamlit) ----------------------------------------------------


def signed_in(settings) -> UserAccount | None:
    """The signed-in account from the session, without drawing anything (None: show the login page).

    Without an auth file the app is a local single-user editor (the CLI binds it to loopback only).
    A bad users file or a too short cookie key raises ConfigError (the app shows it as one line).
    """
    import streamlit as st

    cookie_key()  # refused before anything else, as `veille ui` does
    path = auth_path(settings)
    if path is None:
        return UserAccount(LOCAL_USER, "editor")
    users = load_credentials(path)["usernames"]  # checked on every run, signed in or not
    if not st.session_state.get("authentication_status"):
        return None
    name = st.session_state.get("username") or ""
    if name not in users:  # removed from the file since signing in
        st.session_state["authentication_status"] = None
        return None
    return UserAccount(name, role_of(users[name].get("roles")))


def _authenticator(settings):
    import streamlit_authenticator as stauth

    creds = load_credentials(auth_path(settings))
    return stauth.Authenticate(creds, COOKIE_NAME, cookie_key(), 1.0, auto_hash=False, login_sleep_time=0.0), creds


def _client_id() -> str:
    """Who is trying: the client address when Streamlit knows it (it survives a reload), else the session."""
    import streamlit as st

    ip = getattr(st.context, "ip_address", None)  # None for a loopback client
    if isinstance(ip, str) and ip:
        return f"ip:{ip}"
    return "session:" + st.session_state.setdefault("veille_login_client", secrets.token_hex(16))


def login_page(settings) -> None:
    """The sign-in form, throttled (see LoginThrottle); a valid session cookie signs in without it.

    streamlit-authenticator keeps the cookie (reading it here, setting it on success) and the log-out; the
    password check is ours so that a throttled attempt never reaches bcrypt.
    """
    import streamlit as st

    from ui.i18n import t

    authenticator, creds = _authenticator(settings)
    authenticator.login(location="unrendered")  # a valid cookie signs in here, drawing nothing
    if st.session_state.get("authentication_status") and st.session_state.get("username") in creds["usernames"]:
        st.rerun()
    st.title(t("login.title"))
    st.caption(t("app.tagline"))
    if not creds["usernames"]:
        st.warning(t("login.no_users"))
        return
    with st.form("veille_login"):
        username = st.text_input(t("login.username"), key="veille_login_user", autocomplete="off")
        password = st.text_input(t("login.password"), type="password", key="veille_login_password",
                                 autocomplete="off")
        submitted = st.form_submit_button(t("login.submit"))
    if not submitted or not username.strip():
        return
    keys = throttle_keys(username, _client_id())
    wait = THROTTLE.wait(keys)
    if wait:
        st.error(t("login.throttled", seconds=wait))
        return
    name = username.strip()
    if not verify_password(creds, name, password):
        THROTTLE.failed(keys)
        st.session_state["authentication_status"] = False
        wait = THROTTLE.wait(keys)
        st.error(t("login.throttled", seconds=wait) if wait else t("login.failed"))
        return
    THROTTLE.succeeded(keys)
    entry = creds["usernames"][name]
    st.session_state.update({"authentication_status": True, "username": name, "name": entry.get("name") or name,
                             "email": entry.get("email"), "roles": entry.get("roles")})
    authenticator.cookie_controller.set_cookie()
    st.rerun()  # signed in: draw the app from a clean page


def logout_button(settings, label: str) -> None:
    """A sidebar log-out button; the app reruns to the sign-in page once pressed."""
    import streamlit as st

    authenticator, _creds = _authenticator(settings)
    authenticator.logout(label, location="sidebar", key="veille_logout")
    if not st.session_state.get("authentication_status"):
        st.rerun()
