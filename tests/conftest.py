from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "corpora" / "example"


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_hindi() -> Path:
    return next(EXAMPLE.glob("000_*.txt"))


@pytest.fixture(scope="session")
def example_roman() -> Path:
    return next(EXAMPLE.glob("001_*.txt"))


@pytest.fixture(scope="session")
def dev_sentences() -> list[tuple[str, str]]:
    """400 Dakshina dev sentence pairs (native, romanized), vendored in tests/data."""
    rows = []
    for line in (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines():
        native, roman = line.split("\t")
        rows.append((native, roman))
    return rows


# ------------------------------------------------------------------------------------- lipyantar serve


class LiveServer:
    """A real uvicorn server in a background thread, on a free loopback port, with the HTTP protocol
    settings of ``lipyantar serve`` (its limits on the request head; ``impl``: uvicorn's HTTP/1.1
    implementation, ``"auto"``, ``"h11"`` or ``"httptools"``; ``lifespan``: ``"on"`` runs the app's
    start-up, where an app made with a ``loader`` loads its model)."""

    def __init__(self, app: object, *, impl: str = "auto", lifespan: str = "off") -> None:
        import uvicorn

        from lipyantar.serve.protocol import uvicorn_options

        options = uvicorn_options(app.state.config, impl=impl)  # type: ignore[attr-defined]
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan=lifespan, **options
            )
        )
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve_service():
    """One model load for all the server tests."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from lipyantar.serve.service import Service

    return Service()


@pytest.fixture(scope="session")
def live_server(serve_service):
    """The app with its default limits, except a short body timeout (for the slow-client test)."""
    from lipyantar.serve.app import create_app
    from lipyantar.serve.config import ServerConfig

    config = ServerConfig(body_timeout=1.0)
    server = LiveServer(create_app(config, service=serve_service.with_config(config)))
    yield server
    server.stop()
