"""Script and language detection per document, paragraph, line and token.

Language labels:

=========== ===============================================================================
``hi``      Hindi in Devanagari (any Devanagari-dominant text: Marathi, Nepali, Sanskrit are
            not told apart and are reported as ``hi`` too)
``hi-Latn`` romanized Hindi (Latin script)
``en``      English
``fa``      Persian, ``ur`` Urdu, ``ar`` Arabic (Arabic script)
``mixed``   no script has 75 % of the letters, or the languages other than the main one have at
            least 30 % of the language-tagged tokens (and 3 tokens or more; ``hi`` and ``hi-Latn``
            count as one language here)
``unknown`` no letters, or letters of another script (Cyrillic, Bengali, ...)
=========== ===============================================================================

Token tags add ``univ`` for language-independent tokens (numbers, punctuation, symbols, URLs, e-mail
addresses). Token tags are decided within their line: a token without clear evidence of its own takes the
language of its line (see :mod:`lipyantar.corpora.langid`). The code-mixing index (CMI, Das & Gambäck 2014) of a unit
is ``100 * (1 - max_i w_i / (n - u))`` over its tokens, where ``w_i`` counts the tokens of language *i*
(``hi`` and ``hi-Latn`` are both Hindi), ``n`` all tokens and ``u`` the language-independent ones (0 when
``n == u``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from lipyantar.align.io import json_line
from lipyantar.align.script import ScriptShares, char_script, script_shares
from lipyantar.translit.tokenize import solid_token_matches

from .langid import GROUPS, MIXED_MIN_TOKENS, MIXED_SHARE, LangIdModel, column_sums, decide_totals, load_model
from .loading import Document
from .segment import paragraphs as split_paragraphs

__all__ = [
    "LANGUAGES",
    "LEVELS",
    "DocumentDetection",
    "TokenTag",
    "UnitDetection",
    "cmi",
    "detect_document",
    "detect_text",
    "read_jsonl",
    "tag_tokens",
    "tag_units",
]

LEVELS: tuple[str, ...] = ("document", "paragraph", "line", "token")
LANGUAGES: tuple[str, ...] = ("hi", "hi-Latn", "en", "fa", "ur", "ar", "mixed", "unknown")
TOKEN_LANGUAGES: tuple[str, ...] = ("hi", "hi-Latn", "en", "fa", "ur", "ar", "univ", "unknown")
_WORD_KINDS = ("deva", "latin", "word")


@dataclass(frozen=True)
class TokenTag:
    """One non-space token with its script class and language tag; ``start`` is the character offset in
    the document, ``line`` its 1-based line."""

    text: str
    start: int
    line: int
    kind: str
    script: str
    language: str

    def __post_init__(self) -> None:
        if not self.text or self.start < 0 or self.line < 1:
            raise ValueError("a token tag needs text, start >= 0 and line >= 1")
        if self.language not in TOKEN_LANGUAGES:
            raise ValueError(f"unknown token language {self.language!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "line": self.line,
            "kind": self.kind,
            "script": self.script,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TokenTag:
        return cls(
            str(data["text"]),
            int(data["start"]),  # type: ignore[call-overload]
            int(data["line"]),  # type: ignore[call-overload]
            str(data["kind"]),
            str(data["script"]),
            str(data["language"]),
        )


def cmi(language_counts: Mapping[str, int]) -> float:
    """Code-mixing index (Das & Gambäck 2014) from token counts per language tag.

    ``univ`` and ``unknown`` tokens are language-independent; ``hi`` and ``hi-Latn`` count as one
    language. Returns 0.0 when no token has a language.
    """
    merged: Counter[str] = Counter()
    for lang, count in language_counts.items():
        if count < 0:
            raise ValueError("token counts must be >= 0")
        if lang in ("univ", "unknown"):
            continue
        merged["hi" if lang == "hi-Latn" else lang] += count
    total = sum(merged.values())
    if total == 0:
        return 0.0
    return 100.0 * (1.0 - max(merged.values()) / total)


@dataclass(frozen=True)
class UnitDetection:
    """Detection result for one unit (a document, a paragraph or a line)."""

    level: str
    index: int
    line: int
    shares: ScriptShares
    language: str
    confidence: float
    tokens: int
    language_counts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.level not in LEVELS[:3]:
            raise ValueError(f"level must be one of {LEVELS[:3]}, not {self.level!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; valid: {', '.join(LANGUAGES)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be within [0, 1]")
        if self.index < 0 or self.line < 1 or self.tokens < 0:
            raise ValueError("index must be >= 0, line >= 1, tokens >= 0")

    @property
    def script(self) -> str:
        return self.shares.dominant

    @property
    def cmi(self) -> float:
        return cmi(self.language_counts)

    @property
    def english_share(self) -> float:
        """Share of English tokens among the tokens tagged with a language (0.0 if none)."""
        tagged = sum(c for lang, c in self.language_counts.items() if lang not in ("univ", "unknown"))
        return self.language_counts.get("en", 0) / tagged if tagged else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "index": self.index,
            "line": self.line,
            "script": self.script,
            "scripts": self.shares.to_dict(),
            "language": self.language,
            "confidence": round(self.confidence, 4),
            "tokens": self.tokens,
            "language_counts": dict(sorted(self.language_counts.items())),
            "english_share": round(self.english_share, 4),
            "cmi": round(self.cmi, 2),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> UnitDetection:
        scripts = data["scripts"]
        counts = data.get("language_counts", {})
        if not isinstance(scripts, Mapping) or not isinstance(counts, Mapping):
            raise ValueError("unit detection: 'scripts' and 'language_counts' must be objects")
        return cls(
            str(data["level"]),
            int(data["index"]),  # type: ignore[call-overload]
            int(data["line"]),  # type: ignore[call-overload]
            ScriptShares.from_dict(scripts),
            str(data["language"]),
            float(data["confidence"]),  # type: ignore[arg-type]
            int(data["tokens"]),  # type: ignore[call-overload]
            {str(k): int(v) for k, v in counts.items()},
        )


@dataclass(frozen=True)
class DocumentDetection:
    """Detection of one document with, optionally, its paragraphs, lines and tokens."""

    source: str
    encoding: str
    document: UnitDetection
    paragraphs: tuple[UnitDetection, ...] = ()
    lines: tuple[UnitDetection, ...] = ()
    tokens: tuple[TokenTag, ...] = ()

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a document detection needs a source")
        if self.document.level != "document":
            raise ValueError("document detection: the 'document' unit must have level 'document'")

    @property
    def language(self) -> str:
        return self.document.language

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source, "encoding": self.encoding}
        out.update(self.document.to_dict())
        del out["level"], out["index"], out["line"]
        if self.paragraphs:
            out["paragraphs"] = [p.to_dict() for p in self.paragraphs]
        if self.lines:
            out["lines"] = [ln.to_dict() for ln in self.lines]
        if self.tokens:
            out["token_tags"] = [t.to_dict() for t in self.tokens]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> DocumentDetection:
        doc = dict(data)
        doc.update(level="document", index=0, line=1)

        def units(key: str) -> tuple[UnitDetection, ...]:
            items = data.get(key, [])
            if not isinstance(items, list):
                raise ValueError(f"document detection: {key!r} must be a list")
            return tuple(UnitDetection.from_dict(u) for u in items)

        tokens = data.get("token_tags", [])
        if not isinstance(tokens, list):
            raise ValueError("document detection: 'token_tags' must be a list")
        return cls(
            str(data["source"]),
            str(data.get("encoding", "UTF-8")),
            UnitDetection.from_dict(doc),
            units("paragraphs"),
            units("lines"),
            tuple(TokenTag.from_dict(t) for t in tokens),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)


def read_jsonl(lines: Iterable[str]) -> list[DocumentDetection]:
    """Detections back from JSON lines written by :meth:`DocumentDetection.to_json` (blank lines skipped)."""
    from lipyantar.translit.errors import InputError

    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(DocumentDetection.from_dict(json_line(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"not a document detection record: {exc}", line=number) from None
    return out


#: first character of a word token -> the token's script (:func:`_token_script`), filled as met
_FIRST_CHAR_SCRIPTS: dict[str, str] = {}
_WORD_KIND_SET = frozenset(_WORD_KINDS)


def _token_script(text: str, kind: str) -> str:
    if kind not in _WORD_KIND_SET:
        return "none"
    script = _FIRST_CHAR_SCRIPTS.get(text[0])
    if script is None:
        if len(_FIRST_CHAR_SCRIPTS) > 20_000:
            _FIRST_CHAR_SCRIPTS.clear()
        script = _FIRST_CHAR_SCRIPTS[text[0]] = char_script(text[0]) or "other"
    return script


@dataclass
class _LineTags:
    """The non-space tokens of one line (``(text, kind, start in the line, script)``), their language
    tags, and for each script group the clipped log posteriors of its words, in order."""

    tokens: list[tuple[str, str, int, str]]
    languages: list[str]
    clipped: dict[str, list[tuple[float, ...]]]
    #: for each script group with words in the line, where its words are among the tokens
    indices: dict[str, list[int]] = field(default_factory=dict)


def _tag_line(line: str, model: LangIdModel | None = None) -> _LineTags:
    """Tag the tokens of one line (no ``\\n``): words of a script group by the model (``None``: the packaged
    model, loaded when a line first needs it), the others by script and kind (see the module docstring).
    The line is tokenized once."""
    tokens: list[tuple[str, str, int, str]] = []
    languages: list[str] = []
    by_group: dict[str, list[int]] = {}
    scripts = _FIRST_CHAR_SCRIPTS
    for m in solid_token_matches(line):
        kind = m.lastgroup
        text = m.group()
        if kind in _WORD_KIND_SET:
            script = scripts.get(text[0]) or _token_script(text, kind)
            if script == "Devanagari":
                language = "hi"
            elif script in GROUPS:
                by_group.setdefault(script, []).append(len(tokens))
                language = ""
            else:
                language = "unknown"
        else:
            script, language = "none", "univ"
        tokens.append((text, kind, m.start(), script))  # type: ignore[arg-type]
        languages.append(language)
    clipped: dict[str, list[tuple[float, ...]]] = {}
    if by_group:
        if model is None:
            model = load_model()
        for group in GROUPS:  # the groups in a fixed order
            indices = by_group.get(group)
            if indices:
                tags, clipped[group] = model.tag_words([tokens[i][0] for i in indices], group)
                for i, language in zip(indices, tags, strict=True):
                    languages[i] = language
    return _LineTags(tokens, languages, clipped, by_group)


def _lines(text: str) -> Iterator[str]:
    """``text.split("\\n")`` one line at a time (a long text is not copied into a list of lines)."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def tag_tokens(text: str) -> list[TokenTag]:
    """Tag every non-space token of ``text`` with script and language, line by line (see module doc)."""
    tags: list[TokenTag] = []
    offset = 0
    for number, line in enumerate(_lines(text), start=1):
        tagged = _tag_line(line)
        for (tok, kind, start, script), lang in zip(tagged.tokens, tagged.languages, strict=True):
            tags.append(TokenTag(tok, start + offset, number, kind, script, lang))
        offset += len(line) + 1
    return tags


