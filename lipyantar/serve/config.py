"""The settings of ``lipyantar serve``: the model and the limits every request is held to.

:class:`ServerConfig` is a frozen, validated dataclass; it travels to uvicorn's worker processes as JSON
in the environment variable :data:`CONFIG_ENV` (each worker builds its own app and loads the model
once). Nothing here imports FastAPI, so the command line stays fast.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ANY_HOST", "CONFIG_ENV", "ServerConfig", "host_name", "is_loopback", "normalize_host"]

#: environment variable that carries a worker's :class:`ServerConfig` (JSON)
CONFIG_ENV = "LIPYANTAR_SERVE_CONFIG"

#: in ``allowed_hosts``: any ``Host`` at all (unsafe: it leaves the server open to DNS rebinding)
ANY_HOST = "*"
_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


@dataclass(frozen=True)
class ServerConfig:
    """What the HTTP app serves and the limits of one request.

    Attributes:
        model: a learned model file for the ``roman`` scheme; None for the shipped default model.
        lexicon: a user lexicon file (``native<TAB>roman[<TAB>count]``,
            :mod:`lipyantar.translit.learned.lexicon`) for every conversion to or from ``roman``, server-wide;
            None for none.
        max_body_bytes: largest request body; a larger one gets 413.
        max_words: most whitespace-separated words in one request (``/convert``: the text;
            ``/align``: both texts together); more gets 413.
        max_word_chars: longest ``word`` of ``/candidates``; longer gets 422.
        max_top_k: largest ``top_k``; larger gets 422.
        time_budget: seconds of work one request may take (checked between lines and between
            beads); a request over it gets 413 and the server goes on.
        body_timeout: seconds a client may take to send its request body; slower gets 408.
        header_timeout: seconds a client may take to send a request's line and headers (from the
            connection's start, or from the first byte of a request after the one before); slower gets
            408 and the connection closed (slow-header clients cannot hold connections open).
        max_header_bytes: largest request line and headers together; larger gets 431.
        max_headers: most header fields in one request; more gets 431.
        cors: origins allowed to call the API from a browser (empty: CORS off).
        allowed_hosts: names a request's ``Host`` header may give besides ``localhost`` and the
            loopback addresses (127.0.0.0/8, ``[::1]``), which are always allowed (no other site's name
            can stand for them): a host name (``example.org``), a subdomain pattern
            (``*.example.org``), an IP address, or ``*`` for any (unsafe: DNS rebinding). Another
            ``Host`` gets 421, so that a web page whose name was made to resolve to this machine
            cannot call the API.
    """

    model: str | None = None
    lexicon: str | None = None
    max_body_bytes: int = 1_000_000
    max_words: int = 20_000
    max_word_chars: int = 100
    max_top_k: int = 20
    time_budget: float = 10.0
    body_timeout: float = 10.0
    header_timeout: float = 10.0
    max_header_bytes: int = 16_384
    max_headers: int = 100
    cors: tuple[str, ...] = field(default_factory=tuple)
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_words", "max_word_chars", "max_top_k", "max_header_bytes", "max_headers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        if self.max_header_bytes < 1024:  # room for a request line and the usual headers
            raise ValueError(f"max_header_bytes must be at least 1024, not {self.max_header_bytes!r}")
        for name in ("time_budget", "body_timeout", "header_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < float("inf"):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.model is not None and not isinstance(self.model, str):
            raise TypeError("model must be a path (str) or None")
        if self.lexicon is not None and not isinstance(self.lexicon, str):
            raise TypeError("lexicon must be a path (str) or None")
        object.__setattr__(self, "cors", tuple(self.cors))
        for origin in self.cors:
            if not isinstance(origin, str) or not origin.startswith(("http://", "https://")):
                raise ValueError(f"a CORS origin looks like https://example.org, not {origin!r}")
        if isinstance(self.allowed_hosts, str):
            raise TypeError("allowed_hosts must be a sequence of names, not one string")
        object.__setattr__(self, "allowed_hosts", tuple(_allowed_host(h) for h in self.allowed_hosts))

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's ``Host`` header (``name``, ``name:port``, ``[v6]:port``) names this
        server: a loopback name, or one of :attr:`allowed_hosts`."""
        if ANY_HOST in self.allowed_hosts:
            return True
        if host is None:
            return False
        name = host_name(host)
        if name is None:
            return False
        if name in self.allowed_hosts or is_loopback(name):
            return True
        return any(
            pattern.startswith("*.") and name.endswith(pattern[1:]) and len(name) > len(pattern) - 1
            for pattern in self.allowed_hosts
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        data: dict[str, Any] = json.loads(text)
        data["cors"] = tuple(data.get("cors", ()))
        data["allowed_hosts"] = tuple(data.get("allowed_hosts", ()))
        return cls(**data)

    @classmethod
    def from_env(cls) -> ServerConfig:
        """The configuration in :data:`CONFIG_ENV`, or the defaults when it is not set."""
        text = os.environ.get(CONFIG_ENV)
        return cls.from_json(text) if text else cls()


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_host(name: str) -> str | None:
    """A host name or address as :class:`ServerConfig` compares them (lower case, no trailing dot, an
    IP address in its short form, IPv6 without brackets), or None when it is neither."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            return None
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    if len(name) > 253 or not _HOST_NAME.fullmatch(name) or name.startswith("*"):
        return None
    return name


def host_name(header: str) -> str | None:
    """The host of a ``Host`` header without its port (normalized as :func:`normalize_host`), or None
    when the header is not a host with an optional port."""
    header = header.strip()
    if header.startswith("["):  # [v6] or [v6]:port
        end = header.find("]")
        if end < 0:
            return None
        host, rest = header[: end + 1], header[end + 1 :]
    elif header.count(":") == 1:
        host, _, port = header.partition(":")
        rest = ":" + port
    else:
        host, rest = header, ""
    if rest and not (rest.startswith(":") and rest[1:].isascii() and rest[1:].isdigit()):
        return None
    return normalize_host(host)


def _allowed_host(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"an allowed host is a string, not {value!r}")
    text = value.strip().lower().rstrip(".")
    if text == ANY_HOST:
        return ANY_HOST
    if text.startswith("*.") and normalize_host(text[2:]) is not None and _HOST_NAME.fullmatch(text):
        return text
    name = normalize_host(text)
    if name is None:
        raise ValueError(
            f"an allowed host is a name (example.org), a pattern (*.example.org), an IP address or *, "
            f"without a scheme or port, not {value!r}"
        )
    return name
