"""The ASGI app of ``lipyantar serve``: the JSON API under ``/api/v1`` and the web page at ``/``.

Built with FastAPI (the OpenAPI page is ``/api/v1/docs``, served from files installed with the
``serve`` extra, no CDN). Every error is a JSON object ``{"status", "error", "message"}`` with a 4xx
status: 400 for malformed JSON, invalid UTF-8 or a bad query string, 408 for a client too slow to send
its head or body, 413 for a body, word count or time budget over the limits, 415 for a body that is
not ``application/json``, 421 for a ``Host`` the server does not answer to (DNS rebinding), 431 for
too many or too large headers, and 422 ``invalid_request`` for every invalid value of a field
(unknown scheme, ``top_k`` out of range or not an integer, a control character in a text, a missing
or unknown field), with a ``details`` list saying which field and why. A bug gives a 500 JSON error,
never a traceback. An app made with a ``loader`` (the workers of ``--workers N``) loads its model on
the model's thread once the server has started: until then ``/health`` and the API answer 503
``loading`` with ``Retry-After: 1`` (503 ``load_failed`` if the model could not be loaded).

The model's work runs on one worker thread per app (the model's compiled kernels are not made for
concurrent use), so the event loop stays free: ``/health`` and the page answer while a long request
converts. A long request is worked off there in slices (a line of ``/convert``, a bead of ``/align``) of
about :data:`SLICE_SECONDS`, and the other requests' work runs between two slices. Each request has a time budget (``--time-budget``), which the
conversion checks between lines and, inside a line, between the words it converts
(:mod:`lipyantar.translit.budget`); the time a request waits for the worker counts too. Over its budget a
request gets 413 ``time_budget_exceeded`` and the worker goes on with the next one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lipyantar.align.sentences import document_score
from lipyantar.translit import __version__
from lipyantar.translit.budget import time_budget
from lipyantar.translit.errors import LipyantarError, UnknownSchemeError, UnsupportedConversionError
from lipyantar.translit.schemes import scheme_names

from .config import ServerConfig
from .service import AlignResult, ConvertOptions, Deadline, RequestLimitError, Service

__all__ = ["SLICE_SECONDS", "app_from_env", "create_app"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: a long request gives the model's worker to the other requests after this much work (between two
#: lines or two beads)
SLICE_SECONDS = 0.01

API = "/api/v1"
#: a body over the limit is still read (and dropped) up to this many times the limit, so that ordinary
#: clients, which send the whole body before they read the answer, get the 413; beyond, the connection
#: is answered at once
_DRAIN_FACTOR = 4
_STATIC = resources.files("lipyantar.serve") / "static"
#: the page: only its own files (no CDN, no inline script)
_PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    415: "unsupported_media_type",
    421: "host_not_allowed",
    422: "invalid_request",
    431: "headers_too_large",
    500: "internal_error",
    503: "loading",
}
#: the code of every 422: a field's value is invalid (``details`` says which and why)
INVALID = "invalid_request"
#: C0 control characters a text may not hold (tab, line feed and carriage return it may)
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: C0 control characters a word may not hold (none)
_WORD_CONTROLS = re.compile("[\x00-\x1f]")
#: ``top_k`` in a query string: decimal digits (and a sign), nothing else (no ``5.0``, ``true``, ``٥``)
_QUERY_INT = re.compile("-?[0-9]{1,9}")
#: the media type of a request body
_JSON_TYPE = "application/json"


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The JSON body of every error: ``{"status": 413, "error": "too_large", "message": "…"}``."""
    return JSONResponse({"status": status, "error": code, "message": message, **extra}, status_code=status)


# ------------------------------------------------------------------------------------- middleware


