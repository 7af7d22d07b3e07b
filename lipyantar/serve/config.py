"""The settings of ``lipyantar serve``: the model and the limits every request is held to.

:class:`ServerConfig` is a frozen, validated dataclass; it travels to uvicorn's worker processes as JSON
in the environment variable :data:`CONFIG_ENV` (each worker builds its own app and loads the model
once). Nothing here imports FastAPI, so the command line stays fast.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CONFIG_ENV", "ServerConfig", "is_loopback"]

#: environment variable that carries a worker's :class:`ServerConfig` (JSON)
CONFIG_ENV = "LIPYANTAR_SERVE_CONFIG"


@dataclass(frozen=True)
class ServerConfig:
    """What the HTTP app serves and the limits of one request.

    Attributes:
        model: a learned model file for the ``roman`` scheme; None for the shipped default model.
        max_body_bytes: largest request body; a larger one gets 413.
        max_words: most whitespace-separated words in one request (``/convert``: the text;
            ``/align``: both texts together); more gets 413.
        max_word_chars: longest ``word`` of ``/candidates``; longer gets 422.
        max_top_k: largest ``top_k``; larger gets 422.
        time_budget: seconds of work one request may take (checked between lines and between
            beads); a request over it gets 413 and the server goes on.
        body_timeout: seconds a client may take to send its request body; slower gets 408.
        cors: origins allowed to call the API from a browser (empty: CORS off).
    """

    model: str | None = None
    max_body_bytes: int = 1_000_000
    max_words: int = 20_000
    max_word_chars: int = 100
    max_top_k: int = 20
    time_budget: float = 10.0
    body_timeout: float = 10.0
    cors: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_words", "max_word_chars", "max_top_k"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        for name in ("time_budget", "body_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.model is not None and not isinstance(self.model, str):
            raise TypeError("model must be a path (str) or None")
        object.__setattr__(self, "cors", tuple(self.cors))
        for origin in self.cors:
            if not isinstance(origin, str) or not origin.startswith(("http://", "https://")):
                raise ValueError(f"a CORS origin looks like https://example.org, not {origin!r}")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        data: dict[str, Any] = json.loads(text)
        data["cors"] = tuple(data.get("cors", ()))
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
