"""Keep-alive HTTP/1.1 connections kept per origin, for the fetcher's httpx transport.

httpcore's own pool re-examines every pooled connection (with a readability poll on each idle one)
several times per request; on an unchanged re-crawl, where every request is a cheap 304, that was
the largest single cost. The fetcher already bounds connections per host and overall with its own
semaphores, so this pool only needs to hand out an idle connection to the same origin, or open one.

Connections are httpcore's HTTP/1.1 connections (:class:`httpcore.AsyncHTTP11Connection`, so the
protocol handling is httpcore's), over streams opened through the network backend given (the
private-network guard) and wrapped in TLS here for https. The TLS context comes from a factory called
on the first https connection: an http-only crawl never loads the CA bundle.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable

import httpcore

# What a request on a kept-alive connection the server has just dropped fails with.
STALE = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)


def _key(origin: httpcore.Origin) -> tuple:
    return origin.scheme, origin.host, origin.port  # httpcore.Origin compares but does not hash


class OriginPool:
    """The `AsyncRequestInterface` httpx's transport calls: one list of idle connections per origin."""

    def __init__(self, *, ssl_context: Callable[[], ssl.SSLContext], network_backend: httpcore.AsyncNetworkBackend,
                 keepalive_expiry: float, max_idle: int) -> None:
        self._ssl_context = ssl_context
        self._backend = network_backend
        self._keepalive_expiry = keepalive_expiry
        self._max_idle = max(0, max_idle)
        self._idle: dict[tuple, list[httpcore.AsyncHTTP11Connection]] = {}  # (scheme, host, port) -> idle
        self._idle_count = 0
        self._open: set[httpcore.AsyncHTTP11Connection] = set()

    async def _idle_connection(self, origin: httpcore.Origin) -> httpcore.AsyncHTTP11Connection | None:
        """The most recently used idle connection to `origin` that is still usable, if any."""
        idle = self._idle.get(_key(origin))
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            if connection.is_available() and not connection.has_expired():
                return connection
            await self._close(connection)
        return None

    async def _new_connection(self, request: httpcore.Request) -> httpcore.AsyncHTTP11Connection:
        connection = await self._connect(request.url.origin, request.extensions.get("timeout", {}).get("connect"))
        self._open.add(connection)
        return connection

    async def _connect(self, origin: httpcore.Origin, timeout: float | None) -> httpcore.AsyncHTTP11Connection:
        """TCP (through the guard's backend), then TLS for https with the host name for SNI and checking."""
        host = origin.host.decode("ascii")
        stream = await self._backend.connect_tcp(host, origin.port, timeout=timeout)
        if origin.scheme == b"https":
            try:
                stream = await stream.start_tls(self._ssl_context(), server_hostname=host, timeout=timeout)
            except BaseException:
                await stream.aclose()
                raise
        return httpcore.AsyncHTTP11Connection(origin=origin, stream=stream, keepalive_expiry=self._keepalive_expiry)

    async def _give_back(self, connection: httpcore.AsyncHTTP11Connection, origin: httpcore.Origin) -> None:
        if connection.is_available() and self._idle_count < self._max_idle:
            self._idle.setdefault(_key(origin), []).append(connection)
            self._idle_count += 1
        else:
            await self._close(connection)

    async def _close(self, connection: httpcore.AsyncHTTP11Connection) -> None:
        self._open.discard(connection)
        await connection.aclose()

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        origin = request.url.origin
        connection = await self._idle_connection(origin)
        if connection is not None:
            try:
                return await self._send(connection, request)
            except STALE:
                # A kept-alive connection the server closed while the request was on its way (the close
                # had not arrived when the connection was checked). The fetcher only sends GETs, which are
                # safe to repeat: once, on a new connection, as browsers and urllib3 do.
                pass
        return await self._send(await self._new_connection(request), request)

    async def _send(self, connection: httpcore.AsyncHTTP11Connection, request: httpcore.Request
                    ) -> httpcore.Response:
        try:
            response = await connection.handle_async_request(request)
        except BaseException:
            await self._close(connection)
            raise
        response.stream = _ReturningStream(response.stream, self, connection, request.url.origin)
        return response

    async def aclose(self) -> None:
        connections, self._open = list(self._open), set()
        self._idle.clear()
        self._idle_count = 0
        for connection in connections:
            await connection.aclose()


class _ReturningStream:
    """A response body that puts its connection back in the pool once the body is closed."""

    def __init__(self, stream, pool: OriginPool, connection: httpcore.AsyncHTTP11Connection,
                 origin: httpcore.Origin) -> None:
        self._stream = stream
        self._pool = pool
        self._connection = connection
        self._origin = origin
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
        except BaseException:
            await self._pool._close(self._connection)
            raise
        await self._pool._give_back(self._connection, self._origin)
