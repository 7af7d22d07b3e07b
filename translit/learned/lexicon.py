"""A user lexicon: the user's own spellings, which outrank the learned model (``convert --lexicon``,
``serve --lexicon``, ``Transliterator(..., lexicon=...)``).

The file is the word-pair layout that ``learn`` reads (the Dakshina lexicon layout):
``native<TAB>roman[<TAB>count]``, UTF-8 (a BOM and CRLF line ends tolerated), blank lines and lines
starting with ``#`` skipped, count a positive number (default 1). :func:`iter_pairs` is the one reader
of such files (:func:`lipyantar.translit.learned.learn.read_pairs` reads through it too); a bad line is an
:class:`~lipyantar.translit.errors.InputError` naming the file, the line and what is wrong.

How the entries are used (roman → Devanagari and Devanagari → roman, the learned ``roman`` scheme):

* **Matching.** A Latin word is looked up by its letters lower-cased, as the model reads it
  (:func:`~lipyantar.translit.learned.charalign.normalize_roman`: ``Main``, ``MAIN`` and ``main`` are one
  key); a Devanagari word by its normal form, as the model reads it
  (:func:`~lipyantar.translit.learned.charalign.normalize_deva`: NFC, nukta decomposed, no ZWJ/ZWNJ), so a
  composed क़ in the file matches a decomposed one in the text and the other way round.
* **Output.** Devanagari is written in that normal form (as the model writes it); a romanization as
  the file spells it (its case kept: ``दिल्ली<TAB>Delhi`` gives ``Delhi``).
* **Order.** The entries of one word come first, most counted first (equal counts: in file order),
  then the model's candidates that are not entries. Lines with the same pair add their counts.
* **Probabilities.** A word's entries share :data:`LEXICON_MASS` (0.9) of its probability in
  proportion to their counts; the model's candidates share the rest, ``1 − LEXICON_MASS``, in
  proportion to their own calibrated probs (each kept below the last entry's). A candidate's
  ``score`` is ``T · log(prob)``, T the model's temperature for that direction, so that the words of
  a longer text combine as the model's own candidates do.
* **Sentences.** Roman → Devanagari decodes a sentence's words together with a word n-gram model;
  a word in the lexicon takes part with its most counted entry only (with several of the same
  count, the context chooses among them), so the words around it are chosen in the context of the
  user's spelling. The model's candidates of a word that the lexicon holds are never looked at there.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from lipyantar.translit.candidate import calibrated_probs
from lipyantar.translit.errors import InputError, excerpt
from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman
from lipyantar.translit.outputs import atomic_write
from lipyantar.translit.textio import read_lines
from lipyantar.translit.tokenize import DEVA_WORD, LATIN_WORD

__all__ = ["LEXICON_MASS", "Pair", "UserLexicon", "iter_pairs", "merge_candidates"]

#: the share of a word's probability that its lexicon entries take together (the rest is the model's)
LEXICON_MASS = 0.9
#: one line of a lexicon: (native, roman, count)
Pair = tuple[str, str, float]
_FORMAT = "expected native<TAB>roman[<TAB>count]"
_DEVA_WORD_RE = regex.compile(DEVA_WORD, regex.V1)
_LATIN_WORD_RE = regex.compile(LATIN_WORD, regex.V1)
_TINY = 1e-300  # log() of a prob that underflowed
_CONVERT_HINT = " or pass --errors replace"


def iter_pairs(path: str | os.PathLike[str]) -> Iterator[tuple[int, Pair]]:
    """The ``(line number, (native, roman, count))`` of a ``native<TAB>roman[<TAB>count]`` file
    (``"-"`` is stdin), streamed; see the module docstring for the layout.

    Raises:
        InputError: a line with too few or too many columns, an empty native or roman word, a count
            that is not a positive finite number, invalid UTF-8 (with its line and byte), or a file that
            cannot be read; the message names the file and the line.
    """
    source = "<stdin>" if os.fspath(path) == "-" else os.fspath(path)
    try:
        for lineno, line in enumerate(read_lines(path), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise InputError(f"{_FORMAT}: no tab, the roman column is missing", source=source, line=lineno)
            if len(cols) > 3:
                raise InputError(f"{_FORMAT}: {len(cols)} columns", source=source, line=lineno)
            if not cols[0].strip():
                raise InputError(f"{_FORMAT}: the native word is empty", source=source, line=lineno)
            if not cols[1].strip():
                raise InputError(f"{_FORMAT}: the roman word is empty", source=source, line=lineno)
            count = 1.0
            if len(cols) == 3 and cols[2].strip():
                try:
                    count = float(cols[2])
                except ValueError:
                    raise InputError(
                        f"bad count {excerpt(cols[2])}: a positive number", source=source, line=lineno
                    ) from None
                if not math.isfinite(count) or count <= 0:
                    raise InputError(f"bad count {excerpt(cols[2])}: a positive number", source=source, line=lineno)
            yield lineno, (cols[0], cols[1], count)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from exc
    except InputError as exc:
        if not exc.message.endswith(_CONVERT_HINT):
            raise
        # (convert's --errors does not apply to a lexicon)
        message = exc.message[: -len(_CONVERT_HINT)]
        raise InputError(message, source=exc.source, line=exc.line, offset=exc.offset) from None


def _check_entry(native: str, roman: str, count: float) -> str | None:
    """What is wrong with one entry of a user lexicon (None: nothing)."""
    if not isinstance(native, str) or not isinstance(roman, str):
        return "native and roman are strings"
    if isinstance(count, bool) or not isinstance(count, (int, float)) or not math.isfinite(count) or count <= 0:
        return f"bad count {count!r}: a positive number"
    if not _DEVA_WORD_RE.fullmatch(normalize_deva(native.strip())):
        return f"the native word {excerpt(native)} is not one Devanagari word"
    if not _LATIN_WORD_RE.fullmatch(roman.strip()) or not normalize_roman(roman):
        return f"the roman word {excerpt(roman)} is not one Latin word"
    return None


@dataclass(frozen=True)
class UserLexicon:
    """A user's own spellings: ``(native, roman, count)`` entries, checked (each native one Devanagari
    word, each roman one Latin word, each count a positive number). Build it from entries, or read
    a file with :meth:`read`; :meth:`write` writes one. Hashable; pickles (it travels to ``convert``'s
    worker processes).

    Raises:
        InputError: an entry that is not a word pair (:meth:`read`: with the file and line).
    """

    entries: tuple[Pair, ...]
    #: where the entries come from (a file name), for messages (not compared: two lexicons of the same
    #: entries are equal)
    source: str | None = field(default=None, compare=False)
    _to_deva: dict[str, tuple[tuple[str, float], ...]] = field(init=False, repr=False, compare=False)
    _to_roman: dict[str, tuple[tuple[str, float], ...]] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries = tuple(self.entries)
        for i, entry in enumerate(entries):
            if not isinstance(entry, (tuple, list)) or len(entry) != 3:
                raise InputError(f"entry {i + 1}: a (native, roman, count) triple, not {entry!r:.80}", source=self.source)
            problem = _check_entry(*entry)
            if problem is not None:
                raise InputError(f"entry {i + 1}: {problem}", source=self.source)
        self._index(tuple((native, roman, float(count)) for native, roman, count in entries))

    def _index(self, entries: tuple[Pair, ...]) -> None:
        """Keep ``entries`` (checked) and build the look-ups."""
        object.__setattr__(self, "entries", entries)
        to_deva: dict[str, dict[str, float]] = {}
        to_roman: dict[str, dict[str, float]] = {}
        for native, roman, count in entries:
            deva = normalize_deva(native.strip())
            spelled = roman.strip()
            slot = to_deva.setdefault(normalize_roman(spelled), {})
            slot[deva] = slot.get(deva, 0.0) + count
            back = to_roman.setdefault(deva, {})
            back[spelled] = back.get(spelled, 0.0) + count
        object.__setattr__(self, "_to_deva", {k: _by_count(v) for k, v in to_deva.items()})
        object.__setattr__(self, "_to_roman", {k: _by_count(v) for k, v in to_roman.items()})
        object.__setattr__(self, "_hash", hash(self.entries))

    def __hash__(self) -> int:
        return self._hash

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def _checked(cls, entries: tuple[Pair, ...], source: str | None) -> UserLexicon:
        """The lexicon of entries checked already (by :meth:`read`, or of a lexicon pickled)."""
        lexicon = cls.__new__(cls)
        object.__setattr__(lexicon, "source", source)
        lexicon._index(entries)
        return lexicon

    def __reduce__(self) -> tuple[Any, ...]:
        return (UserLexicon._checked, (self.entries, self.source))  # the look-ups are rebuilt on load

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> UserLexicon:
        """Read a ``native<TAB>roman[<TAB>count]`` file (``"-"``: stdin) through :func:`iter_pairs`;
        an entry that is not a word pair is an :class:`InputError` naming its file and line."""
        source = "<stdin>" if os.fspath(path) == "-" else os.fspath(path)
        entries = []
        for lineno, (native, roman, count) in iter_pairs(path):
            problem = _check_entry(native, roman, count)
            if problem is not None:
                raise InputError(problem, source=source, line=lineno)
            entries.append((native, roman, count))
        return cls._checked(tuple(entries), source)

    @classmethod
    def of(cls, lexicon: UserLexicon | str | os.PathLike[str]) -> UserLexicon:
        """``lexicon`` itself, or the lexicon of the file it names."""
        return lexicon if isinstance(lexicon, UserLexicon) else cls.read(lexicon)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the entries as ``native<TAB>roman<TAB>count`` lines (UTF-8, atomically: the file appears
        complete or not at all); :meth:`read` gives the same lexicon back."""
        with atomic_write(path) as out:
            for native, roman, count in self.entries:
                shown = str(int(count)) if count.is_integer() and abs(count) < 1e15 else repr(count)
                out.write(f"{native}\t{roman}\t{shown}\n")

    def devanagari(self, word: str) -> tuple[tuple[str, float], ...]:
        """The entries for a Latin word: ``(Devanagari, count)``, most counted first (() when none)."""
        return self._to_deva.get(normalize_roman(word), ())

    def romanizations(self, word: str) -> tuple[tuple[str, float], ...]:
        """The entries for a Devanagari word: ``(roman, count)``, most counted first (() when none)."""
        return self._to_roman.get(normalize_deva(word), ())