def tag_units(units: Iterable[str]) -> Iterator[tuple[list[tuple[str, str, int, str]], list[str]]]:
    """For each unit of text (a sentence): its non-space tokens as ``(text, kind, start, script)`` and their
    language tags, as :func:`tag_tokens` tags them, each unit tokenized once (for callers that count
    tokens and keep none)."""
    for unit in units:
        if "\n" not in unit:
            tagged = _tag_line(unit)
            yield tagged.tokens, tagged.languages
            continue
        tokens: list[tuple[str, str, int, str]] = []
        languages: list[str] = []
        offset = 0
        for line in unit.split("\n"):
            tagged = _tag_line(line)
            tokens.extend((text, kind, start + offset, script) for text, kind, start, script in tagged.tokens)
            languages.extend(tagged.languages)
            offset += len(line) + 1
        yield tokens, languages


class _UnitCounts:
    """What the detection of a unit (document, paragraph, line) needs of its tokens, added line by line:
    the language tags counted, the tokens counted, and per script group its words and the per-language
    sums of their clipped log posteriors (added word by word in text order, as
    :meth:`LangIdModel.classify` adds them)."""

    __slots__ = ("languages", "tokens", "totals", "words")

    def __init__(self) -> None:
        self.languages: Counter[str] = Counter()
        self.tokens = 0
        self.words: dict[str, int] = {}
        self.totals: dict[str, list[float]] = {}

    def add(self, tagged: _LineTags) -> None:
        if not tagged.tokens:
            return
        self.add_tags(tagged.languages, sum(1 for t in tagged.tokens if t[1] in _COUNTED_KINDS), tagged.clipped)

    def add_tags(
        self, languages: Sequence[str], counted: int, clipped_by_group: Mapping[str, Sequence[tuple[float, ...]]]
    ) -> None:
        """Add a line of which ``languages`` are the tags, ``counted`` the tokens counted and
        ``clipped_by_group`` the clipped log posteriors of the words of each script group, in order."""
        self.languages.update(languages)
        self.tokens += counted
        for group, clipped in clipped_by_group.items():
            self.words[group] = self.words.get(group, 0) + len(clipped)
            self.totals[group] = column_sums(clipped, len(GROUPS[group]), start=self.totals.get(group))


