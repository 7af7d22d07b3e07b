"""The work behind the HTTP API, without HTTP: converting, candidates for as-you-type use, aligning.

A :class:`Service` loads the learned model once and keeps one memoizing
:class:`~lipyantar.translit.transliterate.Transliterator` per pair of schemes, so that each worker process of
``lipyantar serve`` pays for a word type once. Its results are the records of the command line
(``convert --format jsonl``, ``align --format jsonl``), as plain dicts ready for JSON. Limits are
enforced here too: too many words or a request over its time budget raise :class:`RequestLimitError`.
"""

from __future__ import annotations

import copy
import hashlib
import io
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from lipyantar.align.io import bead_to_dict, write_jsonl, write_tsv
from lipyantar.align.script import check_scripts
from lipyantar.align.segment import split_lines, split_sentences
from lipyantar.align.sentences import TWIN_THRESHOLD, Bead, document_score, iter_align_sentences
from lipyantar.align.similarity import Similarity
from lipyantar.align.words import align_words
from lipyantar.translit import __version__
from lipyantar.translit.autodetect import AUTO, SchemeGuess, detect_scheme
from lipyantar.translit.errors import InputError, LipyantarError
from lipyantar.translit.learned.lexicon import UserLexicon
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.storage import DEFAULT_MODEL_NAME
from lipyantar.translit.normalize import Normalizer
from lipyantar.translit.schemes import SCHEMES, get_scheme
from lipyantar.translit.transliterate import Transliterator

from .config import ServerConfig

__all__ = ["AlignResult", "Deadline", "RequestLimitError", "Service"]

log = logging.getLogger(__name__)

#: what to do with English words in roman → Devanagari (``convert --english``)
English = Literal["transliterate", "keep"]

#: ``"from": "auto"`` decides on this many first lines (as ``convert --from auto``)
AUTO_SAMPLE_LINES = 1000


class RequestLimitError(LipyantarError):
    """A request over one of the server's limits (words, time budget); ``status`` is its HTTP status."""

    def __init__(self, message: str, *, code: str, status: int = 413) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class Deadline:
    """The time budget of one request, checked between units of work (lines, beads)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise RequestLimitError(
                f"the request took longer than the time budget of {self.seconds:g} s; send less text per request",
                code="time_budget_exceeded",
            )


@dataclass(frozen=True)
class ConvertOptions:
    """The output options of ``convert`` a conversion request may set (see ``lipyantar convert
    --help``): digits in the output, the nukta's form, ZWJ/ZWNJ, and ``.`` → ``।`` from roman."""

    digits: Literal["auto", "keep", "ascii", "deva"] = "auto"
    nukta: Literal["decomposed", "composed"] = "decomposed"
    zero_width: Literal["strip", "keep"] = "strip"
    keep_period: bool = False

    def __post_init__(self) -> None:
        for name, valid in (
            ("digits", ("auto", "keep", "ascii", "deva")),
            ("nukta", ("decomposed", "composed")),
            ("zero_width", ("strip", "keep")),
        ):
            if getattr(self, name) not in valid:
                raise InputError(f"{name} must be one of {', '.join(valid)}, not {getattr(self, name)!r}")
        if not isinstance(self.keep_period, bool):
            raise InputError(f"keep_period must be true or false, not {self.keep_period!r}")


@dataclass(frozen=True)
class AlignResult:
    """The beads of one alignment, in document order, with the document score."""

    beads: tuple[Bead, ...]
    score: float

    @property
    def looks_like_twins(self) -> bool:
        return self.score >= TWIN_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return {
            "beads": [bead_to_dict(b) for b in self.beads],
            "score": self.score,
            "twins": self.looks_like_twins,
        }

    def to_jsonl(self) -> str:
        out = io.StringIO()
        write_jsonl(self.beads, out)
        return out.getvalue()

    def to_tsv(self) -> str:
        out = io.StringIO()
        write_tsv(self.beads, out)
        return out.getvalue()