def _by_count(counts: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """Most counted first; equal counts in first-seen order (sorted is stable)."""
    return tuple(sorted(counts.items(), key=lambda kv: -kv[1]))


def entry_probs(entries: Sequence[tuple[str, float]]) -> list[float]:
    """The probs of a word's entries: their counts' shares of :data:`LEXICON_MASS`."""
    total = sum(count for _, count in entries)
    return [LEXICON_MASS * count / total for _, count in entries]


def merge_candidates(
    entries: Sequence[tuple[str, float]],
    model: Iterable[tuple[str, float]],
    k: int,
    *,
    temperature: float,
    reserve: float = 0.0,
    key: Callable[[str], str] | None = None,
) -> list[tuple[str, float]]:
    """A word's ``k`` best candidates: its lexicon ``entries`` (``(text, count)``, most counted first),
    then the ``model``'s candidates (``(text, score)``, best first) that are not entries (compared by
    ``key``: romanizations by ``str.lower``, so that ``dilli`` is not ``Dilli`` again), each scored
    ``temperature · log(prob)`` with the probs of the module docstring."""
    probs = entry_probs(entries)
    out = [(text, temperature * math.log(max(p, _TINY))) for (text, _), p in zip(entries, probs, strict=True)]
    if len(out) >= k:
        return out[:k]
    model = list(model)
    shares = calibrated_probs([s for _, s in model], temperature, reserve=reserve)
    cap = min(probs) * (1 - 1e-6)
    key = key or (lambda text: text)
    seen = {key(text) for text, _ in entries}
    for (text, _), share in zip(model, shares, strict=True):
        if key(text) not in seen:
            seen.add(key(text))
            p = min((1 - LEXICON_MASS) * share, cap)
            out.append((text, temperature * math.log(max(p, _TINY))))
    return out[:k]
