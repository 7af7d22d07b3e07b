"""Conversion between the schemes of the registry.

Two tiers, as in sacrebleu: the one-shot :func:`transliterate` (``transliterate(text, "deva", "iast")``)
and the reusable :class:`Transliterator`, which memoizes its work per word type and is the thing to
keep around for batch use.

A conversion is a chain of at most two *stages* through Devanagari: ``src → deva`` and ``deva → dst``.
Going from Devanagari, only Devanagari word tokens are converted (plus dandas, and Devanagari digits
when the output is Latin); Latin/English words, numbers, URLs and e-mail addresses pass through
untouched. Going to Devanagari from a standard scheme, every run of non-space, non-digit characters is
converted (numbers, URLs and e-mails are kept); from ``roman`` (the learned informal scheme), Latin
words are decoded sentence by sentence with the model's word context, and a ``.`` that ends a sentence
becomes ``।`` unless ``keep_period=True``.
"""

from __future__ import annotations

import heapq
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import regex

from .autodetect import AUTO, SchemeGuess, detect_scheme
from .budget import checkpoint
from .candidate import PROB_POOL, Candidate, calibrated_probs
from .errors import UnsupportedConversionError
from .normalize import DEVA_DIGITS, Normalizer
from .schemes import Scheme, get_scheme
from .standard import standard_fns
from .tokenize import DEVA_WORD, EMAIL, URL, token_matches

if TYPE_CHECKING:
    from .learned.codemix import CodeMix
    from .learned.lexicon import UserLexicon
    from .learned.model import LearnedModel

__all__ = ["MAX_TOP_K", "MAX_WORD_CHARS", "Candidate", "Transliterator", "transliterate"]

#: the most candidates :meth:`Transliterator.candidates` gives per text (``convert --top-k``)
MAX_TOP_K = 1000
#: Latin tokens longer than this are not words: going from ``roman`` (learned) to Devanagari they are
#: kept as they are, and Devanagari words longer than this get every separator that makes them read
#: back (not the fewest), so that conversion time stays linear in the input's length; words and chunks
#: longer than this are converted each time they occur, not kept in the per-word memos (whose size is
#: counted in entries). Going to ``roman``, Devanagari words longer than
#: :data:`lipyantar.translit.learned.model.MAX_DEVA_CHARS` are romanized in pieces.
MAX_WORD_CHARS = 64  # = lipyantar.translit.learned.model.MAX_ROMAN_CHARS

DigitOutput = Literal["auto", "keep", "ascii", "deva"]
T = TypeVar("T")

_DEVA_WORD_RE = regex.compile(DEVA_WORD, regex.V1)
_LATIN_KEEP = rf"(?P<keep>{URL}|{EMAIL}|[0-9]+(?:[.,:][0-9]+)*)"
_LATIN_CHUNK = rf"{_LATIN_KEEP}|(?P<chunk>[^\s0-9]+)"
# SLP1 and Harvard-Kyoto write some letters with a digit after a letter (SLP1 k0 = क़, HK r3 = ड़)
_DIGIT_LETTER_CHUNK = rf"(?P<chunk>[^\s0-9](?:[^\s0-9]|(?<=\p{{L}})[0-3](?![0-9]))*)|{_LATIN_KEEP}"
_DIGIT_LETTER_SCHEMES = frozenset({"slp1", "hk"})
_TO_ASCII_DIGITS = str.maketrans(DEVA_DIGITS, "0123456789")
_TO_DEVA_DIGITS = str.maketrans("0123456789", DEVA_DIGITS)
_SENTENCE_END = frozenset(".?!")
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "st", "prof", "sh", "smt", "shri", "no", "vs", "etc", "jr", "sr"}
)
#: per-word memos of a converter: as many words as the model's caches hold (see
#: lipyantar.translit.learned.search.CACHE_BYTES: about 256 MB in all)
_CACHE_SIZE = 1 << 15


# --------------------------------------------------------------------------------------------- stages


@lru_cache(maxsize=2)
def _chunks_re(pattern: str) -> regex.Pattern[str]:
    """The compiled chunk pattern of a standard scheme's text (compiled on first use)."""
    return regex.compile(pattern, regex.V1)


def __getattr__(name: str) -> Any:
    """``_LATIN_CHUNK_RE``: the chunks of a standard Latin scheme's text (compiled on first use)."""
    if name == "_LATIN_CHUNK_RE":
        return _chunks_re(_LATIN_CHUNK)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _fastpieces() -> Any:
    """The compiled piece converter (``lipyantar.translit._fastpieces``), None when it is not built."""
    from .compiled import load_extension

    return load_extension("_fastpieces")