_COUNTED_KINDS = frozenset((*_WORD_KINDS, "number"))


def _decide(
    level: str, index: int, line: int, text: str, unit: _UnitCounts, shares: ScriptShares | None = None
) -> UnitDetection:
    """The detection of a unit from its text (its ``shares``, :func:`script_shares` of ``text`` when
    not given) and its counts."""
    if shares is None:
        shares = script_shares(text)
    counts = unit.languages
    script = shares.dominant
    language, confidence = "unknown", 0.0
    if script == "Devanagari":
        language, confidence = "hi", shares.shares()["Devanagari"]
    elif script == "mixed":
        language, confidence = "mixed", 1.0 - max(shares.shares().values())
    elif script in GROUPS:
        dominant, confidence = "unknown", 0.0
        if unit.words.get(script):
            best, confidence = decide_totals(unit.totals[script])
            dominant = GROUPS[script][best]
        language = dominant
        if not any(counts.get(lang, 0) for lang in GROUPS[script]):
            language, confidence = "unknown", 0.0
        else:
            merged: Counter[str] = Counter()
            for lang, count in counts.items():
                if lang not in ("univ", "unknown"):
                    merged["hi" if lang == "hi-Latn" else lang] += count
            main = "hi" if dominant == "hi-Latn" else dominant
            minority = sum(merged.values()) - merged[main]
            if minority >= MIXED_MIN_TOKENS and minority / sum(merged.values()) >= MIXED_SHARE:
                language = "mixed"
    return UnitDetection(level, index, line, shares, language, min(1.0, confidence), unit.tokens, dict(counts))


