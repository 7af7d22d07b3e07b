"""``lipyantar serve``: a local HTTP server with a JSON API (``/api/v1``) and a web page (``/``) for
typing romanized Hindi into Devanagari, converting between schemes and aligning twin texts.

Needs the optional ``serve`` extra (``pip install 'lipyantar[serve]'``: FastAPI, uvicorn). Importing
this package does not import FastAPI; :func:`create_app` does.

>>> from lipyantar.serve import ServerConfig, create_app
>>> app = create_app(ServerConfig(max_words=5000))          # an ASGI app, e.g. for uvicorn  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import ServerConfig, is_loopback

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ServerConfig", "create_app", "is_loopback"]


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """The ASGI app (FastAPI) serving the API and the page; loads the model now."""
    from .app import create_app as _create_app

    return _create_app(config)