def _checkpointed(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` preceded by the time budget's :func:`~lipyantar.translit.budget.checkpoint` (wrapped inside a
    memo, it runs for the words not converted before)."""

    def run(*args: Any) -> T:
        checkpoint()
        return fn(*args)

    return run


class _Stage:
    """One step of a conversion chain: text in, text out; top-k alternatives where the step has them."""

    #: the calibration temperature of the step's top-k scores (None: a deterministic step) ...
    temperature: float | None = None
    #: ... and its reserve (see :func:`lipyantar.translit.candidate.calibrated_probs`)
    reserve: float = 0.0

    def convert(self, text: str) -> str:
        raise NotImplementedError

    def kbest(self, text: str, k: int) -> list[tuple[str, float]]:
        return [(self.convert(text), 0.0)]

    def convert_many(self, texts: Sequence[str]) -> list[str]:
        """``[self.convert(t) for t in texts]`` (a step may do a batch faster)."""
        return [self.convert(text) for text in texts]

    def lexicon_word(self, text: str) -> bool:
        """Whether ``text`` is one word that the step's user lexicon holds (its :meth:`kbest` scores are
        then ``temperature · log(prob)``: :mod:`lipyantar.translit.learned.lexicon`)."""
        return False


class _PieceMemo(dict):
    """piece -> its conversion, computed by ``fn`` on a miss (a dict subclass: the hit is one C-level
    look-up); pieces longer than MAX_WORD_CHARS are converted but not kept."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: str) -> str:
        value = self.fn(key)
        if len(key) <= MAX_WORD_CHARS:
            self[key] = value
        return value


class _FromDeva(_Stage):
    """Devanagari → a Latin scheme, one Devanagari word at a time (memoized)."""

    def __init__(
        self,
        word_fn: Callable[[str], str],
        *,
        marks: dict[str, str],
        ascii_digits: bool,
        topk_fn: Callable[[str, int], list[tuple[str, float]]] | None = None,
        temperature: float = 1.0,
        reserve: float = 0.0,
        lexicon: UserLexicon | None = None,
        lookups: Callable[[], tuple[Any, ...] | None] | None = None,
    ) -> None:
        self._lexicon = lexicon
        # the memos keep words of at most MAX_WORD_CHARS (a file of long distinct "words" would
        # otherwise fill them with a copy of itself); longer ones are converted each time
        self._word_fn = _checkpointed(word_fn)
        self._topk_fn = _checkpointed(topk_fn) if topk_fn else None
        self._word = lru_cache(maxsize=_CACHE_SIZE)(self._word_fn)
        self._topk = lru_cache(maxsize=_CACHE_SIZE)(self._topk_fn) if self._topk_fn else None
        self.temperature = temperature if topk_fn else None
        self.reserve = reserve
        self._marks = str.maketrans(marks) if marks else None
        self._ascii_digits = ascii_digits
        # the single characters _finish maps, as str.replace pairs (str.translate with a dict is slow
        # on non-ASCII text; most pieces hold none of them)
        # marks then digits, as the two translates did; None when a mark's output holds a mark (a replace
        # would map it again, the translate of the marks does not): the translates then
        chained = any(old in new for old in marks for new in marks.values())
        digits = zip(DEVA_DIGITS, "0123456789", strict=True) if ascii_digits else ()
        self._replace = None if chained else [*marks.items(), *digits]
        #: space-separated piece of text -> its conversion (a Devanagari word never spans a space, and
        #: _finish maps single characters, so a text converts piece by piece)
        self._pieces = _PieceMemo(self._convert_piece)
        chars = "".join(re.escape(old) for old, _ in self._replace or ())
        self._finish_re = re.compile(f"[{chars}]" if chars else "(?!)")
        #: the learned model's romanize_lookups and the replacements of _finish, for the compiled
        #: converter (which maps non-ASCII characters to ASCII ones only); None: Python only
        self._lookups = lookups
        self._marks_map = dict(self._replace or ())
        self._memo: Any = None
        if self._replace is None or not all(old > "\x7f" and new.isascii() for old, new in self._replace):
            self._lookups = None

    def _sub(self, m: regex.Match[str]) -> str:
        word = m.group()
        return self._word(word) if len(word) <= MAX_WORD_CHARS else self._word_fn(word)

    def _finish(self, text: str) -> str:
        if self._replace is None:
            if self._marks is not None:
                text = text.translate(self._marks)
            return text.translate(_TO_ASCII_DIGITS) if self._ascii_digits else text
        if self._finish_re.search(text) is None:
            return text
        for old, new in self._replace:
            if old in text:
                text = text.replace(old, new)
        return text

    def _convert_piece(self, text: str) -> str:
        if _DEVA_WORD_RE.fullmatch(text) is not None:  # the common piece, one word: no substitution
            return self._finish(self._word(text) if len(text) <= MAX_WORD_CHARS else self._word_fn(text))
        return self._finish(_DEVA_WORD_RE.sub(self._sub, text))

    def _compiled(self) -> tuple[Any, ...] | None:
        """The look-ups the compiled converter reads (None: it is not used)."""
        if self._lookups is None:
            return None
        fast = _fastpieces()
        lookups = self._lookups() if fast is not None else None
        if lookups is None:
            return None
        if self._memo is None:  # the pieces looked up from the text's code points, in front of _pieces
            self._memo = fast.Memo(_CACHE_SIZE + 1)
        return (*lookups, checkpoint, self._marks_map, self._memo)

    def convert(self, text: str, compiled: tuple[Any, ...] | None = None) -> str:
        pieces = self._pieces
        if len(pieces) > _CACHE_SIZE:
            pieces.clear()
            if self._memo is not None:
                self._memo.clear()
        compiled = compiled or self._compiled()
        if compiled is not None:  # the same text: the words that are look-ups converted in C
            return _fastpieces().convert(text, pieces, compiled)
        return " ".join(map(pieces.__getitem__, text.split(" ")))

    def convert_many(self, texts: Sequence[str]) -> list[str]:
        compiled = self._compiled()
        if compiled is None:
            return [self.convert(text) for text in texts]
        # convert(text, compiled) of each, with its look-ups made once for the batch
        fast, pieces, memo, out = _fastpieces().convert, self._pieces, self._memo, []
        for text in texts:
            if len(pieces) > _CACHE_SIZE:
                pieces.clear()
                memo.clear()
            out.append(fast(text, pieces, compiled))
        return out

    def kbest(self, text: str, k: int) -> list[tuple[str, float]]:
        topk, topk_fn = self._topk, self._topk_fn
        if topk is None or topk_fn is None or k == 1:
            return [(self.convert(text), 0.0)]
        pieces: list[str] = []
        slots: list[list[tuple[str, float]]] = []
        last = 0
        for m in _DEVA_WORD_RE.finditer(text):
            pieces.append(self._finish(text[last : m.start()]))
            word = m.group()
            slots.append(topk(word, k) if len(word) <= MAX_WORD_CHARS else topk_fn(word, k))
            last = m.end()
        pieces.append(self._finish(text[last:]))
        return _combine(pieces, slots, k)

    def lexicon_word(self, text: str) -> bool:
        if self._lexicon is None:
            return False
        words = _DEVA_WORD_RE.findall(text)
        return len(words) == 1 and bool(self._lexicon.romanizations(words[0]))


class _StandardToDeva(_Stage):
    """A standard Latin scheme → Devanagari: each run of non-space, non-digit characters, memoized.

    Numbers, URLs and e-mail addresses are kept as they are.
    """

    def __init__(self, word_fn: Callable[[str], str], *, chunks: regex.Pattern[str]) -> None:
        self._word_fn = word_fn
        self._word = lru_cache(maxsize=_CACHE_SIZE)(word_fn)  # chunks of at most MAX_WORD_CHARS
        self._chunks = chunks

    def _sub(self, m: regex.Match[str]) -> str:
        chunk = m.group("chunk")
        if chunk is None:
            return m.group()
        return self._word(chunk) if len(chunk) <= MAX_WORD_CHARS else self._word_fn(chunk)

    def convert(self, text: str) -> str:
        return self._chunks.sub(self._sub, text)


class _LearnedToDeva(_Stage):
    """Informal roman → Devanagari with a learned model, decoding each sentence's words in context."""

    def __init__(
        self,
        model: LearnedModel,
        *,
        keep_period: bool,
        keep_english: bool = False,
        lexicon: UserLexicon | None = None,
    ) -> None:
        self._model = model
        self._keep_period = keep_period
        self._keep_english = keep_english
        self._codemix: CodeMix | None = None
        self._topk = lru_cache(maxsize=_CACHE_SIZE)(self._word_topk)
        self.temperature = model.params.calibration.r2d.temperature
        self.reserve = model.params.calibration.r2d.reserve
        self._lexicon = lexicon
        #: Latin word -> its spellings for the sentence decoder from the lexicon ((Devanagari, 0.0), …: its
        #: most counted entries), or () when the lexicon does not hold it
        self._given: dict[str, tuple[tuple[str, float], ...]] = {}

    def _word_topk(self, word: str, k: int) -> list[tuple[str, float]]:
        checkpoint()  # a word not converted before: the time budget's turn (lipyantar.translit.budget)
        entries = self._lexicon.devanagari(word) if self._lexicon is not None else ()
        if entries:
            from .learned.lexicon import merge_candidates

            model = self._model.devanagarize_topk(word, k) if len(entries) < k else ()
            calibration = self._model.params.calibration.r2d
            return merge_candidates(
                entries, model, k, temperature=calibration.temperature, reserve=calibration.reserve
            )
        return list(self._model.devanagarize_topk(word, k))

    def _spellings(self, word: str) -> tuple[tuple[str, float], ...]:
        """The lexicon's spellings of a Latin word for the sentence decoder (() when it has none)."""
        given = self._given.get(word)
        if given is None:
            assert self._lexicon is not None
            entries = self._lexicon.devanagari(word)
            # its most counted spellings (several when tied: the context chooses among them)
            given = tuple((deva, 0.0) for deva, count in entries if count == entries[0][1])
            if len(self._given) > _CACHE_SIZE:
                self._given.clear()
            self._given[word] = given
        return given

    def lexicon_word(self, text: str) -> bool:
        if self._lexicon is None:
            return False
        tokens, words, _ = self._layout(text)
        return len(words) == 1 and bool(self._spellings(tokens[words[0]]))

    def _layout(self, text: str) -> tuple[list[str], list[int], list[list[int]]]:
        """Tokens (with periods already mapped), indexes of the word tokens, and per sentence the indexes of
        its word tokens and numbers (the context of its words: सन् 1904)."""
        tokens: list[str] = []
        words: list[int] = []
        sentences: list[list[int]] = [[]]
        matches = list(token_matches(text))
        for i, m in enumerate(matches):
            kind, tok = m.lastgroup, m.group()
            if kind == "latin" and len(tok) <= MAX_WORD_CHARS:  # longer: not a word, kept as it is
                words.append(len(tokens))
                sentences[-1].append(len(tokens))
            elif kind == "number":
                sentences[-1].append(len(tokens))
            elif kind == "punct" and tok in _SENTENCE_END:
                nxt = matches[i + 1] if i + 1 < len(matches) else None
                prev = matches[i - 1] if i > 0 else None
                if tok == "." and self._is_full_stop(prev, nxt):
                    tok = "।" if not self._keep_period else tok
                if nxt is None or nxt.lastgroup in ("space", "latin") or nxt.group() in "\"'”’)":
                    sentences.append([])
            tokens.append(tok)
        return tokens, words, [s for s in sentences if not all(tokens[i][:1].isdigit() for i in s)]

    @staticmethod
    def _is_full_stop(prev: regex.Match[str] | None, nxt: regex.Match[str] | None) -> bool:
        if prev is None or prev.lastgroup != "latin":
            return False
        word = prev.group()
        if len(word) == 1 or word.lower() in _ABBREVIATIONS:  # initials (A. R. Rahman), Dr.
            return False
        return (
            nxt is None
            or nxt.lastgroup == "space"
            or (nxt.lastgroup == "latin" and nxt.group()[:1].islower())
        )

    def convert(self, text: str) -> str:
        return self.convert_many([text])[0]

    def convert_many(self, texts: Sequence[str]) -> list[str]:
        layouts = [self._layout(text) for text in texts]
        sentences = [[tokens[i] for i in sent] for tokens, _, sents in layouts for sent in sents]
        fixed = None
        if self._lexicon is not None:
            # the lexicon's words take part in their sentences with its spellings only
            spellings = self._spellings
            fixed = {
                word: given
                for words in sentences
                for word in words
                if not word[:1].isdigit() and (given := spellings(word))
            }
        outputs = iter(self._model.devanagarize_sentences(sentences, fixed=fixed or None))
        result = []
        for tokens, _, sents in layouts:
            for sent in sents:
                kept = self._kept_indexes(tokens, sent)
                for idx, out in zip(sent, next(outputs), strict=True):
                    if idx not in kept:  # (a number is kept)
                        tokens[idx] = out
            result.append("".join(tokens))
        return result

    def _kept_indexes(self, tokens: Sequence[str], sent: Sequence[int]) -> set[int]:
        """The indexes of a sentence's tokens that stay as written: its numbers, and the words of
        :meth:`_kept`."""
        words = [i for i in sent if not tokens[i][:1].isdigit()]
        kept = {i for i in sent if tokens[i][:1].isdigit()}
        kept.update(i for i, k in zip(words, self._kept([tokens[i] for i in words], tokens, words), strict=True) if k)
        return kept

    def _kept(self, words: Sequence[str], tokens: Sequence[str], indexes: Sequence[int]) -> list[bool]:
        """Which words of one sentence stay as written: with ``keep_english``, those that the code-mixing
        decision (:mod:`lipyantar.translit.learned.codemix`) reads as English or names (never a word of
        the user lexicon). ``words`` are ``tokens[i] for i in indexes``: the tokens around them say which
        follow a number (``6:30 am``)."""
        if not self._keep_english:
            return [False] * len(words)
        if self._codemix is None:
            self._codemix = self._model.token_decision()
        keep = _whole_compounds(self._codemix.keep(words, after_number=_after_number(tokens, indexes)), tokens, indexes)
        if self._lexicon is not None:
            keep = [kept and not self._spellings(word) for word, kept in zip(words, keep, strict=True)]
        return keep

    def kbest(self, text: str, k: int) -> list[tuple[str, float]]:
        tokens, words, sents = self._layout(text)
        if not words:
            return [(self.convert(text), 0.0)]
        kept = {i for sent in sents for i in self._kept_indexes(tokens, sent)}
        pieces: list[str] = []
        slots: list[list[tuple[str, float]]] = []
        last = 0
        for idx in words:
            pieces.append("".join(tokens[last:idx]))
            slot = self._topk(tokens[idx], k)
            if idx in kept and slot:
                slot = [(tokens[idx], slot[0][1]), *slot[1:]]  # read as English or a name: the word as written
            slots.append(slot)
            last = idx + 1
        pieces.append("".join(tokens[last:]))
        found = _combine(pieces, slots, k)
        if len(words) == 1:
            # one word has no context: its candidates are the model's top-k list as it is
            # (LearnedModel.devanagarize_topk)
            return found
        best = self.convert(text)  # with sentence context: it goes first ...
        rest = [c for c in found if c[0] != best]
        # ... with the best score of the list (the scores above are context-free sums, under which
        # another text may lead): a list is best first in its scores and probabilities too
        return [(best, found[0][1]), *rest][:k]


#: the hyphens that join the parts of one compound word (``e-mail``, ``x-ray``, ``ghar-ghar``)
_HYPHENS = frozenset("-\u2010\u2011")


def _whole_compounds(keep: Sequence[bool], tokens: Sequence[str], indexes: Sequence[int]) -> list[bool]:
    """``keep`` with the parts of each hyphenated word (words at ``indexes`` joined by one hyphen token)
    decided as one: all kept when any part is, so that a compound never comes out in two scripts
    (``e-mail`` stays ``e-mail``, not ``ई-mail``)."""
    out = list(keep)
    start = 0
    for n in range(1, len(indexes) + 1):
        joined = n < len(indexes) and indexes[n] == indexes[n - 1] + 2 and tokens[indexes[n - 1] + 1] in _HYPHENS
        if not joined:
            if n - start > 1 and any(out[start:n]):
                out[start:n] = [True] * (n - start)
            start = n
    return out


def _after_number(tokens: Sequence[str], indexes: Sequence[int]) -> list[bool]:
    """For the tokens at ``indexes``, whether a number comes just before each (white space between them
    allowed): ``6:30 am``, ``5th``."""
    out = []
    for i in indexes:
        j = i - 1
        while j >= 0 and tokens[j].isspace():
            j -= 1
        out.append(j >= 0 and tokens[j][:1].isdigit())
    return out


def _combine(
    pieces: Sequence[str], slots: Sequence[list[tuple[str, float]]], k: int
) -> list[tuple[str, float]]:
    """The ``k`` best distinct texts ``pieces[0] + slot0 + pieces[1] + slot1 + …`` by total score.

    Linear in the number of slots (plus O(k log k) and the k texts themselves): each text is its slots'
    best candidates but for a few changes, and the change sets are enumerated in order of cost (how much
    score they give up) from a heap, each exactly once: sort the slots by the cost of their second
    candidate; a set's successors are its last slot's next candidate, the next slot's second candidate
    added, and (when the last slot is at its second candidate) that change moved to the next slot. The
    costs never decrease along these steps, so the heap pops the sets best first. A text's score is the
    sum of its candidates' scores in slot order; equal scores are ordered by the vector of candidate
    ranks (lexicographically), as a full enumeration would order them: among equal costs the slots are
    taken later slot first, so that no step lowers the vector, and the heap pops ties in that order."""
    slots = [sorted(s, key=lambda c: -c[1]) if s else [("", 0.0)] for s in slots]
    if not slots:
        return [("".join(pieces), 0.0)]
    base = [s[0][1] for s in slots]

    def cost(j: int, r: int) -> float:
        return base[j] - slots[j][r][1]

    # equal costs: the later slot first, so that the steps never lower the rank vector either (below)
    order = sorted((j for j, s in enumerate(slots) if len(s) > 1), key=lambda j: (cost(j, 1), -j))

    def vector(changes: dict[int, int]) -> list[tuple[int, int]]:
        """A change set's key among equal costs: its rank vector, compared as a full enumeration
        compares them (lexicographically; a change in a later slot is the smaller vector)."""
        return [(-j, r) for j, r in sorted(changes.items())]

    def build(changes: dict[int, int]) -> tuple[str, float]:
        parts = [pieces[0]]
        score = 0.0
        for j, slot in enumerate(slots):
            text, s = slot[changes.get(j, 0)]
            parts.append(text)
            parts.append(pieces[j + 1])
            score += s
        return "".join(parts), score

    # a change set: (position in ``order``, candidate rank, the set without this last change) or None
    Node = tuple[int, int, Any]
    # heap order: cost, then rank vector (each step raises one or the other), then push order
    heap: list[tuple[float, list[tuple[int, int]], int, Node | None]] = [(0.0, [], 0, None)]
    pushed = 1
    popped: list[tuple[float, list[tuple[int, int]], str]] = []
    texts: set[str] = set()
    # once k distinct texts are found, the states tied with the last (up to a cap) are taken too, so
    # that ties are ordered as a full enumeration orders them: by score, then by the rank vector
    bound: float | None = None
    tie_cap = 4 * k + 1000
    while heap:
        total, _, _, node = heap[0]
        if bound is not None and (total > bound or len(popped) >= tie_cap):
            break
        heapq.heappop(heap)
        changes: dict[int, int] = {}
        walk = node
        while walk is not None:
            changes[order[walk[0]]] = walk[1]
            walk = walk[2]
        text, score = build(changes)
        popped.append((score, vector(changes), text))
        texts.add(text)
        if bound is None and len(texts) >= k:
            bound = total + 1e-9 * max(1.0, abs(sum(base)))
        successors: list[tuple[float, dict[int, int], Node]] = []
        if node is None:
            if order:
                successors.append((cost(order[0], 1), {order[0]: 1}, (0, 1, None)))
        else:
            p, r, parent = node
            j = order[p]
            if r + 1 < len(slots[j]):
                successors.append((total + cost(j, r + 1) - cost(j, r), {**changes, j: r + 1}, (p, r + 1, parent)))
            if p + 1 < len(order):
                nxt = order[p + 1]
                successors.append((total + cost(nxt, 1), {**changes, nxt: 1}, (p + 1, 1, node)))
                if r == 1:
                    moved = {s: q for s, q in changes.items() if s != j}
                    moved[nxt] = 1
                    successors.append((total - cost(j, 1) + cost(nxt, 1), moved, (p + 1, 1, parent)))
        for c, succ_changes, succ in successors:
            heapq.heappush(heap, (c, vector(succ_changes), pushed, succ))
            pushed += 1
    popped.sort(key=lambda x: (-x[0], x[1]))
    out: list[tuple[str, float]] = []
    seen: set[str] = set()
    for score, _, text in popped:
        if text not in seen and len(out) < k:
            seen.add(text)
            out.append((text, score))
    return out


# ---------------------------------------------------------------------------------------- construction


def _load_model(model: LearnedModel | str | os.PathLike[str] | None) -> LearnedModel:
    from .learned import model as model_module

    if model is None:
        return model_module.default_model()
    if isinstance(model, (str, os.PathLike)):
        return model_module.LearnedModel.load(model)
    return model


def _from_deva_stage(
    scheme: Scheme, *, ascii_digits: bool, model: LearnedModel | None, lexicon: UserLexicon | None = None
) -> _Stage:
    if scheme.kind == "standard":
        fn = standard_fns(scheme, max_word_chars=MAX_WORD_CHARS)[0]
        return _FromDeva(fn, marks={"।": fn("।"), "॥": fn("॥")}, ascii_digits=ascii_digits)
    informal = {"।": ".", "॥": ".", "॰": "."}
    if scheme.kind == "rules":
        from .rules import romanize_word

        return _FromDeva(romanize_word, marks=informal, ascii_digits=ascii_digits)
    assert model is not None
    calibration = model.params.calibration.d2r
    temperature, reserve = calibration.temperature, calibration.reserve
    word_fn: Callable[[str], str] = model.romanize
    topk_fn: Callable[[str, int], list[tuple[str, float]]] = model.romanize_topk
    if lexicon is not None:
        from .learned.lexicon import merge_candidates

        def word_fn(word: str) -> str:
            entries = lexicon.romanizations(word)
            return entries[0][0] if entries else model.romanize(word)

        def topk_fn(word: str, k: int) -> list[tuple[str, float]]:
            entries = lexicon.romanizations(word)
            if not entries:
                return model.romanize_topk(word, k)
            found = model.romanize_topk(word, k) if len(entries) < k else ()
            return merge_candidates(entries, found, k, temperature=temperature, reserve=reserve, key=str.lower)

    return _FromDeva(word_fn, marks=informal, ascii_digits=ascii_digits, topk_fn=topk_fn,
        temperature=temperature, reserve=reserve, lexicon=lexicon,
        lookups=model.romanize_lookups if lexicon is None else None,
    )


def _lexicon_of(lexicon: UserLexicon | str | os.PathLike[str]) -> UserLexicon:
    """The :class:`~lipyantar.translit.learned.lexicon.UserLexicon` itself, or that of the file it names."""
    from .learned.lexicon import UserLexicon

    return UserLexicon.of(lexicon)


class Transliterator:
    """A reusable converter from scheme ``src`` to scheme ``dst``; memoizes per word type.

    Args:
        src, dst: scheme names from the registry (``lipyantar schemes``; :data:`lipyantar.translit.SCHEMES`);
            ``src="auto"`` detects the scheme of each text converted (:func:`lipyantar.translit.autodetect.detect_scheme`;
            a batch of :meth:`transliterate_many` as a whole) and keeps the last choice in
            :attr:`last_guess`.
        model: the learned model for the ``roman`` scheme: a :class:`~lipyantar.translit.learned.model.LearnedModel`, a
            path to a model file, or None for the shipped default model (loaded on first use).
        normalizer: applied to the input first; default :class:`~lipyantar.translit.normalize.Normalizer()`.
        digits: output digits: ``"auto"`` (ASCII in Latin output, as written in Devanagari output),
            ``"keep"``, ``"ascii"`` or ``"deva"``.
        keep_period: going from ``roman`` to Devanagari, keep a sentence-final ``.`` instead of ``।``.
        english: going from ``roman`` to Devanagari, ``"transliterate"`` every Latin word, or ``"keep"``
            the words that the model reads as English (:meth:`~lipyantar.translit.learned.model.LearnedModel.is_english`)
            in Latin script, for code-mixed text.
        lexicon: a user lexicon for the ``roman`` scheme (either way): a
            :class:`~lipyantar.translit.learned.lexicon.UserLexicon` or the path of a
            ``native<TAB>roman[<TAB>count]`` file (read now). Its entries outrank the model's
            candidates, and roman → Devanagari decodes their sentences with them (see
            :mod:`lipyantar.translit.learned.lexicon`).

    Raises:
        UnknownSchemeError: a name that is not registered (the message lists the valid ones).
        UnsupportedConversionError: e.g. converting *from* the one-way ``roman-rules``; a ``lexicon``
            when neither scheme is ``roman`` (nor ``src`` ``"auto"``).
        InputError: a lexicon file that cannot be read or has a bad line (file, line, what is wrong).
    """

    def __init__(
        self,
        src: str,
        dst: str,
        *,
        model: LearnedModel | str | os.PathLike[str] | None = None,
        normalizer: Normalizer | None = None,
        digits: DigitOutput = "auto",
        keep_period: bool = False,
        english: Literal["transliterate", "keep"] = "transliterate",
        lexicon: UserLexicon | str | os.PathLike[str] | None = None,
    ) -> None:
        self._auto: dict[str, Transliterator] | None = None
        #: with ``src="auto"``: the scheme detected for the last text converted, and why
        self.last_guess: SchemeGuess | None = None
        if src.strip().lower() == AUTO:
            self._auto = {}
            src = "deva"  # a placeholder: each text is converted by the Transliterator of its scheme
        self.src = get_scheme(src)
        self.dst = get_scheme(dst)
        if not self.src.source:
            raise UnsupportedConversionError(
                f"{self.src.name!r} is one-way (Devanagari → {self.src.name}); "
                "to read informal roman text use the 'roman' scheme"
            )
        if digits not in ("auto", "keep", "ascii", "deva"):
            raise ValueError(f"digits must be 'auto', 'keep', 'ascii' or 'deva', not {digits!r}")
        self.normalizer = normalizer if normalizer is not None else Normalizer()
        if english not in ("transliterate", "keep"):
            raise ValueError(f"english must be 'transliterate' or 'keep', not {english!r}")
        self.digits = digits
        self.keep_period = keep_period
        self.english = english
        if lexicon is not None and self._auto is None and "learned" not in (self.src.kind, self.dst.kind):
            raise UnsupportedConversionError(
                "a user lexicon applies to the learned 'roman' scheme: convert from or to 'roman'"
            )
        #: the user lexicon (None: none)
        self.lexicon = _lexicon_of(lexicon) if lexicon is not None else None
        self._model_spec = model
        self._stages: list[_Stage] | None = None  # built on first use: a learned model loads lazily
        self._post: dict[int, int] | None = None
        if digits == "ascii":
            self._post = _TO_ASCII_DIGITS
        elif digits == "deva":
            self._post = _TO_DEVA_DIGITS

    def __repr__(self) -> str:
        src = AUTO if self._auto is not None else self.src.name
        return f"Transliterator({src!r}, {self.dst.name!r})"

    def _detected(self, text: str) -> Transliterator:
        """With ``src="auto"``: the converter from the scheme ``text`` is written in."""
        assert self._auto is not None
        self.last_guess = guess = detect_scheme(text)
        conv = self._auto.get(guess.scheme)
        if conv is None:
            conv = self._auto[guess.scheme] = Transliterator(
                guess.scheme,
                self.dst.name,
                model=self._model_spec,
                normalizer=self.normalizer,
                digits=self.digits,
                keep_period=self.keep_period,
                english=self.english,
                lexicon=self.lexicon if "learned" in (get_scheme(guess.scheme).kind, self.dst.kind) else None,
            )
        return conv

    @property
    def stages(self) -> list[_Stage]:
        if self._stages is None:
            self._stages = self._build()
        return self._stages

    def _build(self) -> list[_Stage]:
        learned = "learned" in (self.src.kind, self.dst.kind)
        model = _load_model(self._model_spec) if learned else None
        stages: list[_Stage] = []
        if self.src.kind == "standard":
            chunks = _chunks_re(_DIGIT_LETTER_CHUNK if self.src.name in _DIGIT_LETTER_SCHEMES else _LATIN_CHUNK)
            stages.append(_StandardToDeva(standard_fns(self.src, max_word_chars=MAX_WORD_CHARS)[1], chunks=chunks))
        elif self.src.kind == "learned":
            assert model is not None
            stages.append(
                _LearnedToDeva(
                    model, keep_period=self.keep_period, keep_english=self.english == "keep", lexicon=self.lexicon
                )
            )
        if self.dst.script == "latin":
            stages.append(
                _from_deva_stage(self.dst, ascii_digits=self.digits == "auto", model=model, lexicon=self.lexicon)
            )
        return stages

    def __call__(self, text: str) -> str:
        return self.transliterate(text)

    def transliterate(self, text: str) -> str:
        """Convert ``text`` (any length, any number of lines)."""
        if self._auto is not None:
            return self._detected(text).transliterate(text)
        text = self.normalizer(text)
        for stage in self.stages:
            text = stage.convert(text)
        return text.translate(self._post) if self._post else text

    def transliterate_many(self, texts: Iterable[str]) -> list[str]:
        """``[self.transliterate(t) for t in texts]``, faster for running text through a learned
        model: the new words of the whole batch are decoded together (see
        :meth:`~lipyantar.translit.learned.model.LearnedModel.devanagarize_sentences`)."""
        if self._auto is not None:
            texts = list(texts)
            return self._detected("\n".join(texts)).transliterate_many(texts)
        out = [self.normalizer(text) for text in texts]
        for stage in self.stages:
            out = stage.convert_many(out)
        return [text.translate(self._post) for text in out] if self._post else out

    def candidates(self, text: str, *, top_k: int = 5) -> list[Candidate]:
        """Up to ``top_k`` (1 … :data:`MAX_TOP_K`) conversions of ``text``, best first, each with its raw
        ``score`` (a log-probability) and a calibrated ``prob``.

        Deterministic conversions give exactly one candidate with score 0.0 and prob 1.0; conversions
        through a learned model combine the k best candidates of each word, and a candidate's ``prob``
        is its share of the mass of the best ``max(top_k, PROB_POOL)`` (see :mod:`lipyantar.translit.candidate`).
        With a user lexicon, a text that is one of its words has its entries first, with the probs of
        :mod:`lipyantar.translit.learned.lexicon` (their counts' shares of 0.9, the model's candidates
        sharing the rest).
        """
        if type(top_k) is not int or not 1 <= top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be an int between 1 and {MAX_TOP_K}, not {top_k!r}")
        if self._auto is not None:
            return self._detected(text).candidates(text, top_k=top_k)
        # the calibration of the learned step (of the flattest, were there several)
        learned = [stage for stage in self.stages if stage.temperature is not None]
        calibration = max(learned, key=lambda st: st.temperature or 0.0) if learned else None
        pool = max(top_k, PROB_POOL) if learned else top_k
        texts = [(self.normalizer(text), 0.0)]
        exact = False  # the text is one word of the user lexicon: its probs are exp(score / T)
        for stage in self.stages:
            if len(learned) == 1 and stage is calibration and len(texts) == 1 and stage.lexicon_word(texts[0][0]):
                exact = True
            nxt: dict[str, float] = {}
            for t, s in texts:
                for out, score in stage.kbest(t, pool):
                    if out not in nxt:
                        nxt[out] = s + score
            texts = list(nxt.items())[:pool]
        if calibration is None:
            probs = [1.0] * len(texts)
        elif exact:
            probs = [min(1.0, math.exp(s / (calibration.temperature or 1.0))) for _, s in texts]
        else:
            probs = calibrated_probs([s for _, s in texts], calibration.temperature or 1.0, reserve=calibration.reserve)
        return [
            Candidate(t.translate(self._post) if self._post else t, min(s, 0.0), p)
            for (t, s), p in zip(texts[:top_k], probs, strict=False)
        ]


@lru_cache(maxsize=64)
def _cached(src: str, dst: str, digits: str, keep_period: bool, lexicon: UserLexicon | None = None) -> Transliterator:
    return Transliterator(src, dst, digits=digits, keep_period=keep_period, lexicon=lexicon)  # type: ignore[arg-type]


@lru_cache(maxsize=8)
def _read_lexicon(path: str, mtime_ns: int, size: int) -> UserLexicon:
    """The lexicon of a file, read again only when the file has changed (its time or size)."""
    return _lexicon_of(path)


def _one_shot_lexicon(lexicon: UserLexicon | str | os.PathLike[str] | None) -> UserLexicon | None:
    if lexicon is None or not isinstance(lexicon, (str, os.PathLike)):
        return lexicon
    path = os.fspath(lexicon)
    try:
        st = os.stat(path)
    except OSError:
        return _lexicon_of(path)  # its error, with the file's name
    if not os.path.isfile(path):
        return _lexicon_of(path)
    return _read_lexicon(os.path.realpath(path), st.st_mtime_ns, st.st_size)


def transliterate(
    text: str,
    src: str,
    dst: str,
    *,
    digits: DigitOutput = "auto",
    keep_period: bool = False,
    lexicon: UserLexicon | str | os.PathLike[str] | None = None,
) -> str:
    """Convert ``text`` from scheme ``src`` to scheme ``dst`` (one-shot; converters are cached).
    ``src="auto"`` detects the scheme of ``text`` (:func:`lipyantar.translit.autodetect.detect_scheme`).
    ``lexicon``: a user lexicon for the ``roman`` scheme, as :class:`Transliterator` takes it (a file is
    read again when it changes).

    >>> transliterate("नमस्ते दुनिया", "deva", "iast")
    'namaste duniyā'
    """
    return _cached(
        src.strip().lower(), dst.strip().lower(), digits, keep_period, _one_shot_lexicon(lexicon)
    ).transliterate(text)
