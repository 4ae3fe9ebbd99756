"""The fetch path uses httpx and httpcore through their public APIs only.

A scan of watcher/'s source: no private module or name of either package (``httpx._...``,
``httpcore._...``), and none of the private attributes our code once set or read on their objects
(``._pool``, ``._transport`` of an httpx client, ``._connections``...). Private names of our own
objects (``self._timeout``) are fine; what is checked is any underscore attribute reached from an
httpx or httpcore name, and a short list of their internals' names anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpcore
import httpx

WATCHER = Path(__file__).resolve().parent.parent / "watcher"

# `httpx._models`, `httpcore._async`, `from httpx._config import ...`, `import httpcore._backends`
PRIVATE_MODULE = re.compile(r"\b(httpx|httpcore)\s*\.\s*_\w*")
# Names of httpx's and httpcore's internals that our code must never reach into, on any object.
PRIVATE_ATTRIBUTES = re.compile(
    r"\.\s*_(pool|transport|connections|requests|network_backend|network_stream|ssl_context"
    r"|connection|h11_state|state|stream|httpcore_stream|optional_thread_lock|origin|expire_at"
    r"|keepalive_expiry|max_connections|max_keepalive_connections|assign_requests_to_connections"
    r"|close_connections|mounts|trust_env)\b"
)
# `something_from_httpx._x`: an attribute with a leading underscore on a name bound to an httpx or
# httpcore object in the same line (httpx.AsyncClient(...)._x, httpcore.URL(...)._x).
CHAINED = re.compile(r"\b(httpx|httpcore)\.\w+(\([^()]*\))?\._\w+")


def _sources() -> list[Path]:
    files = sorted(WATCHER.rglob("*.py"))
    assert files, WATCHER
    return files


def _hits(pattern: re.Pattern[str]) -> list[str]:
    hits = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                hits.append(f"{path.relative_to(WATCHER.parent)}:{number}: {line.strip()}")
    return hits


def test_no_private_module_or_name_of_httpx_or_httpcore():
    assert _hits(PRIVATE_MODULE) == []


def test_no_private_attribute_of_their_objects():
    assert _hits(PRIVATE_ATTRIBUTES) == []
    assert _hits(CHAINED) == []


def test_the_scan_sees_what_it_looks_for():
    """The patterns catch the private uses the fetch path used to have (so an empty result means something)."""
    for line in ("self._pool = pool", "fetcher._transport._pool", "from httpx._config import Limits",
                 "httpcore._backends.auto.AutoBackend()", "pool._connections", "httpx.Client()._transport"):
        assert PRIVATE_MODULE.search(line) or PRIVATE_ATTRIBUTES.search(line) or CHAINED.search(line), line
    for line in ("self._timeout = {}", "self._hosts[host]", "httpx.AsyncBaseTransport", "httpcore.AnyIOBackend()"):
        assert not (PRIVATE_MODULE.search(line) or PRIVATE_ATTRIBUTES.search(line) or CHAINED.search(line)), line


def test_the_public_names_the_fetch_path_relies_on_exist():
    for name in ("AsyncConnectionPool", "AsyncNetworkBackend", "AnyIOBackend", "Request", "URL",
                 "RemoteProtocolError", "ReadError", "WriteError", "ConnectError", "TimeoutException"):
        assert name in httpcore.__all__, name
    for name in ("AsyncBaseTransport", "AsyncByteStream", "Request", "Response", "RemoteProtocolError"):
        assert name in httpx.__all__, name


def test_the_fetcher_subclasses_only_public_classes():
    from watcher.fetcher import PoolTransport
    from watcher.netguard import GuardedBackend

    assert PoolTransport.__mro__[1] is httpx.AsyncBaseTransport
    assert GuardedBackend.__mro__[1] is httpcore.AsyncNetworkBackend
    assert isinstance(GuardedBackend(settings=None).inner, httpcore.AnyIOBackend)  # type: ignore[arg-type]
