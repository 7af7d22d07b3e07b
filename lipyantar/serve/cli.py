"""``lipyantar serve``: run the HTTP API and the web page with uvicorn.

FastAPI and uvicorn are imported inside the command only (``lipyantar --help`` stays fast), and their
absence is a one-line error naming the extra to install.
"""

from __future__ import annotations

import logging
import os

import click

from lipyantar.translit.cli import run_cli_errors
from lipyantar.translit.errors import LipyantarError
from lipyantar.translit.options import model_option

from .config import ANY_HOST, CONFIG_ENV, ServerConfig, is_loopback, normalize_host

__all__ = ["serve_command"]

log = logging.getLogger(__name__)


class MissingExtraError(LipyantarError):
    """The optional dependencies of a command are not installed."""


def _check_port(host: str, port: int) -> None:
    import socket  # here: the other commands do not pay for its import

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise LipyantarError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="TCP port.")
@model_option()
@click.option(
    "--lexicon",
    type=click.Path(dir_okay=False),
    help="Your own spellings for every conversion to or from 'roman' (/api/v1/convert, /api/v1/candidates), "
    "server-wide: a native<TAB>roman[<TAB>count] file; its entries come first, most counted first.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes (one model each)."
)
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN", help="Allow browser calls from ORIGIN (repeatable).")
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests whose Host is NAME (repeatable; *.example.org for its subdomains). "
    "localhost, the loopback addresses and the --host address are always allowed; '*' allows any "
    "Host, which is unsafe (DNS rebinding).",
)
@click.option(
    "--max-body-bytes", type=click.IntRange(min=1), default=1_000_000, show_default=True, help="Largest request body."
)
@click.option("--max-words", type=click.IntRange(min=1), default=20_000, show_default=True, help="Words per request.")
@click.option(
    "--time-budget", type=click.FloatRange(min=0.001), default=10.0, show_default=True, help="Seconds per request."
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0.001),
    default=10.0,
    show_default=True,
    help="Seconds a client may take to send a request's headers.",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request on stderr.")
@run_cli_errors
def serve_command(
    host: str,
    port: int,
    model: str | None,
    lexicon: str | None,
    workers: int,
    cors: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
    max_body_bytes: int,
    max_words: int,
    time_budget: float,
    header_timeout: float,
    access_log: bool,
) -> None:
    """Serve the JSON API (/api/v1, documented at /api/v1/docs) and the web page (/).

    \b
    Examples:
      lipyantar serve                        # http://127.0.0.1:8000/
      lipyantar serve --port 8080 --workers 2 --model mine.lpm
      lipyantar serve --lexicon my-words.tsv   # my spellings first
      lipyantar serve --host 0.0.0.0 --allowed-host myhost.lan
    """
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError as exc:
        raise MissingExtraError(
            f"lipyantar serve needs the 'serve' extra ({exc.name} is missing): pip install 'lipyantar[serve]'"
        ) from None
    bound = normalize_host(host)
    if bound is not None and bound not in ("0.0.0.0", "::") and not is_loopback(bound):
        allowed_hosts = (*allowed_hosts, bound)  # the address it was told to listen on names it
    try:
        config = ServerConfig(
            model=model,
            lexicon=None if lexicon is None else os.path.abspath(lexicon),
            max_body_bytes=max_body_bytes,
            max_words=max_words,
            time_budget=time_budget,
            header_timeout=header_timeout,
            cors=cors,
            allowed_hosts=allowed_hosts,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not is_loopback(host):
        log.warning(
            "listening on %s: the server is reachable from other machines (it has no authentication); it "
            "answers requests for the names %s only (--allowed-host adds one)",
            host,
            ", ".join(("localhost", "127.0.0.1", "[::1]", *config.allowed_hosts)),
        )
    if ANY_HOST in config.allowed_hosts:
        log.warning("--allowed-host '*': any Host is answered, so a web page can reach the server by DNS rebinding")
    _check_port(host, port)
    from .protocol import uvicorn_options
    from .service import Service

    # load (and so check) the lexicon and the model here: a bad file is one clear error, not a crash in
    # every worker
    service = Service(config)
    os.environ[CONFIG_ENV] = config.to_json()
    root_level = logging.getLogger().getEffectiveLevel()
    uvicorn_level = "debug" if root_level <= logging.DEBUG else "warning" if root_level >= logging.ERROR else "info"
    os.environ["LIPYANTAR_SERVE_LOG_LEVEL"] = logging.getLevelName(root_level)
    shown = f"[{host}]" if ":" in host else host
    if root_level < logging.ERROR:  # not with lipyantar -q
        click.echo(f"lipyantar: serving http://{shown}:{port}/ (API docs: /api/v1/docs); Ctrl-C stops", err=True)
    if workers == 1:
        from .app import create_app

        app = create_app(config, service=service)
        uvicorn.run(
            app, host=host, port=port, access_log=access_log, log_level=uvicorn_level, **uvicorn_options(config)
        )
    else:
        del service
        uvicorn.run(
            "lipyantar.serve.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            log_level=uvicorn_level,
            **uvicorn_options(config),
        )
