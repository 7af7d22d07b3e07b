"""uvicorn's HTTP/1.1 protocol with limits on the request head: how long it may take to arrive and how
large it may be (``ServerConfig.header_timeout``, ``max_header_bytes``).

uvicorn has no header-read timeout: a client that sends its request line and headers a byte at a time
(slowloris) holds its connection as long as it likes, and with httptools a head of any size is
accepted. :func:`http_protocol` gives the protocol to hand to uvicorn (``uvicorn.run(..., **uvicorn_options(config))``):
uvicorn's own (httptools when installed, else h11) with a guard that

* closes a connection whose request head has not arrived ``header_timeout`` seconds after the
  connection opened, or after the first byte of a request that follows another on the connection
  (408 when part of a head came; a connection that sent nothing is closed without an answer);
* answers 431 and closes when a head grows past ``max_header_bytes``: the parser is never fed more
  than that many bytes of one head, so a 1 MB header costs nothing.

The count of header fields (``max_headers``) is checked by the app on the parsed head
(``app.RequestGuardMiddleware``): a head within ``max_header_bytes`` holds a bounded number of them.
Importing this module imports uvicorn.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import ServerConfig

__all__ = ["GuardedH11Protocol", "http_protocol", "uvicorn_options"]

log = logging.getLogger(__name__)


def _answer(status: int, reason: str, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 response with the JSON error body of the app (``{"status", "error",
    "message"}``) that closes the connection."""
    body = json.dumps({"status": status, "error": code, "message": message}, separators=(",", ":")).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "x-content-type-options: nosniff\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class HeadGuard:
    """The guard, mixed into one of uvicorn's HTTP/1.1 protocols (which keep the request being served
    in ``self.cycle``: a new cycle means a head was parsed; ``cycle.more_body`` is False once its body
    is all read, and the bytes after it begin the next head)."""

    # set by the protocol classes' own __init__ (uvicorn's)
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    def __init__(self, *args: Any, serve_config: ServerConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._serve_config = serve_config
        self._in_head = False
        self._head_of: Any = None  # the cycle before the head being read
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    # -- the asyncio.Protocol interface
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._begin_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        if not data:
            return
        if not self._in_head and self._awaiting_head():
            self._begin_head()  # these bytes begin the next request
        if not self._in_head:
            super().data_received(data)  # type: ignore[misc]
            return
        room = self._serve_config.max_header_bytes - self._head_bytes
        now, rest = data[:room], data[room:]
        self._head_bytes += len(now)
        if now:
            super().data_received(now)  # type: ignore[misc]
        if self.cycle is not self._head_of:  # the head was parsed: a request began
            self._end_head()
            if rest and not self.transport.is_closing():
                self.data_received(rest)  # its body, or the next request
            return
        if rest and not self.transport.is_closing():
            self._refuse(
                431,
                "Request Header Fields Too Large",
                "headers_too_large",
                f"the request line and headers are larger than the limit of {self._serve_config.max_header_bytes} bytes",
            )

    # -- the head's state
    def _awaiting_head(self) -> bool:
        cycle = self.cycle
        return cycle is None or not cycle.more_body

    def _begin_head(self) -> None:
        self._end_head()
        self._in_head = True
        self._head_of = self.cycle
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self._serve_config.header_timeout, self._head_timed_out)

    def _end_head(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not self._head_of:  # the head came (parsed once the request before was answered)
            self._end_head()
            return
        if cycle is not None and not cycle.response_complete:
            # still answering the request before (the next one came early, pipelined): wait for it
            self._head_timer = self.loop.call_later(self._serve_config.header_timeout, self._head_timed_out)
            return
        if self._head_bytes == 0:
            self._in_head = False
            self.transport.close()  # an idle connection (a browser's spare one): no answer
            return
        self._refuse(
            408,
            "Request Timeout",
            "request_timeout",
            f"the request line and headers did not arrive within {self._serve_config.header_timeout:g} s",
        )

    def _refuse(self, status: int, reason: str, code: str, message: str) -> None:
        client = getattr(self, "client", None)
        log.info("%s: %s; closing the connection", f"{client[0]}:{client[1]}" if client else "a client", message)
        self._end_head()
        self.transport.write(_answer(status, reason, code, message))
        self.transport.close()


class GuardedH11Protocol(HeadGuard, H11Protocol):
    """uvicorn's h11 protocol with the :class:`HeadGuard`."""


def _httptools_protocol() -> type[Any] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        return None
    return HttpToolsProtocol


_HttpTools = _httptools_protocol()
if _HttpTools is not None:

    class GuardedHttpToolsProtocol(HeadGuard, _HttpTools):  # type: ignore[misc, valid-type]
        """uvicorn's httptools protocol with the :class:`HeadGuard`."""

    __all__ += ["GuardedHttpToolsProtocol"]


def http_protocol(config: ServerConfig, *, impl: str = "auto") -> functools.partial[Any]:
    """The protocol factory for uvicorn's ``http`` setting: ``impl`` ``"h11"``, ``"httptools"`` or
    ``"auto"`` (httptools when installed, as uvicorn chooses), with the limits of ``config``. A
    ``functools.partial`` of a module-level class, so that uvicorn can send it to its worker processes."""
    if impl not in ("auto", "h11", "httptools"):
        raise ValueError(f"impl must be 'auto', 'h11' or 'httptools', not {impl!r}")
    if impl == "httptools" and _HttpTools is None:
        raise ValueError("httptools is not installed")
    use_httptools = _HttpTools is not None and impl != "h11"
    cls = globals()["GuardedHttpToolsProtocol"] if use_httptools else GuardedH11Protocol
    return functools.partial(cls, serve_config=config)


def uvicorn_options(config: ServerConfig, *, impl: str = "auto") -> dict[str, Any]:
    """The settings of ``uvicorn.run`` / ``uvicorn.Config`` that hold the server to ``config``'s limits
    on the request head (and turn WebSockets off: the app has none)."""
    return {
        "http": http_protocol(config, impl=impl),
        "ws": "none",
        # h11 refuses a head over this itself (with a plain 400); the guard feeds it no more than the limit
        "h11_max_incomplete_event_size": max(2 * config.max_header_bytes, 16 * 1024),
    }
