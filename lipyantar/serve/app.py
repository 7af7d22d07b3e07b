"""The ASGI app of ``lipyantar serve``: the JSON API under ``/api/v1`` and the web page at ``/``.

Built with FastAPI (the OpenAPI page is ``/api/v1/docs``, served from files installed with the
``serve`` extra, no CDN). Every error is a JSON object ``{"status", "error", "message"}`` with a 4xx
status: 400 for malformed JSON, invalid UTF-8 or a bad query string, 408 for a client too slow to send
its body, 413 for a body, word count or time budget over the limits, 422 for invalid values (unknown
scheme, ``top_k`` out of range, missing field). A bug gives a 500 JSON error, never a traceback.

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
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lipyantar.align.sentences import document_score
from lipyantar.translit import __version__
from lipyantar.translit.budget import time_budget
from lipyantar.translit.errors import LipyantarError, UnknownSchemeError, UnsupportedConversionError
from lipyantar.translit.schemes import scheme_names

from .config import ServerConfig
from .service import AlignResult, Deadline, RequestLimitError, Service

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
    422: "invalid_request",
    500: "internal_error",
}


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The JSON body of every error: ``{"status": 413, "error": "too_large", "message": "…"}``."""
    return JSONResponse({"status": status, "error": code, "message": message, **extra}, status_code=status)


# ------------------------------------------------------------------------------------- middleware


class LimitsMiddleware:
    """Checks what FastAPI would not: the body's size (413) and how fast it arrives (408), that the
    body and the query string are UTF-8 (400). A JSON body is accepted whatever its Content-Type
    (``curl -d`` sends form encoding): the body is handed on as ``application/json``."""

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


def _no_surrogates(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"contains an unpaired surrogate (\\u{ord(value[exc.start]):04x}) at character {exc.start}") from None
    return value


_SCHEME = {"json_schema_extra": {"enum": scheme_names()}}
_SOURCE_SCHEME = {"json_schema_extra": {"enum": ["auto", *scheme_names()]}}


class ConvertRequest(BaseModel):
    """``POST /api/v1/convert``: text in scheme ``from`` to scheme ``to``."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    text: str = Field(description="Text to convert; one record per line.", examples=["yah sangathan antarrashtriya sanstha hai."])
    src: str = Field(alias="from", description="Scheme of the text (GET /api/v1/schemes), or auto to detect it.", examples=["roman"], **_SOURCE_SCHEME)  # type: ignore[arg-type]
    dst: str = Field(alias="to", description="Scheme to convert to.", examples=["deva"], **_SCHEME)  # type: ignore[arg-type]
    top_k: int = Field(1, ge=1, description="Candidates per line, best first.")
    english: Literal["transliterate", "keep"] = Field(
        "transliterate",
        description="From roman to Devanagari: transliterate every Latin word, or keep the words the model "
        "reads as English in Latin script (as `convert --english`).",
    )

    _text = field_validator("text")(_no_surrogates)


class AlignRequest(BaseModel):
    """``POST /api/v1/align``: a Devanagari text and its romanized twin."""

    model_config = ConfigDict(extra="forbid")

    deva: str = Field(description="The Devanagari text.")
    roman: str = Field(description="Its romanized twin.")
    presplit: bool = Field(False, description="One sentence per non-blank line (blank lines end paragraphs).")
    words: bool = Field(False, description="Add the word alignment of each bead.")
    max_bead: int = Field(2, ge=1, le=4, description="Most sentences on one side of a bead.")
    format: Literal["json", "jsonl", "tsv"] = Field(
        "json",
        description="json: {beads, score, twins}; jsonl and tsv: the file `lipyantar align` writes (a download).",
    )

    _texts = field_validator("deva", "roman")(_no_surrogates)


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


class ErrorResponse(BaseModel):
    status: int
    error: str
    message: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": desc}
    for code, desc in (
        (400, "Malformed JSON or invalid UTF-8"),
        (408, "Body too slow"),
        (413, "Over a limit: body size, words, time budget"),
        (422, "Invalid values"),
    )
}


# ------------------------------------------------------------------------------------- the app


def create_app(config: ServerConfig | None = None, *, service: Service | None = None) -> FastAPI:
    """The app: loads the model (or uses ``service``) and wires the API, the page and the limits."""
    config = config or ServerConfig()
    service = service or Service(config)

    app = FastAPI(
        title="lipyantar",
        version=__version__,
        description="Hindi in two scripts: convert, type and align Devanagari and romanized Hindi.",
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API}/openapi.json",
    )
    app.state.service = service
    app.state.config = config
    # the model's one worker thread (see the module docstring)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lipyantar-model")
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

    @router.post("/convert", response_model=ConvertResponse, responses=_ERRORS)
    async def convert(req: ConvertRequest) -> Response:
        """Convert text from one scheme to another: one record per line, as `convert --format jsonl`."""
        deadline = Deadline(config.time_budget)

        src, guess = await on_worker(lambda: service.resolve_source(req.text, req.src), deadline)
        records = await on_worker_in_slices(
            lambda: service.iter_convert(req.text, src, req.dst, top_k=req.top_k, english=req.english, deadline=deadline),
            deadline,
        )
        body: dict[str, object] = {"records": records}
        if guess is not None:
            body["detected"] = guess.to_dict()
        return JSONResponse(body)

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
        word = params.get("word")
        if word is None:
            raise RequestValidationError([{"type": "missing", "loc": ("query", "word"), "msg": "Field required"}])
        raw_k = params.get("top_k", "5")
        try:
            top_k = int(raw_k)
        except ValueError:
            raise RequestValidationError(
                [{"type": "int_parsing", "loc": ("query", "top_k"), "msg": f"Input should be an integer, not {raw_k!r}"}]
            ) from None
        src, dst = params.get("from", "roman"), params.get("to", "deva")
        english = params.get("english", "transliterate")
        if english not in ("transliterate", "keep"):
            raise RequestValidationError(
                [{"type": "literal_error", "loc": ("query", "english"),
                  "msg": f"Input should be 'transliterate' or 'keep', not {english!r}"}]
            )
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
        return JSONResponse({"schemes": service.schemes()})

    @router.get("/health")
    async def health() -> Response:
        """Liveness, version, the model's checksum and the limits."""
        return JSONResponse(service.health())

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
        details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")} for e in errors]
        return error_response(422, "invalid_request", "; ".join(parts), details=details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; the API is under {API} (see {API}/docs)"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, code, message)

    @app.exception_handler(RequestLimitError)
    async def on_limit(request: Request, exc: RequestLimitError) -> Response:
        return error_response(exc.status, exc.code, str(exc))

    @app.exception_handler(LipyantarError)
    async def on_lipyantar(request: Request, exc: LipyantarError) -> Response:
        if isinstance(exc, UnknownSchemeError):
            code = "unknown_scheme"
        elif isinstance(exc, UnsupportedConversionError):
            code = "unsupported_conversion"
        else:
            code = "invalid_input"
        return error_response(422, code, str(exc))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", f"internal error: {type(exc).__name__}")

    app.add_middleware(LimitsMiddleware, max_body_bytes=config.max_body_bytes, body_timeout=config.body_timeout)
    if config.cors:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET", "POST"], allow_headers=["content-type"]
        )
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
    return create_app(ServerConfig.from_env())
