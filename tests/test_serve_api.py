"""The JSON API of ``lipyantar serve`` over real HTTP (uvicorn on a loopback port), its limits and
errors, and the ``serve`` command."""

from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.serve.config import ServerConfig, is_loopback
from lipyantar.translit import SCHEMES, Transliterator

pytestmark = pytest.mark.usefixtures("live_server")

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "lipyantar" / "serve" / "static"


def request(
    server: Any, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(server.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get_json(server: Any, path: str) -> Any:
    status, _, body = request(server, "GET", path)
    assert status == 200, body
    return json.loads(body)


def post_json(server: Any, path: str, payload: object) -> tuple[int, Any]:
    status, _, body = request(
        server, "POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    return status, json.loads(body)


def cli_lines(args: list[str], stdin: str | None = None) -> list[str]:
    result = CliRunner().invoke(main, args, input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


# ------------------------------------------------------------------------------------- answers


def test_health_names_the_version_and_the_model_checksum(live_server: Any) -> None:
    health = get_json(live_server, "/api/v1/health")
    data = (resources.files("lipyantar.translit.learned") / "data" / "roman-default.lpm").read_bytes()
    assert health["status"] == "ok"
    assert health["version"] == __import__("lipyantar").__version__
    assert health["model"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert health["model"]["bytes"] == len(data)
    assert health["limits"]["max_body_bytes"] == 1_000_000


def test_schemes_are_the_registry(live_server: Any) -> None:
    schemes = get_json(live_server, "/api/v1/schemes")["schemes"]
    assert [s["name"] for s in schemes] == list(SCHEMES)
    assert cli_lines(["schemes", "--format", "jsonl"]) == [json.dumps(s, ensure_ascii=False) for s in schemes]


@pytest.mark.parametrize(
    ("text", "src", "dst", "top_k"),
    [
        ("yah sangathan antarrashtriya sanstha hai.\nkya haal hai?", "roman", "deva", 3),
        ("यह संगठन अंतरराष्ट्रीय संस्था है।\n\nIOM का 1952 में", "deva", "iast", 1),
        ("नमस्ते दुनिया", "deva", "roman", 2),
        ("saṃgaṭhana\r\nduniyā\r\n", "iast", "hk", 1),
        ("", "deva", "iso", 1),
    ],
)
def test_convert_gives_the_records_of_convert_jsonl(live_server: Any, text: str, src: str, dst: str, top_k: int) -> None:
    status, body = post_json(live_server, "/api/v1/convert", {"text": text, "from": src, "to": dst, "top_k": top_k})
    assert status == 200, body
    expected = cli_lines(["convert", "--from", src, "--to", dst, "--format", "jsonl", "--top-k", str(top_k)], text)
    assert [json.dumps(r, ensure_ascii=False) for r in body["records"]] == expected


@pytest.mark.parametrize(
    ("text", "scheme"),
    [("यह संगठन अंतरराष्ट्रीय संस्था है।", "deva"), ("yah sangathan antarrashtriya sanstha hai", "roman"),
     ("saṃgaṭhana antarrāṣṭrīya", "iast")],
)
def test_convert_from_auto_says_what_it_detected(live_server: Any, text: str, scheme: str) -> None:
    status, body = post_json(live_server, "/api/v1/convert", {"text": text, "from": "auto", "to": "hk"})
    assert status == 200, body
    assert body["detected"]["scheme"] == scheme and body["detected"]["reason"]
    expected = cli_lines(["convert", "--from", scheme, "--to", "hk", "--format", "jsonl"], text)
    assert [json.dumps(r, ensure_ascii=False) for r in body["records"]] == expected


@pytest.mark.parametrize("word", ["sangathan", "kya", "duniya", "hypothalamus", "Namaste"])
def test_candidates_are_the_converters(live_server: Any, word: str) -> None:
    query = urllib.parse.urlencode({"word": word, "top_k": 5})
    body = get_json(live_server, f"/api/v1/candidates?{query}")
    expected = [c.to_dict() for c in Transliterator("roman", "deva").candidates(word, top_k=5)]
    assert body == {"word": word, "candidates": expected}
    assert 1 <= len(body["candidates"]) <= 5


CODE_MIXED = "please mujhe email karo, meeting kal office mein hai"


def test_convert_keeps_english_words_as_convert_english_keep_does(live_server: Any) -> None:
    records = {}
    for english in ("transliterate", "keep"):
        payload = {"text": CODE_MIXED, "from": "roman", "to": "deva", "top_k": 2, "english": english}
        status, body = post_json(live_server, "/api/v1/convert", payload)
        assert status == 200, body
        expected = cli_lines(["convert", "-f", "roman", "-t", "deva", "--format", "jsonl", "--top-k", "2",
                              "--english", english], CODE_MIXED)
        assert [json.dumps(r, ensure_ascii=False) for r in body["records"]] == expected
        records[english] = body["records"][0]["candidates"][0]["text"]
    kept = {w for w in records["keep"].replace(",", " ").split() if w.isascii()}
    assert kept and kept <= set(CODE_MIXED.replace(",", "").split())  # some English words stay, as written
    assert not any(w.isascii() for w in records["transliterate"].replace(",", " ").split())


@pytest.mark.parametrize(
    ("text", "src", "dst", "options", "flags", "changes"),
    [
        ("kamra 12 mein hai.", "roman", "deva", {"digits": "deva"}, ["--digits", "deva"], True),
        ("कमरा १२ में है।", "deva", "roman", {"digits": "ascii"}, ["--digits", "ascii"], False),
        ("कमरा १२ में है।", "deva", "iast", {"digits": "keep"}, ["--digits", "keep"], True),
        ("क़लम और ज़िंदगी", "deva", "deva", {"nukta": "composed"}, ["--nukta", "composed"], True),
        ("क्\u200dष और न\u200cहीं", "deva", "deva", {"zero_width": "keep"}, ["--zero-width", "keep"], True),
        ("yah sangathan hai. vah bhi.", "roman", "deva", {"keep_period": True}, ["--keep-period"], True),
        ("yah sangathan hai. vah bhi.", "roman", "deva", {"keep_period": False}, [], False),
    ],
)
def test_convert_options_are_the_clis(
    live_server: Any, text: str, src: str, dst: str, options: dict[str, Any], flags: list[str], changes: bool
) -> None:
    payload = {"text": text, "from": src, "to": dst, "top_k": 2, **options}
    status, body = post_json(live_server, "/api/v1/convert", payload)
    assert status == 200, body
    expected = cli_lines(["convert", "-f", src, "-t", dst, "--format", "jsonl", "--top-k", "2", *flags], text)
    assert [json.dumps(r, ensure_ascii=False) for r in body["records"]] == expected
    # the option was applied: the output differs from the defaults' exactly when the CLI's does
    status, plain = post_json(live_server, "/api/v1/convert", {"text": text, "from": src, "to": dst, "top_k": 2})
    assert status == 200, plain
    assert (plain["records"] != body["records"]) == changes


@pytest.mark.parametrize(
    "bad", [{"digits": "roman"}, {"nukta": "yes"}, {"zero_width": 1}, {"keep_period": "true"}, {"keep_period": 1}]
)
def test_convert_options_are_strict(live_server: Any, bad: dict[str, Any]) -> None:
    status, body = post_json(live_server, "/api/v1/convert", {"text": "kya", "from": "roman", "to": "deva", **bad})
    assert status == 422, body
    assert body["error"] == "invalid_request" and body["message"], body


@pytest.mark.parametrize("word", ["email", "meeting", "sangathan"])
def test_candidates_keep_english_words_first_as_written(live_server: Any, word: str) -> None:
    query = urllib.parse.urlencode({"word": word, "top_k": 5, "english": "keep"})
    body = get_json(live_server, f"/api/v1/candidates?{query}")
    expected = [c.to_dict() for c in Transliterator("roman", "deva", english="keep").candidates(word, top_k=5)]
    assert body["candidates"] == expected
    plain = [c.to_dict() for c in Transliterator("roman", "deva").candidates(word, top_k=5)]
    if expected[0]["text"] == word:  # read as English: the word itself first, then the Devanagari readings
        assert plain[0]["text"] != word and [c["text"] for c in expected[1:]] == [c["text"] for c in plain[1:]]
    else:
        assert expected == plain


def test_candidates_the_other_way(live_server: Any) -> None:
    query = urllib.parse.urlencode({"word": "संगठन", "from": "deva", "to": "roman", "top_k": 3})
    body = get_json(live_server, f"/api/v1/candidates?{query}")
    assert body["candidates"] == [c.to_dict() for c in Transliterator("deva", "roman").candidates("संगठन", top_k=3)]


@pytest.mark.parametrize("words", [False, True])
def test_align_gives_the_beads_of_align_jsonl(
    live_server: Any, example_hindi: Path, example_roman: Path, words: bool
) -> None:
    deva, roman = example_hindi.read_text(encoding="utf-8"), example_roman.read_text(encoding="utf-8")
    status, body = post_json(live_server, "/api/v1/align", {"deva": deva, "roman": roman, "words": words})
    assert status == 200, body
    args = ["align", str(example_hindi), str(example_roman), "--format", "jsonl"] + (["--words"] if words else [])
    assert [json.dumps(b, ensure_ascii=False) for b in body["beads"]] == cli_lines(args)
    assert len(body["beads"]) == 25
    assert body["twins"] is True and 0.5 < body["score"] <= 1.0


@pytest.mark.parametrize(("fmt", "media"), [("tsv", "text/tab-separated-values"), ("jsonl", "application/x-ndjson")])
def test_align_downloads_are_the_cli_files(
    live_server: Any, example_hindi: Path, example_roman: Path, fmt: str, media: str
) -> None:
    payload = {"deva": example_hindi.read_text(encoding="utf-8"), "roman": example_roman.read_text(encoding="utf-8"), "format": fmt}
    status, headers, body = request(
        live_server, "POST", "/api/v1/align", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    assert status == 200
    assert headers["content-type"].startswith(media)
    assert f'filename="aligned.{fmt}"' in headers["content-disposition"]
    expected = cli_lines(["align", str(example_hindi), str(example_roman), "--format", fmt])
    assert body.decode("utf-8").splitlines() == expected


def test_align_presplit_and_swapped_texts(live_server: Any) -> None:
    status, body = post_json(
        live_server, "/api/v1/align", {"deva": "पहला वाक्य\nदूसरा वाक्य", "roman": "pahla vakya\ndusra vakya", "presplit": True}
    )
    assert status == 200 and [b["deva"] for b in body["beads"]] == [[0], [1]]
    status, body = post_json(live_server, "/api/v1/align", {"deva": "pahla vakya", "roman": "पहला वाक्य"})
    assert status == 422 and "swap" in body["message"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ('Application/JSON;charset="UTF-8"', 200),
        ("text/plain", 415),  # what a cross-site fetch or form may send without asking first
        ("text/plain; charset=utf-8", 415),
        ("application/x-www-form-urlencoded", 415),  # curl -d without -H
        ("multipart/form-data; boundary=x", 415),
        ("application/json; charset=latin-1", 415),
        ("application/jsonx", 415),
    ],
)
def test_a_body_must_be_application_json(live_server: Any, content_type: str, status: int) -> None:
    payload = json.dumps({"text": "नमस्ते", "from": "deva", "to": "iast"}).encode()
    got, headers, body = request(live_server, "POST", "/api/v1/convert", payload, {"Content-Type": content_type})
    assert got == status, body
    answer = json.loads(body)
    if status == 200:
        assert answer["records"][0]["candidates"][0]["text"] == "namaste"
    else:
        assert answer["error"] == "unsupported_media_type" and "application/json" in answer["message"]
        assert headers["content-type"].startswith("application/json")


def test_a_body_without_a_content_type_gets_415(live_server: Any) -> None:
    body = b'{"text": "x", "from": "deva", "to": "iast"}'
    head = b"POST /api/v1/convert HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % len(body)
    answer = _raw(live_server, head + body)
    assert answer.startswith(b"HTTP/1.1 415"), answer[:200]
    assert b'"error":"unsupported_media_type"' in answer


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("LOCALHOST.", 200),
        ("127.0.0.1:8000", 200),
        ("127.0.0.2", 200),
        ("[::1]:8000", 200),
        ("evil.example", 421),  # a page of evil.example, its name made to resolve to 127.0.0.1
        ("evil.example:8000", 421),
        ("localhost.evil.example", 421),
        ("192.168.1.4", 421),
        ("localhost:http", 421),
        ("", 421),
    ],
)
def test_only_the_loopback_names_are_answered_by_default(live_server: Any, host: str, status: int) -> None:
    for method, path, body in (("GET", "/api/v1/health", None), ("POST", "/api/v1/convert", _convert())):
        got, headers, raw = request(live_server, method, path, body, {"Host": host, **JSON})
        assert got == status, raw[:300]
        if status == 421:
            answer = json.loads(raw)
            assert answer["error"] == "host_not_allowed" and "--allowed-host" in answer["message"]
            assert headers["content-type"].startswith("application/json")
    got, _, _ = request(live_server, "GET", "/", headers={"Host": host})  # the page too
    assert got == status


def test_a_request_without_a_host_gets_421(live_server: Any) -> None:
    answer = _raw(live_server, b"GET /api/v1/health HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 421"), answer[:200]


def test_more_than_max_headers_get_431(live_server: Any) -> None:
    extra = {f"X-H{i}": "1" for i in range(100)}  # with Host and the others: over 100
    got, _, raw = request(live_server, "GET", "/api/v1/health", headers=extra)
    assert got == 431 and json.loads(raw)["error"] == "headers_too_large"
    got, _, _ = request(live_server, "GET", "/api/v1/health", headers=dict(list(extra.items())[:90]))
    assert got == 200


# ------------------------------------------------------------------------------------- errors


def _convert(**fields: object) -> bytes:
    return json.dumps({"text": "नमस्ते", "from": "deva", "to": "iast", **fields}).encode()


JSON = {"Content-Type": "application/json"}
BAD_REQUESTS = [
    # (what, method, path, body, headers, status, error)
    ("malformed JSON", "POST", "/api/v1/convert", b'{"text": "x", "from":', JSON, 400, "malformed_json"),
    ("not JSON at all", "POST", "/api/v1/convert", b"text=hello", JSON, 400, "malformed_json"),
    ("a form", "POST", "/api/v1/convert", b"text=hello", {}, 415, "unsupported_media_type"),
    ("text/plain", "POST", "/api/v1/convert", _convert(), {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
    ("invalid UTF-8 body", "POST", "/api/v1/convert", b'{"text": "\xff\xfe", "from": "deva", "to": "iast"}', JSON, 400, "invalid_utf8"),
    ("invalid UTF-8 query", "GET", "/api/v1/candidates?word=%ff%fe", None, {}, 400, "invalid_utf8"),
    ("body too large", "POST", "/api/v1/convert", b'{"text": "' + b"a" * 1_000_001 + b'"}', JSON, 413, "body_too_large"),
    ("too many words", "POST", "/api/v1/convert", json.dumps({"text": "ab " * 20_001, "from": "iast", "to": "deva"}).encode(), JSON, 413, "too_many_words"),
    ("unknown scheme", "POST", "/api/v1/convert", _convert(to="klingon"), JSON, 422, "invalid_request"),
    ("one-way scheme as source", "POST", "/api/v1/convert", _convert(**{"from": "roman-rules"}), JSON, 422, "invalid_request"),
    ("top_k 0", "POST", "/api/v1/convert", _convert(top_k=0), JSON, 422, "invalid_request"),
    ("top_k -1", "POST", "/api/v1/convert", _convert(top_k=-1), JSON, 422, "invalid_request"),
    ("top_k too large", "POST", "/api/v1/convert", _convert(top_k=21), JSON, 422, "invalid_request"),
    ("top_k not a number", "POST", "/api/v1/convert", _convert(top_k="five"), JSON, 422, "invalid_request"),
    ("top_k a string", "POST", "/api/v1/convert", _convert(top_k="5"), JSON, 422, "invalid_request"),
    ("top_k true", "POST", "/api/v1/convert", _convert(top_k=True), JSON, 422, "invalid_request"),
    ("top_k 5.0", "POST", "/api/v1/convert", _convert(top_k=5.0), JSON, 422, "invalid_request"),
    ("top_k null", "POST", "/api/v1/convert", _convert(top_k=None), JSON, 422, "invalid_request"),
    ("text a number", "POST", "/api/v1/convert", _convert(text=5), JSON, 422, "invalid_request"),
    ("NUL in text", "POST", "/api/v1/convert", _convert(text="नम\x00स्ते"), JSON, 422, "invalid_request"),
    ("escape in text", "POST", "/api/v1/convert", _convert(text="a\x1b[2Jb"), JSON, 422, "invalid_request"),
    ("align words a string", "POST", "/api/v1/align", b'{"deva": "a", "roman": "b", "words": "true"}', JSON, 422, "invalid_request"),
    ("align max_bead a string", "POST", "/api/v1/align", b'{"deva": "a", "roman": "b", "max_bead": "2"}', JSON, 422, "invalid_request"),
    ("align NUL", "POST", "/api/v1/align", b'{"deva": "\\u0000", "roman": "b"}', JSON, 422, "invalid_request"),
    ("missing field", "POST", "/api/v1/convert", b'{"text": "x", "from": "deva"}', JSON, 422, "invalid_request"),
    ("unknown field", "POST", "/api/v1/convert", _convert(tpo_k=3), JSON, 422, "invalid_request"),
    ("array body", "POST", "/api/v1/convert", b"[1, 2]", JSON, 422, "invalid_request"),
    ("empty body", "POST", "/api/v1/convert", b"", JSON, 422, "invalid_request"),
    ("lone surrogate", "POST", "/api/v1/convert", b'{"text": "\\ud800", "from": "deva", "to": "iast"}', JSON, 422, "invalid_request"),
    ("no word", "GET", "/api/v1/candidates", None, {}, 422, "invalid_request"),
    ("empty word", "GET", "/api/v1/candidates?word=", None, {}, 422, "invalid_request"),
    ("two words", "GET", "/api/v1/candidates?word=kya%20haal", None, {}, 422, "invalid_request"),
    ("word too long", "GET", "/api/v1/candidates?word=" + "a" * 101, None, {}, 422, "invalid_request"),
    ("NUL word", "GET", "/api/v1/candidates?word=%00", None, {}, 422, "invalid_request"),
    ("NUL in a word", "GET", "/api/v1/candidates?word=ky%00a", None, {}, 422, "invalid_request"),
    ("tab in a word", "GET", "/api/v1/candidates?word=ky%09a", None, {}, 422, "invalid_request"),
    ("candidates top_k", "GET", "/api/v1/candidates?word=kya&top_k=-1", None, {}, 422, "invalid_request"),
    ("candidates top_k 0", "GET", "/api/v1/candidates?word=kya&top_k=0", None, {}, 422, "invalid_request"),
    ("candidates top_k 21", "GET", "/api/v1/candidates?word=kya&top_k=21", None, {}, 422, "invalid_request"),
    ("candidates top_k text", "GET", "/api/v1/candidates?word=kya&top_k=five", None, {}, 422, "invalid_request"),
    ("candidates top_k true", "GET", "/api/v1/candidates?word=kya&top_k=true", None, {}, 422, "invalid_request"),
    ("candidates top_k 5.0", "GET", "/api/v1/candidates?word=kya&top_k=5.0", None, {}, 422, "invalid_request"),
    ("candidates top_k 5_0", "GET", "/api/v1/candidates?word=kya&top_k=5_0", None, {}, 422, "invalid_request"),
    ("candidates top_k Devanagari digit", "GET", "/api/v1/candidates?word=kya&top_k=%E0%A5%AB", None, {}, 422, "invalid_request"),
    ("candidates scheme", "GET", "/api/v1/candidates?word=kya&to=klingon", None, {}, 422, "invalid_request"),
    ("candidates english", "GET", "/api/v1/candidates?word=kya&english=yes", None, {}, 422, "invalid_request"),
    ("convert english", "POST", "/api/v1/convert", _convert(english="drop"), JSON, 422, "invalid_request"),
    ("align format", "POST", "/api/v1/align", b'{"deva": "a", "roman": "b", "format": "xml"}', JSON, 422, "invalid_request"),
    ("no such path", "GET", "/api/v2/convert", None, {}, 404, "not_found"),
    ("wrong method", "GET", "/api/v1/convert", None, {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "error"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_requests_get_clean_json_errors(
    live_server: Any, method: str, path: str, body: bytes | None, headers: dict[str, str], status: int, error: str
) -> None:
    got, response_headers, raw = request(live_server, method, path, body, headers)
    assert got == status, raw[:500]
    assert response_headers["content-type"].startswith("application/json")
    payload = json.loads(raw)
    assert payload["status"] == status and payload["error"] == error
    assert payload["message"] and "Traceback" not in payload["message"]
    if status == 422:  # every invalid value: one code, and the details say which field and why
        assert payload["details"] and all({"loc", "msg", "type"} <= set(d) for d in payload["details"])
    assert get_json(live_server, "/api/v1/health")["status"] == "ok"  # still up


@pytest.mark.parametrize(
    ("path", "body", "field", "kind"),
    [
        ("/api/v1/convert", _convert(top_k=21), "top_k", "less_than_equal"),
        ("/api/v1/convert", _convert(top_k=0), "top_k", "greater_than_equal"),
        ("/api/v1/convert", _convert(top_k="5"), "top_k", "int_type"),
        ("/api/v1/convert", _convert(top_k=True), "top_k", "int_type"),
        ("/api/v1/convert", _convert(text="a\x00"), "text", "value_error"),
        ("/api/v1/candidates?word=kya&top_k=21", None, "top_k", "less_than_equal"),
        ("/api/v1/candidates?word=kya&top_k=0", None, "top_k", "greater_than_equal"),
        ("/api/v1/candidates?word=kya&top_k=5.0", None, "top_k", "int_parsing"),
        ("/api/v1/candidates?word=%00", None, "word", "value_error"),
    ],
)
def test_invalid_fields_are_named_in_the_details(
    live_server: Any, path: str, body: bytes | None, field: str, kind: str
) -> None:
    got, _, raw = request(live_server, "POST" if body else "GET", path, body, JSON if body else {})
    payload = json.loads(raw)
    assert got == 422 and payload["error"] == "invalid_request", payload
    (detail,) = payload["details"]
    assert detail["loc"][-1] == field and detail["type"] == kind, detail
    assert field in payload["message"]


def _raw(server: Any, data: bytes, *, pause: float = 0.0, more: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(data)
        if pause:
            time.sleep(pause)
            try:
                sock.sendall(more)
            except OSError:
                pass
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b'"}' in chunks[-1]:
                break
        return b"".join(chunks)


def test_a_slow_body_gets_408_and_the_server_stays_up(live_server: Any) -> None:
    head = (
        b"POST /api/v1/convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60\r\n\r\n"
    )
    answer = _raw(live_server, head + b'{"text": "na', pause=0.1)  # the rest never comes (body timeout 1 s)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"error":"request_timeout"' in answer
    assert get_json(live_server, "/api/v1/health")["status"] == "ok"


def test_a_large_chunked_body_gets_413(live_server: Any) -> None:
    """No Content-Length: the size is counted as the body arrives."""
    chunk = b"a" * 300_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"0\r\n\r\n"
    head = (
        b"POST /api/v1/convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    answer = _raw(live_server, head + body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert get_json(live_server, "/api/v1/health")["status"] == "ok"


@pytest.fixture(scope="module")
def strict_server(serve_service: Any) -> Any:
    from conftest import LiveServer

    from lipyantar.serve.app import create_app

    config = ServerConfig(time_budget=0.05, cors=("http://example.org",))
    server = LiveServer(create_app(config, service=serve_service.with_config(config)))
    yield server
    server.stop()


def _http_impls() -> list[str]:
    try:
        import httptools  # noqa: F401
    except ImportError:
        return ["h11"]
    return ["h11", "httptools"]


@pytest.fixture(scope="module", params=_http_impls())
def guarded_server(request: pytest.FixtureRequest, serve_service: Any) -> Any:
    """A server with a short header timeout and a small head limit, on each HTTP implementation."""
    from conftest import LiveServer

    from lipyantar.serve.app import create_app

    config = ServerConfig(header_timeout=0.5, max_header_bytes=2048)
    server = LiveServer(create_app(config, service=serve_service.with_config(config)), impl=request.param)
    yield server
    server.stop()


def _responses(server: Any, parts: list[bytes], *, count: int, pause: float = 0.0) -> list[bytes]:
    """Send ``parts`` on one connection (``pause`` seconds apart) and read ``count`` responses (or
    until the server closes); each is its status line."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        for part in parts:
            sock.sendall(part)
            time.sleep(pause)
        data = b""
        while data.count(b"HTTP/1.1 ") < count or not data.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return [b"HTTP/1.1 " + r.split(b"\r\n", 1)[0] for r in data.split(b"HTTP/1.1 ")[1:]]


def _post(body: bytes) -> bytes:
    return (
        b"POST /api/v1/convert HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


_GET = b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.mark.parametrize(
    ("what", "parts", "pause", "statuses"),
    [
        ("two pipelined requests", [_GET + _GET], 0.0, [200, 200]),
        ("a post and a get in one packet", [_post(_convert()) + _GET], 0.0, [200, 200]),
        ("a body slower than the header timeout",
         [_post(_convert())[:-20], _post(_convert())[-20:-10], _post(_convert())[-10:]], 0.3, [200]),
        ("keep-alive past the header timeout", [_GET, _GET], 0.8, [200, 200]),
        ("a head in pieces within the timeout", [_GET[:10], _GET[10:30], _GET[30:]], 0.1, [200]),
        ("a body larger than the head limit right after the head",
         [_post(_convert(text="क" * 3000))], 0.0, [200]),
        ("a head over the limit in pieces", [_GET[:-2], b"X-a: " + b"b" * 1000 + b"\r\n", b"X-b: " + b"c" * 1100 + b"\r\n\r\n"],
         0.0, [431]),
    ],
)
def test_the_head_guard_lets_ordinary_clients_through(
    guarded_server: Any, what: str, parts: list[bytes], pause: float, statuses: list[int]
) -> None:
    got = _responses(guarded_server, parts, count=len(statuses), pause=pause)
    assert [int(r.split()[1]) for r in got] == statuses, (what, got)


def test_the_head_guard_drops_a_slow_head(guarded_server: Any) -> None:
    with socket.create_connection(("127.0.0.1", guarded_server.port), timeout=30) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # closed by the server: the loop ends
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408") and b'"error":"request_timeout"' in answer, answer


def test_a_request_over_its_time_budget_gets_413(strict_server: Any) -> None:
    rng = random.Random(7)
    words = ["".join(rng.choice("kgtdpbmnrlsvhaeiou") for _ in range(rng.randint(5, 9))) for _ in range(3000)]
    text = "\n".join(" ".join(words[i : i + 5]) for i in range(0, len(words), 5))
    status, body = post_json(strict_server, "/api/v1/convert", {"text": text, "from": "roman", "to": "deva", "top_k": 5})
    assert status == 413 and body["error"] == "time_budget_exceeded", body
    assert "0.05 s" in body["message"]
    assert get_json(strict_server, "/api/v1/health")["status"] == "ok"


def test_the_time_budget_holds_inside_one_long_line(strict_server: Any) -> None:
    """One line of 3,000 new words (one paragraph, no line break): the budget is checked between its
    words, not only between lines."""
    rng = random.Random(8)
    words = ["".join(rng.choice("kgtdpbmnrlsvhaeiou") for _ in range(rng.randint(5, 9))) for _ in range(3000)]
    status, body = post_json(
        strict_server, "/api/v1/convert", {"text": " ".join(words), "from": "roman", "to": "deva", "top_k": 5}
    )
    assert status == 413 and body["error"] == "time_budget_exceeded", body
    assert get_json(strict_server, "/api/v1/health")["status"] == "ok"


@pytest.mark.slow
def test_health_answers_while_a_long_request_converts(live_server: Any) -> None:
    """The model works on its own thread: /health (and the page) answer before a long conversion ends."""
    import threading

    rng = random.Random(9)
    words = ["".join(rng.choice("kgtdpbmnrlsvhaeiou") for _ in range(rng.randint(5, 9))) for _ in range(4000)]
    done: list[str] = []

    def long_request() -> None:
        status, _ = post_json(live_server, "/api/v1/convert", {"text": " ".join(words), "from": "roman", "to": "deva"})
        done.append(f"convert {status}")

    thread = threading.Thread(target=long_request)
    thread.start()
    time.sleep(0.3)  # the conversion has started
    health = get_json(live_server, "/api/v1/health")
    done.append("health")
    thread.join(timeout=120)
    assert health["status"] == "ok"
    assert done == ["health", "convert 200"], done


def test_cors_is_off_unless_asked_for(live_server: Any, strict_server: Any) -> None:
    preflight = {"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
    _, headers, _ = request(live_server, "OPTIONS", "/api/v1/convert", headers=preflight)
    assert "access-control-allow-origin" not in headers
    status, headers, _ = request(strict_server, "OPTIONS", "/api/v1/convert", headers=preflight)
    assert status == 200 and headers["access-control-allow-origin"] == "http://example.org"
    _, headers, _ = request(strict_server, "GET", "/api/v1/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in headers


# ------------------------------------------------------------------------------------- page and docs


def test_the_page_and_its_files_are_served_with_a_strict_policy(live_server: Any) -> None:
    status, headers, body = request(live_server, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert b'<textarea id="type-input"' in body
    for name in ("app.js", "style.css", "favicon.svg"):
        status, headers, _ = request(live_server, "GET", f"/static/{name}")
        assert status == 200 and headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.iterdir()))
def test_the_page_loads_nothing_from_elsewhere(name: str) -> None:
    text = (STATIC / name).read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in text and "https://" not in text and "//cdn" not in text


def _schema_of(spec: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


@pytest.mark.parametrize("max_top_k", [20, 3])
def test_the_openapi_schema_gives_top_ks_range(serve_service: Any, max_top_k: int) -> None:
    from lipyantar.serve.app import create_app

    config = ServerConfig(max_top_k=max_top_k)
    spec = create_app(config, service=serve_service.with_config(config)).openapi()
    body = spec["paths"]["/api/v1/convert"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    top_k = _schema_of(spec, body)["properties"]["top_k"]
    assert (top_k["type"], top_k["minimum"], top_k["maximum"]) == ("integer", 1, max_top_k)
    (query,) = [p for p in spec["paths"]["/api/v1/candidates"]["get"]["parameters"] if p["name"] == "top_k"]
    assert (query["schema"]["minimum"], query["schema"]["maximum"]) == (1, max_top_k)
    assert "415" in spec["paths"]["/api/v1/convert"]["post"]["responses"]


def test_a_servers_own_top_k_maximum_is_enforced(serve_service: Any) -> None:
    from conftest import LiveServer

    from lipyantar.serve.app import create_app

    config = ServerConfig(max_top_k=3)
    server = LiveServer(create_app(config, service=serve_service.with_config(config)))
    try:
        for top_k, status in ((3, 200), (4, 422)):
            got, body = post_json(server, "/api/v1/convert", json.loads(_convert(top_k=top_k)))
            assert got == status, body
            got, _, _ = request(server, "GET", f"/api/v1/candidates?word=kya&top_k={top_k}")
            assert got == status
    finally:
        server.stop()


def test_the_openapi_page_works_offline(live_server: Any) -> None:
    spec = get_json(live_server, "/api/v1/openapi.json")
    assert {"/api/v1/convert", "/api/v1/candidates", "/api/v1/align"} <= set(spec["paths"])
    status, _, page = request(live_server, "GET", "/api/v1/docs")
    assert status == 200 and b"/api/v1/docs-static/swagger-ui-bundle.js" in page
    assert b"cdn." not in page
    status, _, js = request(live_server, "GET", "/api/v1/docs-static/swagger-ui-bundle.js")
    assert status == 200 and len(js) > 100_000


# ------------------------------------------------------------------------------------- config and command


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("192.168.1.4", False), ("::", False), ("example.org", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "changes",
    [{"max_body_bytes": 0}, {"max_words": -1}, {"max_top_k": True}, {"time_budget": 0}, {"body_timeout": float("inf")},
     {"cors": ("example.org",)}],
)
def test_server_config_validates(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ServerConfig(**changes)  # type: ignore[arg-type]


def test_server_config_travels_as_json() -> None:
    config = ServerConfig(model="m.lpm", max_words=5, time_budget=1.5, cors=("https://a.example",))
    assert ServerConfig.from_json(config.to_json()) == config


def test_help_does_not_import_fastapi() -> None:
    code = "import sys, lipyantar.cli; print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]
    result = CliRunner().invoke(main, ["--help"])
    assert "serve" in result.output


def test_serve_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "pip install 'lipyantar[serve]'" in result.output
    assert "Traceback" not in result.output


def test_serve_on_a_busy_port_is_a_clean_error(live_server: Any) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", str(live_server.port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{live_server.port}" in result.output


def test_serve_with_a_bad_model_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.lpm"
    bad.write_bytes(b"not a model")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(main, ["serve", "--port", str(port), "--model", str(bad)])
    assert result.exit_code == 1
    assert "not a lipyantar model file" in result.output


@pytest.mark.slow
def test_serve_command_with_two_workers(tmp_path: Path) -> None:
    """The real command: two worker processes, each with its own model, answering on one port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lipyantar", "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/health"
        pids: set[int] = set()
        deadline = time.monotonic() + 120
        while len(pids) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    pids.add(json.load(response)["pid"])
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert len(pids) == 2, f"answers from {len(pids)} worker(s); log: {log.read_text()[-2000:]}"
        assert proc.pid not in pids
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/candidates?word=namaste", timeout=30) as response:
            assert json.load(response)["candidates"][0]["text"] == "नमस्ते"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert "serving http://127.0.0.1:" in log.read_text()


@pytest.mark.slow
def test_the_server_answers_while_a_long_request_runs(live_server: Any) -> None:
    """A long /convert is worked off in slices: a /candidates request meanwhile is answered first."""
    import threading

    rng = random.Random(11)
    words = ["".join(rng.choice("kgtdpbmnrlsvhaeiou") for _ in range(rng.randint(6, 9))) for _ in range(4000)]
    text = "\n".join(" ".join(words[i : i + 8]) for i in range(0, len(words), 8))
    done: list[int] = []

    def long_request() -> None:
        status, _ = post_json(live_server, "/api/v1/convert", {"text": text, "from": "roman", "to": "deva", "top_k": 5})
        done.append(status)

    thread = threading.Thread(target=long_request)
    thread.start()
    time.sleep(0.3)  # the long request is under way
    assert get_json(live_server, "/api/v1/candidates?word=namaste")["candidates"][0]["text"] == "नमस्ते"
    assert not done, "the long request finished first: it did not give the event loop back"
    thread.join(timeout=120)
    assert done and done[0] in (200, 413)


@pytest.mark.parametrize(("host", "workers"), [("127.0.0.1", 1), ("0.0.0.0", 2)])
def test_serve_runs_uvicorn_and_warns_off_loopback(monkeypatch: pytest.MonkeyPatch, host: str, workers: int) -> None:
    import uvicorn

    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.delenv("LIPYANTAR_SERVE_CONFIG", raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(
        main, ["serve", "--host", host, "--port", str(port), "--workers", str(workers), "--max-words", "99"]
    )
    assert result.exit_code == 0, result.output
    (app, kwargs), = calls
    assert kwargs["host"] == host and kwargs["port"] == port
    assert ("reachable from other machines" in result.output) is (host != "127.0.0.1")
    if workers == 1:
        assert app.state.config.max_words == 99  # the app itself, with its model
    else:  # each worker builds its own app (and loads the model) from the configuration in the environment
        assert app == "lipyantar.serve.app:app_from_env" and kwargs["factory"] is True and kwargs["workers"] == 2
        assert ServerConfig.from_json(os.environ["LIPYANTAR_SERVE_CONFIG"]).max_words == 99
    os.environ.pop("LIPYANTAR_SERVE_CONFIG", None)
    os.environ.pop("LIPYANTAR_SERVE_LOG_LEVEL", None)


# ------------------------------------------------------------------------------------- properties

_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)  # surrogates and controls too


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ANY_TEXT, src=st.sampled_from(["deva", "iast", "roman", "hk", "auto", "x"]), top_k=st.integers(-2, 25))
def test_any_convert_request_gets_an_answer_or_a_clean_error(live_server: Any, text: str, src: str, top_k: int) -> None:
    status, _, raw = request(
        live_server,
        "POST",
        "/api/v1/convert",
        json.dumps({"text": text, "from": src, "to": "deva", "top_k": top_k}).encode(),
        JSON,
    )
    body = json.loads(raw)
    if status == 200:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        expected = 0 if text == "" else len(lines) - (lines[-1] == "")
        assert [r["input"] for r in body["records"]] == lines[:expected]
    else:
        assert status in (400, 413, 422) and body["status"] == status and body["message"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200), path=st.sampled_from(["/api/v1/convert", "/api/v1/align"]))
def test_any_bytes_get_a_clean_error(live_server: Any, body: bytes, path: str) -> None:
    status, headers, raw = request(live_server, "POST", path, body, JSON)
    assert status in (200, 400, 422), raw[:300]
    assert headers["content-type"].startswith("application/json")


def test_the_model_is_warm_before_the_server_reports_ready(serve_service: Any) -> None:
    """What the model builds on first use is built while the service is created (before the app exists,
    so before /health can answer): the first request does not pay for it."""
    assert serve_service.model._vocab_obj is not None  # the word list is mapped
    from lipyantar.serve.service import ConvertOptions

    for key in [("roman", "deva", "transliterate"), ("deva", "roman", "transliterate")]:
        assert (*key, ConvertOptions()) in serve_service._converters
    assert serve_service.warm_seconds > 0


def test_remembered_candidates_keep_each_services_limits(serve_service: Any) -> None:
    """An answer of /candidates is remembered (the event loop serves it without the model's thread), per
    service: a service with stricter limits does not reuse the answers the other one allowed."""
    from lipyantar.translit.errors import LipyantarError

    args = {"top_k": 5, "src": "roman", "dst": "deva", "english": "transliterate"}
    first = serve_service.candidates("duniya", **args)
    assert serve_service.remembered_candidates("duniya", **args) == first
    strict = serve_service.with_config(ServerConfig(max_top_k=3))
    assert strict.remembered_candidates("duniya", **args) is None
    with pytest.raises(LipyantarError):
        strict.candidates("duniya", **args)


@pytest.mark.parametrize(
    ("word", "top_k"),
    [("kya", True), ("kya", 5.0), ("kya", "5"), ("kya", 0), ("kya", 21), ("\x00", 5), ("ky\x00a", 5), ("\x1b", 5)],
)
def test_the_service_refuses_what_the_api_refuses(serve_service: Any, word: str, top_k: object) -> None:
    """The checks hold without HTTP too (``Service`` is usable from Python), remembered answers included."""
    from lipyantar.translit.errors import InputError

    serve_service.candidates("kya", top_k=1, src="roman", dst="deva")  # remembered under top_k 1 (== True)
    with pytest.raises(InputError):
        serve_service.candidates(word, top_k=top_k, src="roman", dst="deva")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "allowed", "warning"),
    [
        (["--host", "127.0.0.1"], (), None),
        (["--host", "127.0.0.1", "--allowed-host", "Example.org", "--allowed-host", "*.lan"], ("example.org", "*.lan"), None),
        (["--host", "0.0.0.0"], (), "answers requests for the names localhost, 127.0.0.1, [::1] only"),
        (["--host", "192.168.1.4"], ("192.168.1.4",), "192.168.1.4"),  # the address it listens on names it
        (["--allowed-host", "*"], ("*",), "DNS rebinding"),
    ],
)
def test_serve_passes_the_allowed_hosts_and_the_head_limits(
    monkeypatch: pytest.MonkeyPatch, args: list[str], allowed: tuple[str, ...], warning: str | None
) -> None:
    import uvicorn

    from lipyantar.serve import cli as serve_cli
    from lipyantar.serve.protocol import HeadGuard

    calls: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setattr(serve_cli, "_check_port", lambda host, port: None)
    result = CliRunner().invoke(main, ["serve", *args, "--header-timeout", "2.5"])
    os.environ.pop("LIPYANTAR_SERVE_CONFIG", None)
    os.environ.pop("LIPYANTAR_SERVE_LOG_LEVEL", None)
    assert result.exit_code == 0, result.output
    (app, kwargs), = calls
    config = app.state.config
    assert config.allowed_hosts == allowed and config.header_timeout == 2.5
    assert issubclass(kwargs["http"].func, HeadGuard) and kwargs["http"].keywords["serve_config"] == config
    assert kwargs["ws"] == "none"
    if warning:
        assert warning in result.output
    else:
        assert "WARNING" not in result.output.upper()


@pytest.mark.parametrize("name", ["http://example.org", "example.org:8080", "a b", "*.*", ""])
def test_serve_refuses_a_bad_allowed_host(name: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--allowed-host", name])
    assert result.exit_code == 2 and "allowed host" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("changes", "error"),
    [({"allowed_hosts": "example.org"}, TypeError), ({"allowed_hosts": ("x:1",)}, ValueError),
     ({"header_timeout": 0}, ValueError), ({"max_header_bytes": 100}, ValueError), ({"max_headers": 0}, ValueError)],
)
def test_server_config_validates_the_head_limits(changes: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        ServerConfig(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("allowed", "host", "ok"),
    [((), "localhost:1", True), ((), "[::1]", True), ((), "127.1.2.3", True), ((), None, False),
     ((), "evil.example", False), (("example.org",), "EXAMPLE.ORG.:80", True), (("example.org",), "www.example.org", False),
     (("*.example.org",), "www.example.org", True), (("*.example.org",), "example.org", False),
     (("*.example.org",), "wwwexample.org", False), (("::2",), "[::2]:80", True), (("*",), "anything", True),
     (("*",), None, True), ((), "localhost:80:80", False), ((), "[::1", False)],
)
def test_host_allowed(allowed: tuple[str, ...], host: str | None, ok: bool) -> None:
    assert ServerConfig(allowed_hosts=allowed).host_allowed(host) is ok


# -- readiness: a server whose model loads after the port opens (the workers of --workers N) ---------


@pytest.mark.parametrize("outcome", ["loads", "fails"])
def test_health_says_loading_until_the_model_is_loaded(serve_service: Any, outcome: str) -> None:
    """Until the loader returns, /health and the model's requests answer 503 ``loading`` (with
    Retry-After) and the page and the scheme list answer; then /health is ok and requests are
    answered. A loader that fails leaves 503 ``load_failed`` (no Retry-After)."""
    import threading

    from conftest import LiveServer

    from lipyantar.serve.app import create_app
    from lipyantar.translit.errors import ModelError

    release = threading.Event()

    def loader() -> Any:
        if not release.wait(timeout=30):
            raise RuntimeError("the test never released the loader")
        if outcome == "fails":
            raise ModelError("model.lpm: not a lipyantar model")
        return serve_service

    server = LiveServer(create_app(ServerConfig(), loader=loader), lifespan="on")
    try:
        status, headers, body = request(server, "GET", "/api/v1/health")
        assert (status, json.loads(body)["status"], headers.get("retry-after")) == (503, "loading", "1")
        status, headers, body = request(server, "GET", "/api/v1/candidates?word=sangathan")
        assert (status, json.loads(body)["error"]) == (503, "loading")
        status, _ = post_json(server, "/api/v1/convert", {"text": "yah", "from": "roman", "to": "deva"})
        assert status == 503
        assert request(server, "GET", "/api/v1/schemes")[0] == 200
        assert request(server, "GET", "/")[0] == 200
        release.set()
        deadline = time.monotonic() + 30
        while request(server, "GET", "/api/v1/health")[0] == 503 and slot_pending(server):
            assert time.monotonic() < deadline, "the model never finished loading"
            time.sleep(0.02)
        status, headers, body = request(server, "GET", "/api/v1/health")
        if outcome == "loads":
            assert (status, json.loads(body)["status"]) == (200, "ok")
            assert get_json(server, "/api/v1/candidates?word=sangathan")["candidates"][0]["text"] == "संगठन"
        else:
            reply = json.loads(body)
            assert (status, reply["error"], "retry-after" in headers) == (503, "load_failed", False)
            assert "not a lipyantar model" in reply["message"]
            status, _, body = request(server, "GET", "/api/v1/candidates?word=sangathan")
            assert (status, json.loads(body)["error"]) == (503, "load_failed")
    finally:
        release.set()
        server.stop()


def slot_pending(server: Any) -> bool:
    slot = server.server.config.app.state.service_slot
    return slot.service is None and slot.error is None