#: answers of /candidates remembered per service (about 1 KB each; emptied when full)
CANDIDATES_MEMO_WORDS = 32_768


def _load_model(path: str) -> tuple[LearnedModel, str, int]:
    """The model of a file (memory-mapped when it can be; every component built), the SHA-256 of the
    file and its size."""
    # loaded first: LearnedModel.load refuses a path that is not a regular file (a FIFO, a device)
    # before opening it, which the checksum's read below would block on or read for ever
    model = LearnedModel.load(path).check()  # every table read and checked before the server says it is ready
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        from lipyantar.translit.errors import ModelError

        raise ModelError(f"cannot read model {path!r}: {exc.strerror or exc}") from exc
    return model, digest.hexdigest(), size


def _load_lexicon(path: str | None) -> UserLexicon | None:
    return None if path is None else UserLexicon.read(path)


def count_words(text: str) -> int:
    return len(text.split())


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as ``convert`` reads a file: LF, CRLF or CR ends; no last empty line."""
    if not text:
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


class Service:
    """Everything the API does; one per worker process.

    Args:
        config: the model, the user lexicon and the limits (:class:`~lipyantar.serve.config.ServerConfig`).

    Raises:
        ModelError: the model file is missing, corrupt or of another version.
        InputError: the lexicon file cannot be read or has a bad line (file, line, what is wrong).
    """

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        # the lexicon first: a bad one is found before the model is loaded
        self.lexicon = _load_lexicon(self.config.lexicon)
        started = time.perf_counter()
        if self.config.model is None:
            ref = resources.files("lipyantar.translit.learned") / "data" / DEFAULT_MODEL_NAME
            with resources.as_file(ref) as path:
                self.model, digest, size = _load_model(os.fspath(path))
            source = DEFAULT_MODEL_NAME
        else:
            source = self.config.model
            self.model, digest, size = _load_model(source)
        self.model_info = {
            "source": "default" if self.config.model is None else os.path.abspath(source),
            "name": os.path.basename(source),
            "sha256": digest,
            "bytes": size,
        }
        self.load_seconds = time.perf_counter() - started
        self._converters: dict[tuple[str, str, str, ConvertOptions], Transliterator] = {}
        self._lock = threading.Lock()
        self._similarity = Similarity()
        #: (word, top_k, src, dst, english) -> the answer of candidates()
        self._candidates_memo: dict[tuple[str, int, str, str, str], list[dict[str, object]]] = {}
        self.warm_seconds = self._warm()
        log.info(
            "model %s loaded in %.2f s, warmed in %.2f s",
            self.model_info["name"],
            self.load_seconds,
            self.warm_seconds,
        )

    def _warm(self) -> float:
        """Convert a short text each way, so that what the model builds on first use (the word list's
        memory map, the compiled search tables, the converters) is ready before the server reports
        ready: the first request does not wait for it. Returns the seconds it took."""
        started = time.perf_counter()
        to_deva = self.converter("roman", "deva")
        to_deva.transliterate("yah sangathan hai")
        to_deva.candidates("sangathan", top_k=1)
        to_roman = self.converter("deva", "roman")
        to_roman.transliterate("यह संगठन है")
        to_roman.candidates("संगठन", top_k=1)
        return time.perf_counter() - started

    def with_config(self, config: ServerConfig) -> Service:
        """A service with other limits sharing this one's model and converters (no second load);
        ``config.model`` is not looked at. Another ``config.lexicon`` is read, and the service gets
        converters of its own."""
        other = copy.copy(self)
        other.config = config
        other._candidates_memo = {}  # its answers passed this service's limits, not necessarily the other's
        if config.lexicon != self.config.lexicon:
            other.lexicon = _load_lexicon(config.lexicon)
            other._converters = {}
            other._lock = threading.Lock()
        return other

    # ---------------------------------------------------------------------------------- converting
    def converter(
        self, src: str, dst: str, *, english: English = "transliterate", options: ConvertOptions | None = None
    ) -> Transliterator:
        """The memoizing converter ``src → dst`` (built on first use, then kept); ``english="keep"``
        keeps the words the model reads as English in Latin script (roman → Devanagari only);
        ``options`` are those of ``convert`` (digits, nukta, zero-width characters, periods)."""
        if english not in ("transliterate", "keep"):
            raise InputError(f"english must be 'transliterate' or 'keep', not {english!r}")
        opts = options if options is not None else ConvertOptions()
        key = (get_scheme(src).name, get_scheme(dst).name, english, opts)
        conv = self._converters.get(key)
        if conv is None:
            with self._lock:
                conv = self._converters.get(key)
                if conv is None:
                    learned = "learned" in (get_scheme(key[0]).kind, get_scheme(key[1]).kind)
                    lexicon = self.lexicon if learned else None
                    conv = Transliterator(
                        key[0],
                        key[1],
                        model=self.model,
                        normalizer=Normalizer(nukta=opts.nukta, zero_width=opts.zero_width),
                        digits=opts.digits,
                        keep_period=opts.keep_period,
                        english=english,
                        lexicon=lexicon,
                    )
                    self._converters[key] = conv
        return conv

    def check_words(self, words: int) -> None:
        if words > self.config.max_words:
            raise RequestLimitError(
                f"the request has {words} words, more than the limit of {self.config.max_words}; "
                "split it into smaller requests",
                code="too_many_words",
            )

    @staticmethod
    def resolve_source(text: str, src: str) -> tuple[str, SchemeGuess | None]:
        """``src``, or with ``"auto"`` the scheme detected in ``text`` and the guess (as ``convert
        --from auto`` does on its first lines)."""
        if src.strip().lower() != AUTO:
            return src, None
        guess = detect_scheme("\n".join(_lines(text)[:AUTO_SAMPLE_LINES]))
        return guess.scheme, guess

    def iter_convert(
        self,
        text: str,
        src: str,
        dst: str,
        *,
        top_k: int = 1,
        english: English = "transliterate",
        options: ConvertOptions | None = None,
        deadline: Deadline | None = None,
    ) -> Iterator[dict[str, object]]:
        """One ``{"input", "candidates"}`` record per line of ``text`` (``convert --format jsonl``),
        one line at a time (the limits are checked before the first). ``src`` is a scheme name
        (not ``"auto"``: see :meth:`resolve_source`); ``english`` as ``convert --english``."""
        self._check_top_k(top_k)
        conv = self.converter(src, dst, english=english, options=options)
        self.check_words(count_words(text))
        for line in _lines(text):
            if deadline is not None:
                deadline.check()
            cands = conv.candidates(line, top_k=top_k)
            yield {"input": line, "candidates": [c.to_dict() for c in cands]}

    def convert(
        self,
        text: str,
        src: str,
        dst: str,
        *,
        top_k: int = 1,
        english: English = "transliterate",
        options: ConvertOptions | None = None,
        deadline: Deadline | None = None,
    ) -> list[dict[str, object]]:
        """All the records of :meth:`iter_convert`."""
        return list(
            self.iter_convert(text, src, dst, top_k=top_k, english=english, options=options, deadline=deadline)
        )

    def candidates(
        self,
        word: str,
        *,
        top_k: int = 5,
        src: str = "roman",
        dst: str = "deva",
        english: English = "transliterate",
    ) -> list[dict[str, object]]:
        """The ``top_k`` best conversions of one word, best first (the as-you-type path); with
        ``english="keep"`` a word the model reads as English comes first as it is written. Remembered
        (:meth:`remembered_candidates`)."""
        self._check_top_k(top_k)
        key = (word, top_k, src, dst, english)
        hit = self._candidates_memo.get(key)
        if hit is not None:
            return hit
        word = word.strip()
        if not word:
            raise InputError("word is empty")
        if len(word) > self.config.max_word_chars:
            raise InputError(f"word is longer than {self.config.max_word_chars} characters")
        control = next((ch for ch in word if ord(ch) < 0x20), None)
        if control is not None:
            raise InputError(f"word contains the control character U+{ord(control):04X}")
        if any(ch.isspace() for ch in word):
            raise InputError("word must be a single word (no spaces); use POST /api/v1/convert for text")
        out = [c.to_dict() for c in self.converter(src, dst, english=english).candidates(word, top_k=top_k)]
        if len(self._candidates_memo) >= CANDIDATES_MEMO_WORDS:
            self._candidates_memo.clear()
        self._candidates_memo[key] = out
        return out

    def remembered_candidates(
        self, word: str, *, top_k: int, src: str, dst: str, english: English
    ) -> list[dict[str, object]] | None:
        """The answer of :meth:`candidates` when it was computed before, else None: a dictionary lookup,
        which the server makes on its event loop (the model's thread is only asked for a new word)."""
        return self._candidates_memo.get((word, top_k, src, dst, english))

    def _check_top_k(self, top_k: int) -> None:
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= self.config.max_top_k:
            raise InputError(f"top_k must be an integer from 1 to {self.config.max_top_k}, not {top_k!r}")

    # ---------------------------------------------------------------------------------- aligning
    def iter_align(
        self,
        deva: str,
        roman: str,
        *,
        presplit: bool = False,
        words: bool = False,
        max_bead: int = 2,
        deadline: Deadline | None = None,
    ) -> Iterator[Bead]:
        """The beads of a Devanagari text and its romanized twin, as ``lipyantar align`` finds them,
        one at a time (the limits and the scripts are checked before the first)."""
        self.check_words(count_words(deva) + count_words(roman))
        check_scripts(deva, roman, deva_source="deva", roman_source="roman")
        if presplit:
            deva_s, roman_s = split_lines(deva), split_lines(roman)
        else:
            deva_s = split_sentences(deva, script="deva")
            roman_s = split_sentences(roman, script="roman")
        if not deva_s or not roman_s:
            return
        if deadline is not None:
            deadline.check()
        sim = self._similarity
        for bead in iter_align_sentences(deva_s, roman_s, similarity=sim, max_bead=max_bead):
            if deadline is not None:
                deadline.check()
            if words:
                links = tuple(align_words(bead.deva_text, bead.roman_text, similarity=sim))
                bead = Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, links)
            yield bead

    def align(
        self,
        deva: str,
        roman: str,
        *,
        presplit: bool = False,
        words: bool = False,
        max_bead: int = 2,
        deadline: Deadline | None = None,
    ) -> AlignResult:
        """Align a Devanagari text with its romanized twin (all of :meth:`iter_align`)."""
        beads = tuple(
            self.iter_align(deva, roman, presplit=presplit, words=words, max_bead=max_bead, deadline=deadline)
        )
        return AlignResult(beads, document_score(beads))

    # ---------------------------------------------------------------------------------- about
    @staticmethod
    def schemes() -> list[dict[str, object]]:
        """The scheme registry, as ``lipyantar schemes --format jsonl``."""
        return [
            {
                "name": s.name,
                "script": s.script,
                "kind": s.kind,
                "lossless": s.lossless,
                "source": s.source,
                "description": s.description,
            }
            for s in SCHEMES.values()
        ]

    @property
    def lexicon_info(self) -> dict[str, object] | None:
        """The user lexicon's file and number of entries (None: no lexicon)."""
        if self.lexicon is None or self.config.lexicon is None:
            return None
        return {"source": os.path.abspath(self.config.lexicon), "entries": len(self.lexicon)}

    def health(self) -> dict[str, object]:
        return {
            "status": "ok",
            "version": __version__,
            "model": dict(self.model_info),
            "lexicon": self.lexicon_info,
            "pid": os.getpid(),
            "limits": {
                "max_body_bytes": self.config.max_body_bytes,
                "max_words": self.config.max_words,
                "max_word_chars": self.config.max_word_chars,
                "max_top_k": self.config.max_top_k,
                "time_budget": self.config.time_budget,
            },
        }
