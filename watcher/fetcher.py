"""Fetch one feed URL safely: the crawler's only door to the network.

- httpx with redirects followed by hand (each hop checked by :mod:`watcher.netguard`, at most
  ``max_redirects``, loops detected), conditional GET (ETag / Last-Modified), feed ``Accept``.
- Timeouts: connect and read timeouts in httpx, plus a total budget (``timeout_seconds``) for the
  whole fetch (all hops) enforced with asyncio, so a slow-drip endless body ends too.
- Concurrency: a global semaphore (``concurrency``) and one per host name (``per_host``); time spent
  queueing for them is not part of the budget.
- Connections: httpcore's public :class:`httpcore.AsyncConnectionPool` (HTTP/1.1 kept alive per origin),
  opened through :class:`watcher.netguard.GuardedBackend`, behind a small httpx transport
  (:class:`PoolTransport`, an :class:`httpx.AsyncBaseTransport`); no cookies, no proxy. Public APIs of
  httpx and httpcore only (``tests/test_public_http_api.py`` checks the source).
- The body is read raw and decoded here, with bounded zlib output per step, so the decoded size is
  counted as it grows: a gzip bomb or an endless body is cut at ``max_bytes`` without ever holding
  more than the cap (plus one 64 KiB step) in memory. httpx's own decoder inflates a whole network
  chunk at once (~66 MB for 64 KiB of gzip'd zeros), which is why it is not used.

Every failure is a :class:`FetchError` (or subclass) with one human-readable line.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ssl
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, NoReturn

import httpcore

from config import clock
from config.errors import BodyTooLargeError, FetchError
from config.settings import CrawlerSettings
from watcher.imports import import_without
from watcher.netguard import GuardedBackend, Resolver, check_url

if TYPE_CHECKING:
    import httpx
else:
    httpx = import_without("httpx", ("pygments", "rich"))  # those two serve only httpx's command-line tool

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
STEP = 64 * 1024  # largest piece of decoded body produced at once
KEEPALIVE_SECONDS = 30.0


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """Certificate-verifying TLS context, made on the first https connection (loading the CA bundle takes
    ~20 ms) and shared by every later fetch of the process (the service crawls on a schedule)."""
    context = httpx.create_ssl_context()
    context.set_alpn_protocols(["http/1.1"])  # the fetcher speaks HTTP/1.1 only
    return context


# httpcore's public exceptions and the httpx ones they become, looked up along the exception's MRO
# (most specific first), as httpx's own transport does.
_EXCEPTIONS: dict[type[Exception], type[Exception]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}
# What a request on a kept-alive connection the server has just dropped fails with.
_STALE = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)


def _raise_httpx_error(exc: Exception, request: httpx.Request) -> NoReturn:
    """Raise the httpx exception for an httpcore one; any other (the guard's FetchError...) as it is."""
    for cls in type(exc).__mro__:
        target = _EXCEPTIONS.get(cls)
        if target is not None:
            raise (target(str(exc), request=request) if issubclass(target, httpx.RequestError)
                   else target(str(exc))) from exc
    raise exc


class _ResponseBody(httpx.AsyncByteStream):
    """httpcore's response body as httpx's, with httpcore's exceptions turned into httpx's."""

    def __init__(self, stream, request: httpx.Request) -> None:
        self.stream = stream
        self.request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self.stream:
                yield part
        except Exception as exc:
            _raise_httpx_error(exc, self.request)

    async def aclose(self) -> None:
        try:
            await self.stream.aclose()
        except Exception as exc:
            _raise_httpx_error(exc, self.request)


# httpcore's events (its public ``trace`` request extension) the transport listens to.
_CONNECTING = "connection.connect_tcp.started"  # the pool is opening a new connection for the request
_SENDING = "http11.send_request_headers.started"  # the request is on a connection, which is now busy


class _Attempt:
    """One pass of a request through the pool: did it open a new connection; does it hold its origin's turn."""

    def __init__(self, turn: asyncio.Lock) -> None:
        self.turn = turn
        self.connected = False
        self.holding = False

    async def trace(self, event: str, info: dict) -> None:
        if event == _CONNECTING:
            self.connected = True
        if event in (_CONNECTING, _SENDING):
            self.release()

    def release(self) -> None:
        if self.holding:
            self.holding = False
            self.turn.release()


class PoolTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's public connection pool, connecting through a given backend.

    httpx's own :class:`httpx.AsyncHTTPTransport` builds its pool with httpcore's default network backend
    and no way to pass another, so this transport does what it does (turn the httpx request into an
    httpcore one, call the pool, wrap the response) with the guard's backend. Two pools: one for http,
    made at once, and one for https, made on the first https request with ``ssl_context()``, so that an
    http-only crawl never loads the CA bundle.

    A GET whose request fails on a *kept-alive* connection that the server had dropped meanwhile (the
    race any keep-alive client can lose: the close was on its way as the request went out) is repeated
    once, on a new connection, as browsers and urllib3 do; never after a timeout, and never when the
    connection was new (that server is really failing). Whether the connection was new is seen through
    httpcore's public ``trace`` request extension (a ``connection.connect_tcp`` event).

    Requests to one origin enter the pool one at a time, each only until it has its connection (the
    ``trace`` events above), not for the whole request. httpcore's pool hands an idle connection to every
    request that arrives before the first of them has marked it busy (that step yields to the event loop);
    the others fail inside the pool and go through it again. With 8 requests at a time to one origin
    that was 1.6 extra passes per request, each polling every pooled connection.
    """

    def __init__(self, *, network_backend: httpcore.AsyncNetworkBackend, ssl_context, max_connections: int,
                 keepalive_expiry: float) -> None:
        self.network_backend = network_backend
        self.ssl_context = ssl_context  # a factory, called once
        self.max_connections = max_connections
        self.keepalive_expiry = keepalive_expiry
        self.plain = self._new_pool(None)
        self.tls: httpcore.AsyncConnectionPool | None = None
        self.turns: dict[tuple, asyncio.Lock] = {}  # (scheme, host, port) -> the right to enter the pool

    def _new_pool(self, ssl_context: ssl.SSLContext | None) -> httpcore.AsyncConnectionPool:
        return httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=self.network_backend, http1=True, http2=False, retries=0,
            max_connections=self.max_connections, max_keepalive_connections=self.max_connections,
            keepalive_expiry=self.keepalive_expiry,
        )

    def pool_for(self, scheme: str) -> httpcore.AsyncConnectionPool:
        if scheme != "https":
            return self.plain
        if self.tls is None:
            self.tls = self._new_pool(self.ssl_context())
        return self.tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self.pool_for(request.url.scheme)
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                           target=request.url.raw_path)
        key = (url.scheme, url.host, url.port)
        turn = self.turns.get(key) or self.turns.setdefault(key, asyncio.Lock())
        for attempt in (1, 2):
            step = _Attempt(turn)
            core_request = httpcore.Request(method=request.method, url=url, headers=request.headers.raw,
                                            content=request.stream, extensions={**request.extensions,
                                                                                "trace": step.trace})
            await turn.acquire()
            step.holding = True
            try:
                response = await pool.handle_async_request(core_request)
                break
            except _STALE as exc:
                if attempt == 1 and request.method in ("GET", "HEAD") and not step.connected:
                    continue  # a kept-alive connection the server had closed: once more, on a new one
                _raise_httpx_error(exc, request)
            except Exception as exc:
                _raise_httpx_error(exc, request)
            finally:
                step.release()
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseBody(response.stream, request), extensions=response.extensions,
                              request=request)

    async def aclose(self) -> None:
        pools = [self.plain] + ([self.tls] if self.tls is not None else [])
        for pool in pools:
            await pool.aclose()


@dataclass(frozen=True)
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # 2xx (normally 200) or 304
    body: bytes | None  # decoded (un-gzipped) bytes; None on 304
    headers: dict[str, str]  # final response headers, lower-case names (as received)
    etag: str | None
    last_modified: str | None
    permanent_redirect: str | None  # where a 301/308 chain starting at `url` ended; report it, do not save it
    elapsed_ms: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _seconds(value: float) -> str:
    return f"{value:g} s"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or clock.now())).total_seconds())


def _http_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase or "error"
    retry_after = parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
    message = f"HTTP {status} {phrase}"
    if retry_after is not None:
        message += f" (retry after {retry_after:.0f} s)"
        return FetchError(message, status=status, retry_after=retry_after, key="err.fetch.http_retry",
                          status_code=status, phrase=phrase, seconds=f"{retry_after:.0f}")
    return FetchError(message, status=status, retry_after=retry_after, key="err.fetch.http", status_code=status,
                      phrase=phrase)


class _BodyDecoder:
    """Decode a gzip/deflate/identity body in bounded steps; counts and enforces the cap."""

    def __init__(self, encoding: str, max_bytes: int):
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", key="err.fetch.encoding", encoding=encoding)
        self.coding = codings[0] if codings else None
        self.max_bytes = max_bytes
        self.size = 0
        self.parts: list[bytes] = []
        self._z = self._new_decompressor()
        self._deflate_sniffed = False

    def _new_decompressor(self):
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.coding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            raise BodyTooLargeError(f"body exceeds {self.max_bytes} bytes", key="err.fetch.too_large",
                                    max=self.max_bytes)
        self.parts.append(data)

    def feed(self, raw: bytes) -> None:
        if self._z is None:
            self._keep(raw)
            return
        if self.coding == "deflate" and not self._deflate_sniffed:
            self._deflate_sniffed = True
            if raw and (raw[0] & 0x0F) != 8:  # no zlib header: a raw deflate stream (common server bug)
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        data = raw
        try:
            while data:
                # At most one byte past the cap per step, so a bomb never inflates far in memory.
                out = self._z.decompress(data, min(STEP, self.max_bytes - self.size + 1))
                self._keep(out)
                data = self._z.unconsumed_tail
                if self._z.eof:
                    rest = self._z.unused_data
                    if not rest or self.coding == "deflate":
                        break
                    self._z = self._new_decompressor()  # another gzip member follows
                    data = rest
        except zlib.error as exc:
            raise FetchError(f"could not decode {self.coding} body ({exc})", key="err.fetch.decode",
                             coding=str(self.coding), detail=str(exc)) from None

    def finish(self) -> bytes:
        if self._z is not None:
            try:
                self._keep(self._z.flush())
            except zlib.error as exc:
                raise FetchError(f"could not decode {self.coding} body ({exc})", key="err.fetch.decode",
                             coding=str(self.coding), detail=str(exc)) from None
        return b"".join(self.parts)


class Fetcher:
    """Async context manager owning one httpx client; `fetch()` may be called concurrently."""

    def __init__(self, settings: CrawlerSettings, *, resolver: Resolver | None = None):
        self.settings = settings
        self._resolver = resolver  # tests inject a fake DNS here (the public internet is not reachable)
        self._http: PoolTransport | None = None
        self._headers: dict[str, str] = {}
        self._timeout: dict[str, float | None] = {}
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        # An httpx transport (request/response models, exception mapping) over httpcore's connection pool,
        # each connection opened through the backend that resolves, checks and pins it (the private-network
        # guard). Not an AsyncClient: redirects, decoding and limits are done here, and the client's cookie
        # jar and hooks (feeds are fetched without cookies) were a third of the cost of a 304. No proxy
        # either: one would bypass the guard.
        self._http = PoolTransport(
            network_backend=GuardedBackend(s, resolver=self._resolver),
            ssl_context=lambda: default_ssl_context(),  # looked up when called, so a test can swap it
            max_connections=max(1, s.concurrency),
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        self._timeout = httpx.Timeout(
            connect=s.connect_timeout_seconds or None,
            read=s.read_timeout_seconds or None,
            write=s.read_timeout_seconds or None,
            pool=s.timeout_seconds or None,
        ).as_dict()
        self._headers = {"User-Agent": s.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
        self._global = asyncio.Semaphore(max(1, s.concurrency))
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return sem

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url` (following redirects by hand); FetchError with one line on any failure.

        The total budget (`timeout_seconds`) counts only time spent holding a connection slot: waiting
        for a busy host's turn is not a timeout. Each hop takes its host's slot first, then a global
        one, and frees both before the next hop (no slot is held while queueing, so no deadlock).
        """
        if self._http is None or self._global is None:
            raise RuntimeError("use `async with Fetcher(settings) as fetcher:`")
        total = self.settings.timeout_seconds
        clock = asyncio.get_running_loop().time
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, seen, hops = url, {url}, 0
        permanent_redirect: str | None = None
        all_permanent = True
        active = 0.0
        try:
            async with asyncio.timeout(None) as deadline:
                while True:
                    request = self._request(current, headers)
                    async with self._host_semaphore(request.url.host), self._global:
                        started = clock()
                        if total:
                            deadline.reschedule(started + total - active)
                        try:
                            status, target, result = await self._hop(request)
                        finally:
                            active += clock() - started
                            if not deadline.expired():
                                deadline.reschedule(None)
                    if result is not None:
                        return FetchResult(
                            url=url, permanent_redirect=permanent_redirect, elapsed_ms=int(active * 1000), **result
                        )
                    assert target is not None  # a hop without a result is a redirect
                    hops += 1
                    if target in seen:
                        raise FetchError(f"redirect loop: {target} was already visited", key="err.fetch.loop",
                                         url=str(target))
                    if hops > self.settings.max_redirects:
                        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})",
                                         key="err.fetch.redirects", max=self.settings.max_redirects)
                    all_permanent = all_permanent and status in PERMANENT
                    if all_permanent:
                        permanent_redirect = target
                    seen.add(target)
                    current = target
        except TimeoutError:
            raise FetchError(f"timed out after {_seconds(total)}", key="err.fetch.timeout",
                             seconds=f"{total:g}") from None

    def _request(self, url: str, headers: dict[str, str]) -> httpx.Request:
        check_url(url, self.settings)
        try:
            return httpx.Request("GET", url, headers={**self._headers, **headers},
                                 extensions={"timeout": self._timeout})
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL {url!r} ({exc})", key="err.fetch.invalid_url", url=url,
                             detail=str(exc)) from None

    async def _hop(self, request: httpx.Request) -> tuple[int, str | None, dict | None]:
        """One request: (status, redirect target, None) or (status, None, final result fields)."""
        response = await self._send(request)
        try:
            status = response.status_code
            if status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location header", key="err.fetch.no_location",
                                     status_code=status)
                try:
                    return status, str(request.url.join(location.strip())), None
                except httpx.InvalidURL as exc:
                    raise FetchError(f"invalid redirect Location {location!r} ({exc})", key="err.fetch.bad_location",
                                     location=str(location), detail=str(exc)) from None
            if status == 304 or 200 <= status < 300:
                if status == 304:
                    await response.aread()  # empty by definition; reading it lets the connection be reused
                    body = None
                else:
                    body = await self._read_body(response)
                return (
                    status,
                    None,
                    {
                        "final_url": str(request.url),
                        "status": status,
                        "body": body,
                        "headers": _headers(response),
                        "etag": response.headers.get("etag"),
                        "last_modified": response.headers.get("last-modified"),
                    },
                )
            raise _http_error(response)
        finally:
            await response.aclose()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        assert self._http is not None  # fetch() opens it first
        try:
            response = await self._http.handle_async_request(request)
        except httpx.ConnectTimeout:
            raise FetchError(f"connection timed out after {_seconds(self.settings.connect_timeout_seconds)}",
                             key="err.fetch.connect_timeout",
                             seconds=f"{self.settings.connect_timeout_seconds:g}") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {_seconds(self.settings.read_timeout_seconds)} without data",
                             key="err.fetch.read_timeout", seconds=f"{self.settings.read_timeout_seconds:g}") from None
        except httpx.HTTPError as exc:
            raise _network_error(exc, request.url.host) from None
        except OSError as exc:
            raise FetchError(f"network error: {exc.strerror or exc}", key="err.fetch.network_plain",
                             detail=str(exc.strerror or exc)) from None
        response.request = request
        return response

    async def _read_body(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        encoding = response.headers.get("content-encoding", "")
        decoder = _BodyDecoder(encoding, cap)
        length = response.headers.get("content-length", "")
        if decoder.coding is None and length.isdigit() and int(length) > cap:
            raise BodyTooLargeError(f"body exceeds {cap} bytes", key="err.fetch.too_large", max=cap)
        try:
            async for raw in response.aiter_raw():
                decoder.feed(raw)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {_seconds(self.settings.read_timeout_seconds)} without data",
                             key="err.fetch.read_timeout", seconds=f"{self.settings.read_timeout_seconds:g}") from None
        except httpx.HTTPError as exc:
            raise _network_error(exc, response.request.url.host) from None
        return decoder.finish()


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _network_error(exc: Exception, host: str) -> FetchError:
    """One short line for a transport error (connection refused, TLS, protocol...), with its catalogue key."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > 200:
        text = text[:197] + "..."
    if "SSL" in text or "certificate" in text.lower() or "TLS" in text:
        return FetchError(f"TLS error with {host}: {text}", key="err.fetch.tls", host=host, detail=text)
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"cannot connect to {host}: {text}", key="err.fetch.connect", host=host, detail=text)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return FetchError(f"protocol error from {host}: {text}", key="err.fetch.protocol", host=host, detail=text)
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"could not decode response from {host}: {text}", key="err.fetch.decode_response",
                          host=host, detail=text)
    return FetchError(f"network error with {host}: {text}", key="err.fetch.network", host=host, detail=text)