class RequestGuardMiddleware:
    """Checks every request's head before anything else: its ``Host`` names this server (421
    otherwise: a page of another site whose name resolves here, DNS rebinding, cannot call the API;
    see ``ServerConfig.allowed_hosts``) and it has at most ``max_headers`` header fields (431)."""

    def __init__(self, app: ASGIApp, *, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if len(headers) > self.config.max_headers:
            await error_response(
                431, "headers_too_large", f"the request has {len(headers)} header fields, more than the limit of {self.config.max_headers}"
            )(scope, receive, send)
            return
        hosts = [value for name, value in headers if name == b"host"]
        host = hosts[0].decode("latin-1") if len(hosts) == 1 else None
        if not self.config.host_allowed(host):
            shown = "no Host header" if not hosts else "two Host headers" if len(hosts) > 1 else f"Host {(host or '')[:200]!r}"
            await error_response(
                421,
                "host_not_allowed",
                f"this server does not answer to {shown}; it answers to localhost and the loopback "
                "addresses, and to the names given with lipyantar serve --allowed-host",
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _json_content_type(value: bytes | None) -> str | None:
    """Why a request's Content-Type is not JSON in UTF-8, or None when it is ``application/json``
    (with ``charset=utf-8`` or no charset)."""
    if value is None:
        return "the request has no Content-Type"
    text = value.decode("latin-1")
    media, _, params = text.partition(";")
    if media.strip().lower() != _JSON_TYPE:
        return f"the request body is {media.strip()[:100]!r}"
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return f"the request body's charset is {val.strip()[:40]!r}"
    return None


class LimitsMiddleware:
    """Checks what FastAPI would not: that a body is ``application/json`` (415: a cross-site form or
    a ``text/plain`` fetch cannot send one without the browser asking first), the body's size (413) and
    how fast it arrives (408), that the body and the query string are UTF-8 (400)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if query and (b"%" in query or max(query) > 0x7F):
            try:
                unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError as exc:
                await error_response(
                    400, "invalid_utf8", f"the query string is not valid UTF-8 (after percent-decoding, byte {exc.start})"
                )(scope, receive, send)
                return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        types = [value for name, value in scope["headers"] if name == b"content-type"]
        wrong = _json_content_type(types[0] if len(types) == 1 else None) if len(types) <= 1 else "two Content-Types"
        if wrong is not None:
            await error_response(
                415,
                "unsupported_media_type",
                f"{wrong}; send JSON with Content-Type: {_JSON_TYPE} (curl: -H 'Content-Type: {_JSON_TYPE}')",
            )(scope, receive, send)
            return
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await error_response(400, "bad_request", "Content-Length is not a number")(scope, receive, send)
                    return
        if length is not None and length > self.max_body_bytes * _DRAIN_FACTOR:
            await self._too_large(scope, receive, send)  # far too large: answer at once, do not read it
            return
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        end = loop.time() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=max(end - loop.time(), 0.001))
            except asyncio.TimeoutError:
                await error_response(
                    408,
                    "request_timeout",
                    f"the request body did not arrive within {self.body_timeout:g} s",
                )(scope, receive, send)
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_body_bytes:
                chunks.append(chunk)
            elif size > self.max_body_bytes * _DRAIN_FACTOR:
                break
            else:
                chunks.clear()  # over the limit: read the rest (so that the client hears the answer), keep none
            if not message.get("more_body", False):
                break
        if size > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await error_response(
                400, "invalid_utf8", f"the request body is not valid UTF-8 (byte {exc.start})"
            )(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {**scope, "headers": headers}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(
            413, "body_too_large", f"the request body is larger than the limit of {self.max_body_bytes} bytes"
        )(scope, receive, send)


class PageHeadersMiddleware:
    """``nosniff`` on every response and a strict Content-Security-Policy on the page's files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        page = path == "/" or path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if page:
                    headers.append((b"content-security-policy", _PAGE_CSP.encode()))
                    headers.append((b"referrer-policy", b"no-referrer"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------------------------- models


def _clean_text(value: str, controls: re.Pattern[str] = _TEXT_CONTROLS) -> str:
    """``value`` when it has no unpaired surrogate and none of the ``controls`` characters (a NUL, say),
    else ValueError naming the first and where it is."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"contains an unpaired surrogate (\\u{ord(value[exc.start]):04x}) at character {exc.start}") from None
    bad = controls.search(value)
    if bad is not None:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X} at character {bad.start()}"
            + ("" if controls is _WORD_CONTROLS else " (a text may hold tabs and line breaks, no other controls)")
        )
    return value


_SCHEME: dict[str, Any] = {"enum": scheme_names()}
_SOURCE_SCHEME: dict[str, Any] = {"enum": ["auto", *scheme_names()]}


class ConvertRequest(BaseModel):
    """``POST /api/v1/convert``: text in scheme ``from`` to scheme ``to``. Strict: ``top_k`` must be a
    JSON integer (not ``"5"``, ``5.0`` or ``true``); its maximum is the server's (see
    :func:`convert_request_model`)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", strict=True)

    text: str = Field(description="Text to convert; one record per line.", examples=["yah sangathan antarrashtriya sanstha hai."])
    src: str = Field(alias="from", description="Scheme of the text (GET /api/v1/schemes), or auto to detect it.", examples=["roman"], json_schema_extra=_SOURCE_SCHEME)
    dst: str = Field(alias="to", description="Scheme to convert to.", examples=["deva"], json_schema_extra=_SCHEME)
    top_k: int = Field(1, ge=1, le=ServerConfig().max_top_k, description="Candidates per line, best first.")
    english: Literal["transliterate", "keep"] = Field(
        "transliterate",
        description="From roman to Devanagari: transliterate every Latin word, or keep the words the model "
        "reads as English in Latin script (as `convert --english`).",
    )
    digits: Literal["auto", "keep", "ascii", "deva"] = Field(
        "auto", description="Digits in the output (as `convert --digits`): auto follows the target script."
    )
    nukta: Literal["decomposed", "composed"] = Field(
        "decomposed", description="Nukta letters in Devanagari output (as `convert --nukta`)."
    )
    zero_width: Literal["strip", "keep"] = Field(
        "strip", description="ZWJ/ZWNJ in Devanagari output (as `convert --zero-width`)."
    )
    keep_period: bool = Field(
        False, description="Keep `.` as a full stop in Devanagari output instead of । (as `convert --keep-period`)."
    )

    _text = field_validator("text")(_clean_text)


class AlignRequest(BaseModel):
    """``POST /api/v1/align``: a Devanagari text and its romanized twin (strict types, as
    :class:`ConvertRequest`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    deva: str = Field(description="The Devanagari text.")
    roman: str = Field(description="Its romanized twin.")
    presplit: bool = Field(False, description="One sentence per non-blank line (blank lines end paragraphs).")
    words: bool = Field(False, description="Add the word alignment of each bead.")
    max_bead: int = Field(2, ge=1, le=4, description="Most sentences on one side of a bead.")
    format: Literal["json", "jsonl", "tsv"] = Field(
        "json",
        description="json: {beads, score, twins}; jsonl and tsv: the file `lipyantar align` writes (a download).",
    )

    _texts = field_validator("deva", "roman")(_clean_text)


def convert_request_model(max_top_k: int) -> type[ConvertRequest]:
    """:class:`ConvertRequest` with ``top_k`` at most ``max_top_k`` (checked, and in the OpenAPI
    schema)."""
    if max_top_k == ServerConfig().max_top_k:
        return ConvertRequest
    return create_model(
        "ConvertRequest",
        __base__=ConvertRequest,
        __module__=__name__,
        top_k=(int, Field(1, ge=1, le=max_top_k, description=ConvertRequest.model_fields["top_k"].description)),
    )


class CandidateOut(BaseModel):
    text: str
    score: float = Field(description="Log-probability (0.0 for deterministic schemes).")
    prob: float | None = Field(None, description="Calibrated probability, when the converter gives one.")


class ConvertRecord(BaseModel):
    input: str
    candidates: list[CandidateOut]


class DetectedScheme(BaseModel):
    scheme: str
    reason: str


class ConvertResponse(BaseModel):
    records: list[ConvertRecord] = Field(description="One record per input line, as `convert --format jsonl`.")
    detected: DetectedScheme | None = Field(None, description='With "from": "auto": the scheme detected, and why.')


class CandidatesResponse(BaseModel):
    word: str
    candidates: list[CandidateOut]


class BeadOut(BaseModel):
    deva: list[int]
    roman: list[int]
    deva_text: str
    roman_text: str
    score: float
    words: list[tuple[str, str, float]] | None = None


class AlignResponse(BaseModel):
    beads: list[BeadOut] = Field(description="As `align --format jsonl`, in document order.")
    score: float = Field(description="Document score in [0, 1]; twins score high.")
    twins: bool = Field(description="Whether the score says the texts are twins.")


class ErrorDetail(BaseModel):
    loc: list[str] = Field(description='Where: ["body", "top_k"], ["query", "word"]; empty when not one field.')
    msg: str
    type: str = Field(description="Why: missing, int_type, less_than_equal, unknown_scheme, value_error, …")


class ErrorResponse(BaseModel):
    status: int
    error: str = Field(description="The kind of error: invalid_request for every 422.")
    message: str
    details: list[ErrorDetail] | None = Field(None, description="With 422: each invalid field.")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": desc}
    for code, desc in (
        (400, "Malformed JSON or invalid UTF-8"),
        (408, "Head or body too slow"),
        (413, "Over a limit: body size, words, time budget"),
        (415, "The body is not application/json"),
        (421, "A Host this server does not answer to"),
        (422, "invalid_request: a field's value is missing, of the wrong type, out of range or unknown"),
        (431, "Too many or too large headers"),
        (503, "loading: the model is still loading (Retry-After); load_failed: it could not be loaded"),
    )
}


def _invalid(where: str, field: str, kind: str, msg: str) -> RequestValidationError:
    """The error of one invalid field (answered as 422 ``invalid_request``, as pydantic's are)."""
    return RequestValidationError([{"type": kind, "loc": (where, field), "msg": msg}])


def _query_top_k(raw: str, *, maximum: int) -> int:
    if not _QUERY_INT.fullmatch(raw):
        raise _invalid("query", "top_k", "int_parsing", f"Input should be a valid integer, not {raw[:40]!r}")
    top_k = int(raw)
    if top_k < 1:
        raise _invalid("query", "top_k", "greater_than_equal", f"Input should be greater than or equal to 1, not {top_k}")
    if top_k > maximum:
        raise _invalid("query", "top_k", "less_than_equal", f"Input should be less than or equal to {maximum}, not {top_k}")
    return top_k


def _query_word(word: str | None, *, max_chars: int) -> str:
    if word is None:
        raise _invalid("query", "word", "missing", "Field required")
    try:
        _clean_text(word, _WORD_CONTROLS)
    except ValueError as exc:
        raise _invalid("query", "word", "value_error", f"the word {exc}") from None
    stripped = word.strip()
    if not stripped:
        raise _invalid("query", "word", "string_too_short", "the word is empty")
    if len(stripped) > max_chars:
        raise _invalid("query", "word", "string_too_long", f"the word is longer than {max_chars} characters")
    if any(ch.isspace() for ch in stripped):
        raise _invalid(
            "query", "word", "value_error", "a single word (no spaces); use POST /api/v1/convert for text"
        )
    return word


# ------------------------------------------------------------------------------------- the app


class _Loading(Exception):
    """A request that needs the model while it is still loading (503 ``loading``)."""


class _ServiceSlot:
    """The app's :class:`Service`: given, or loaded on the model's worker thread once the server has
    started (``/health`` answers 503 ``loading`` meanwhile, and 503 ``load_failed`` if it fails)."""

    def __init__(self, service: Service | None, loader: Callable[[], Service] | None) -> None:
        self.service = service
        self.loader = loader
        self.error: str | None = None

    def __call__(self) -> Service:
        if self.service is None:
            raise _Loading(self.error or "the model is loading; try again in a moment")
        return self.service

    def load(self) -> None:
        if self.service is not None or self.loader is None:
            return
        try:
            self.service = self.loader()
        except Exception as exc:  # reported by /health and every request, logged once
            self.error = f"the model did not load: {exc}"
            log.error("%s", self.error, exc_info=not isinstance(exc, LipyantarError))


def create_app(
    config: ServerConfig | None = None,
    *,
    service: Service | None = None,
    loader: Callable[[], Service] | None = None,
) -> FastAPI:
    """The app: wires the API, the page and the limits around a :class:`Service`.

    Args:
        config: the model and the limits (default :class:`ServerConfig()`).
        service: a loaded service to use: the app is ready at once.
        loader: without ``service``, how to make one. It runs on the model's worker thread when the
            server starts; until it returns, ``/health`` and every API request answer 503 ``loading``
            (the port is open, the server not ready). Without either, the model is loaded here,
            before the app is returned.
    """
    config = config or ServerConfig()
    if service is None and loader is None:
        service = Service(config)
    slot = _ServiceSlot(service, loader)
    # the model's one worker thread (see the module docstring)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipyantar-model")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if slot.service is None:
            asyncio.get_running_loop().run_in_executor(worker, slot.load)  # requests wait behind it
        yield

    app = FastAPI(
        title="lipyantar",
        version=__version__,
        description="Hindi in two scripts: convert, type and align Devanagari and romanized Hindi.",
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API}/openapi.json",
        lifespan=lifespan,
    )
    app.state.service_slot = slot
    app.state.config = config
    app.state.worker = worker

    async def on_worker(fn: Callable[[], T], deadline: Deadline | None = None) -> T:
        """``fn()`` on the model's worker thread, within ``deadline`` (checked from inside the work)."""

        def run() -> T:
            if deadline is None:
                return fn()
            with time_budget(deadline.check):
                deadline.check()  # the time spent waiting for the worker counts
                return fn()

        return await asyncio.get_running_loop().run_in_executor(worker, run)

    async def on_worker_in_slices(make: Callable[[], Iterator[T]], deadline: Deadline) -> list[T]:
        """All the items of the iterator ``make()`` (a line of ``/convert``, a bead of ``/align``), made on
        the model's worker thread in slices of about :data:`SLICE_SECONDS`: the other requests' work
        (an as-you-type ``/candidates``) runs between two slices."""
        out: list[T] = []
        items: list[Iterator[T]] = []

        def step() -> bool:
            with time_budget(deadline.check):
                deadline.check()
                if not items:
                    items.append(make())
                mark = time.perf_counter()
                for item in items[0]:
                    out.append(item)
                    if time.perf_counter() - mark > SLICE_SECONDS:
                        return False
                return True

        loop = asyncio.get_running_loop()
        while not await loop.run_in_executor(worker, step):
            pass
        return out


    router = APIRouter(prefix=API)
    convert_request = convert_request_model(config.max_top_k)

    async def convert(req: ConvertRequest) -> Response:
        """Convert text from one scheme to another: one record per line, as `convert --format jsonl`."""
        deadline = Deadline(config.time_budget)

        service = slot()
        src, guess = await on_worker(lambda: service.resolve_source(req.text, req.src), deadline)
        records = await on_worker_in_slices(
            lambda: service.iter_convert(
                req.text,
                src,
                req.dst,
                top_k=req.top_k,
                english=req.english,
                options=ConvertOptions(
                    digits=req.digits, nukta=req.nukta, zero_width=req.zero_width, keep_period=req.keep_period
                ),
                deadline=deadline,
            ),
            deadline,
        )
        body: dict[str, object] = {"records": records}
        if guess is not None:
            body["detected"] = guess.to_dict()
        return JSONResponse(body)

    convert.__annotations__["req"] = convert_request  # this server's top_k maximum
    router.post("/convert", response_model=ConvertResponse, responses=_ERRORS)(convert)

    candidate_params = [
        {"name": "word", "in": "query", "required": True, "description": "One word (romanized Hindi by default).",
         "schema": {"type": "string", "maxLength": config.max_word_chars}, "example": "sangathan"},
        {"name": "top_k", "in": "query", "required": False, "description": "How many candidates, best first.",
         "schema": {"type": "integer", "minimum": 1, "maximum": config.max_top_k, "default": 5}},
        {"name": "from", "in": "query", "required": False, "description": "Scheme of the word.",
         "schema": {"type": "string", "enum": scheme_names(), "default": "roman"}},
        {"name": "to", "in": "query", "required": False, "description": "Scheme of the candidates.",
         "schema": {"type": "string", "enum": scheme_names(), "default": "deva"}},
        {"name": "english", "in": "query", "required": False,
         "description": "From roman to Devanagari: keep puts a word the model reads as English first, as written.",
         "schema": {"type": "string", "enum": ["transliterate", "keep"], "default": "transliterate"}},
    ]

    @router.get(
        "/candidates",
        response_model=CandidatesResponse,
        responses=_ERRORS,
        openapi_extra={"parameters": candidate_params},
    )
    async def candidates(request: Request) -> Response:
        """Candidates for one word with scores, for as-you-type use (memoized per word)."""
        # the query is read by hand: this is the hot path, and FastAPI's parameter machinery costs
        # more than a remembered answer
        params = request.query_params
        word = _query_word(params.get("word"), max_chars=config.max_word_chars)
        top_k = _query_top_k(params.get("top_k", "5"), maximum=config.max_top_k)
        src, dst = params.get("from", "roman"), params.get("to", "deva")
        english = params.get("english", "transliterate")
        if english not in ("transliterate", "keep"):
            raise _invalid(
                "query", "english", "literal_error", f"Input should be 'transliterate' or 'keep', not {english[:40]!r}"
            )
        service = slot()
        cands = service.remembered_candidates(word, top_k=top_k, src=src, dst=dst, english=english)  # type: ignore[arg-type]
        if cands is None:  # a new word: the model's thread computes it
            cands = await on_worker(
                lambda: service.candidates(word, top_k=top_k, src=src, dst=dst, english=english)  # type: ignore[arg-type]
            )
        return JSONResponse({"word": word, "candidates": cands})

    @router.post("/align", response_model=AlignResponse, responses=_ERRORS)
    async def align(req: AlignRequest) -> Response:
        """Align a Devanagari text with its romanized twin, as `lipyantar align`."""
        deadline = Deadline(config.time_budget)
        service = slot()
        beads = await on_worker_in_slices(
            lambda: service.iter_align(
                req.deva, req.roman, presplit=req.presplit, words=req.words, max_bead=req.max_bead, deadline=deadline
            ),
            deadline,
        )
        result = AlignResult(tuple(beads), document_score(beads))
        if req.format == "tsv":
            return PlainTextResponse(
                result.to_tsv(),
                media_type="text/tab-separated-values; charset=utf-8",
                headers={"content-disposition": 'attachment; filename="aligned.tsv"'},
            )
        if req.format == "jsonl":
            return PlainTextResponse(
                result.to_jsonl(),
                media_type="application/x-ndjson; charset=utf-8",
                headers={"content-disposition": 'attachment; filename="aligned.jsonl"'},
            )
        return JSONResponse(result.to_dict())

    @router.get("/schemes")
    async def schemes() -> Response:
        """The schemes, as `lipyantar schemes --format jsonl`."""
        return JSONResponse({"schemes": Service.schemes()})

    @router.get("/health")
    async def health() -> Response:
        """Readiness, version, the model's checksum and the limits; 503 ``loading`` until the model is
        loaded (503 ``load_failed`` if it could not be)."""
        if slot.service is None:
            failed = slot.error is not None
            return JSONResponse(
                {
                    "status": "error" if failed else "loading",
                    "error": "load_failed" if failed else "loading",
                    "message": slot.error or "the model is loading",
                    "version": __version__,
                    "pid": os.getpid(),
                },
                status_code=503,
                headers={} if failed else {"retry-after": "1"},
            )
        return JSONResponse(slot.service.health())

    @router.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=f"{API}/openapi.json",
            title="lipyantar API",
            swagger_js_url=f"{API}/docs-static/swagger-ui-bundle.js",
            swagger_css_url=f"{API}/docs-static/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.include_router(router)
    docs_static = _docs_static()
    if docs_static is not None:
        app.mount(f"{API}/docs-static", StaticFiles(directory=docs_static), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs_redirect() -> Response:
        return RedirectResponse(f"{API}/docs")

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(str(_STATIC / "index.html"), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")

    # -- errors: always JSON, never a traceback
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        for err in errors:
            if err.get("type") == "json_invalid":
                where = err.get("loc", ("body", None))[-1]
                reason = (err.get("ctx") or {}).get("error", "JSON decode error")
                return error_response(400, "malformed_json", f"the request body is not valid JSON: {reason} (character {where})")
        parts = []
        for err in errors:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
            msg = err.get("msg", "invalid")
            if loc == "" and err.get("type") == "missing":
                msg = "the request needs a JSON object body"
            elif loc == "" and err.get("type") == "model_attributes_type":
                msg = "the request body must be a JSON object"
            parts.append(f"{loc}: {msg}" if loc else msg)
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "value_error")}
            for e in errors
        ]
        return error_response(422, INVALID, "; ".join(parts), details=details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; the API is under {API} (see {API}/docs)"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, code, message)

    @app.exception_handler(_Loading)
    async def on_loading(request: Request, exc: _Loading) -> Response:
        failed = slot.error is not None
        response = error_response(503, "load_failed" if failed else "loading", str(exc))
        if not failed:
            response.headers["retry-after"] = "1"
        return response

    @app.exception_handler(RequestLimitError)
    async def on_limit(request: Request, exc: RequestLimitError) -> Response:
        return error_response(exc.status, exc.code, str(exc))

    @app.exception_handler(LipyantarError)
    async def on_lipyantar(request: Request, exc: LipyantarError) -> Response:
        # a value the converter or the aligner refused: the same code as a field pydantic refused
        if isinstance(exc, UnknownSchemeError):
            kind = "unknown_scheme"
        elif isinstance(exc, UnsupportedConversionError):
            kind = "unsupported_conversion"
        else:
            kind = "value_error"
        message = str(exc)
        return error_response(422, INVALID, message, details=[{"loc": [], "msg": message, "type": kind}])

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__}")

    # the last added runs first: page headers, then the Host and header count, CORS, the body's limits
    app.add_middleware(LimitsMiddleware, max_body_bytes=config.max_body_bytes, body_timeout=config.body_timeout)
    if config.cors:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET", "POST"], allow_headers=["content-type"]
        )
    app.add_middleware(RequestGuardMiddleware, config=config)
    app.add_middleware(PageHeadersMiddleware)
    return app


def _docs_static() -> str | None:
    """Swagger UI's files from the ``fastapi-offline`` package (the API page works offline)."""
    try:
        import fastapi_offline
    except ImportError:  # pragma: no cover - part of the serve extra
        return None
    path = Path(fastapi_offline.__file__).parent / "static"
    return str(path) if (path / "swagger-ui-bundle.js").is_file() else None


def app_from_env() -> FastAPI:
    """The app factory of uvicorn's worker processes: the configuration comes from the environment."""
    level = os.environ.get("LIPYANTAR_SERVE_LOG_LEVEL")
    if level:
        logging.getLogger("lipyantar").setLevel(level)
    config = ServerConfig.from_env()
    return create_app(config, loader=lambda: Service(config))