def detect_text(
    text: str,
    *,
    source: str = "<text>",
    encoding: str = "UTF-8",
    paragraphs: bool = True,
    lines: bool = True,
    tokens: bool = False,
) -> DocumentDetection:
    """Detect scripts and languages of ``text`` as a whole and, as asked, per paragraph, line and token.

    The text is read line by line and each line tokenized and tagged once; the units keep counts, not
    tokens (token tags are kept only when ``tokens`` asks for them)."""
    document = _UnitCounts()
    spans = split_paragraphs(text) if paragraphs else []
    para_units: list[UnitDetection] = []
    paragraph: _UnitCounts | None = None
    next_span = 0  # spans[next_span] is the next paragraph to start
    line_units: list[UnitDetection] = []
    tags: list[TokenTag] = []
    offset = 0
    for number, line_text in enumerate(_lines(text), start=1):
        tagged = _tag_line(line_text)
        document.add(tagged)
        if next_span < len(spans) and spans[next_span].line == number:
            # a paragraph runs from its first line to the next paragraph's first line
            if paragraph is not None:
                span = spans[next_span - 1]
                para_units.append(_decide("paragraph", span.index, span.line, span.text, paragraph))
            paragraph = _UnitCounts()
            next_span += 1
        if paragraph is not None:
            paragraph.add(tagged)
        if lines and line_text.strip():
            unit = _UnitCounts()
            unit.add(tagged)
            line_units.append(_decide("line", len(line_units), number, line_text, unit))
        if tokens:
            for (tok, kind, start, script), lang in zip(tagged.tokens, tagged.languages, strict=True):
                tags.append(TokenTag(tok, start + offset, number, kind, script, lang))
        offset += len(line_text) + 1
    if paragraph is not None:
        span = spans[next_span - 1]
        para_units.append(_decide("paragraph", span.index, span.line, span.text, paragraph))
    return DocumentDetection(
        source,
        encoding,
        _decide("document", 0, 1, text, document),
        tuple(para_units),
        tuple(line_units),
        tuple(tags),
    )


def detect_document(
    document: Document, *, paragraphs: bool = True, lines: bool = True, tokens: bool = False
) -> DocumentDetection:
    """:func:`detect_text` for a loaded :class:`~lipyantar.corpora.loading.Document`."""
    return detect_text(
        document.text,
        source=document.source,
        encoding=document.encoding,
        paragraphs=paragraphs,
        lines=lines,
        tokens=tokens,
    )
