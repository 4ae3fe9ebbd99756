"""Refuse fetches that would reach private networks (SSRF guard).

Two layers, both applied to every hop of a fetch (redirects included):

1. :func:`check_url` is static: http(s) only, no credentials in the URL, a host, and, when the
   host is an IP literal in any spelling (``127.1``, ``0177.0.0.1``, ``0x7f000001``,
   ``2130706433``, ``[::ffff:127.0.0.1]``...), an address that is publicly routable. It gives early,
   clear errors before any network traffic.
2. :class:`GuardedBackend` is the httpcore network backend of the fetcher. When a connection is
   opened it resolves the host with the event loop's ``getaddrinfo``, checks **every** resolved
   address, and connects to one of those checked addresses (the connection is pinned to the IP that
   was checked; TLS still verifies the certificate against the host name).

Remaining gaps (documented, best effort): a connection reused from the keep-alive pool keeps the IP it
was opened to, which is the IP that was checked, so DNS rebinding cannot swap it; what stays out of
reach is anything outside our socket: an HTTP proxy (the fetcher therefore ignores proxy environment
variables), and a host on `private_allowlist`, which is trusted by name whatever it resolves to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import httpcore

from config.errors import BlockedAddressError, FetchError, Term
from config.settings import CrawlerSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

HINT = "(set [crawler] allow_private_networks = true to allow)"
DEFAULT_PORTS = {"http": 80, "https": 443}

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated addresses
# 1 to 4 dot-separated parts, each decimal, octal (leading 0) or hex (0x): what inet_aton accepts.
_NUMERIC_V4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


# --- classification -----------------------------------------------------------------------------


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a host string denotes if it is an IP literal in any spelling, else None.

    IPv4 follows ``inet_aton`` semantics (what the C resolver does with ``2130706433``, ``0177.0.0.1``,
    ``0x7f.1`` or ``127.1``); IPv6 may carry brackets and a zone id.
    """
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if h.endswith("."):  # "127.0.0.1." is still a numeric host to the resolver
        h = h[:-1]
    if ":" in h:
        try:
            return ipaddress.IPv6Address(h)
        except ValueError:
            return None
    if not _NUMERIC_V4.match(h):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(h))
    except OSError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address hidden in an IPv6 one (mapped, compatible, translated, NAT64, 6to4), if any."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip in _SIIT:
        return "IPv4-translated", low32
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return "IPv4-compatible", low32
    if any(ip in net for net in _NAT64):
        return "NAT64", low32
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    return None


def classify(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched ("a loopback address"...), or None when it is publicly routable."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            form, v4 = embedded
            reason = classify(v4)  # the IPv4 address is what the packets finally reach
            return None if reason is None else f"{form} {v4}, {reason}"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "a non-public address"
    return None


# --- allow-list ---------------------------------------------------------------------------------


def _norm_host(host: str) -> str:
    ip = parse_ip_host(host)
    if ip is not None:
        return str(ip).split("%", 1)[0]
    return host.strip().strip("[]").lower().rstrip(".")


def _parse_allow_entry(entry: str) -> tuple[str, int | None]:
    e = entry.strip()
    if e.startswith("["):  # [v6] or [v6]:port
        host, _, rest = e[1:].partition("]")
        return _norm_host(host), int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if e.count(":") == 1:
        host, _, port = e.partition(":")
        if port.isdigit():
            return _norm_host(host), int(port)
    return _norm_host(e), None


def is_allowlisted(host: str, port: int, allowlist: Iterable[str]) -> bool:
    """True if `host:port` matches a `private_allowlist` entry ("host" or "host:port")."""
    target = _norm_host(host)
    for entry in allowlist:
        ahost, aport = _parse_allow_entry(entry)
        if ahost == target and (aport is None or aport == port):
            return True
    return False


def _private_allowed(host: str, port: int, settings: CrawlerSettings) -> bool:
    return settings.allow_private_networks or is_allowlisted(host, port, settings.private_allowlist)


# --- checks -------------------------------------------------------------------------------------


def check_url(url: str, settings: CrawlerSettings) -> None:
    """Static checks of one URL (no network): scheme, credentials, host, IP literals in any spelling.

    Raises FetchError (bad URL) or BlockedAddressError (private address). Names are checked when the
    connection is opened, on every address they resolve to (see :class:`GuardedBackend`).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL {url!r} ({exc})", key="err.fetch.invalid_url", url=url,
                         detail=str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError(f"refused: unsupported scheme {scheme or '(none)'!r} in {url!r} (only http and https)",
                         key="err.fetch.scheme", scheme=scheme or "—", url=url)
    if parts.username is not None or parts.password is not None:
        raise FetchError("refused: URL carries credentials (user:password@); they are never sent",
                         key="err.fetch.credentials")
    host = parts.hostname
    if not host:
        raise FetchError(f"invalid URL {url!r} (no host)", key="err.fetch.no_host", url=url)
    port = port or DEFAULT_PORTS[scheme]
    if _private_allowed(host, port, settings):
        return
    ip = parse_ip_host(host)
    if ip is not None:
        reason = classify(ip)
        if reason is not None:
            raise BlockedAddressError(f"refused: {_shown(host, ip)} is {reason} {HINT}", key="err.fetch.blocked",
                                      host=_shown(host, ip), reason=Term("term.address", reason))


def _shown(host: str, ip: IPAddress) -> str:
    bare = host.strip("[]")
    if ":" in bare or bare.lower() == str(ip):  # IPv6 literals are shown as written
        return bare
    return f"{bare} ({ip})"


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, with the event loop's getaddrinfo."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_and_check(
    host: str, port: int, settings: CrawlerSettings, resolver: Resolver | None = None
) -> list[str]:
    """Resolve `host` and check every address; return the addresses a connection may use.

    IP literals (any spelling) are returned in canonical form without a lookup. Raises
    BlockedAddressError if any address is private (unless allowed), FetchError if the name does not resolve.
    """
    allowed = _private_allowed(host, port, settings)
    ip = parse_ip_host(host)
    if ip is not None:
        reason = None if allowed else classify(ip)
        if reason is not None:
            raise BlockedAddressError(f"refused: {_shown(host, ip)} is {reason} {HINT}", key="err.fetch.blocked",
                                      host=_shown(host, ip), reason=Term("term.address", reason))
        return [str(ip)]
    try:
        addresses = await (resolver or system_resolver)(host, port)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host} ({exc.strerror or exc})", key="err.fetch.resolve", host=host,
                         detail=str(exc.strerror or exc)) from None
    except OSError as exc:
        raise FetchError(f"cannot resolve {host} ({exc.strerror or exc})", key="err.fetch.resolve", host=host,
                         detail=str(exc.strerror or exc)) from None
    if not addresses:
        raise FetchError(f"cannot resolve {host} (no address)", key="err.fetch.no_address", host=host)
    if not allowed:
        for address in addresses:
            resolved = parse_ip_host(address)
            reason = "not an IP address" if resolved is None else classify(resolved)
            if reason is not None:
                raise BlockedAddressError(f"refused: {host} resolves to {address}, {reason} {HINT}",
                                          key="err.fetch.blocked_resolved", host=host, address=address,
                                          reason=Term("term.address", reason))
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that resolves, checks every address and connects to a checked one (pinned).

    Public httpcore API only: a subclass of :class:`httpcore.AsyncNetworkBackend` handed to
    :class:`httpcore.AsyncConnectionPool` as its ``network_backend``, connecting through ``inner``
    (httpcore's :class:`httpcore.AnyIOBackend` by default) to an address it has checked.
    """

    def __init__(
        self,
        settings: CrawlerSettings,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.settings = settings
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()  # httpcore's public backend does the connecting

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve_and_check(host, port, self.settings, self.resolver)
        except TimeoutError:
            raise FetchError(f"resolving {host} timed out after {timeout:g} s", key="err.fetch.resolve_timeout",
                             host=host, seconds=f"{timeout:g}") from None
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise FetchError("refused: unix sockets are not fetched", key="err.fetch.unix")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
