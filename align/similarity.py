"""Transliteration similarity between Devanagari and romanized Hindi.

Both sides are reduced to a *consonant skeleton*: the Devanagari side is romanized first (with a
pluggable ``romanize`` function, by default :func:`lipyantar.translit.rules.romanize_word`), then vowels are
dropped, aspiration ``h`` after a consonant is dropped and similar letters are merged (``v``/``w``,
``z``/``j``, ``f``/``ph``, ``q``/``k``, ``sh``/``s``, ``m``/``n`` ...). Informal romanization varies
mostly in its vowels and aspiration, so skeletons of twin words are usually equal or one letter apart.

* Sentences are compared by the Dice overlap of their skeleton bigram sets (:meth:`Similarity.dice`).
* Words are compared by a normalized edit distance on the skeleton, with a vowel-aware tie-breaker
  (:meth:`Similarity.word_similarity`).

Everything is memoized per word type, so the cost of romanization is paid once per vocabulary item.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache, reduce
from operator import or_
from typing import Any, NamedTuple

from lipyantar.translit.compiled import load_extension
from lipyantar.translit.errors import excerpt
from lipyantar.translit.metrics import edit_distance

__all__ = [
    "SentenceFeatures",
    "Similarity",
    "builtin_romanize",
    "default_romanize",
    "dice",
    "edit_distance",
    "gram_bits",
    "resolve_similarity",
    "shared_similarity",
    "skeleton",
]

logger = logging.getLogger(__name__)

Romanizer = Callable[[str], str]

#: the version of the word scores (skeleton, fold, word_similarity) and of the word aligner's dynamic
#: programme (lipyantar.align.words) that the compiled kernel must implement
KERNEL_VERSION = "1"


def _load_fast() -> Any:
    """The compiled kernel (``lipyantar.align._fastalign``) when built, enabled and of this version, else None."""
    module = load_extension("_fastalign", package="lipyantar.align")
    if module is not None and getattr(module, "KERNEL_VERSION", None) != KERNEL_VERSION:  # pragma: no cover
        logger.warning("lipyantar.align._fastalign implements other word scores; rebuild it (using Python)")
        return None
    return module


#: the compiled skeletons, word scores and word aligner, or None (pure Python)
FAST = _load_fast()
_FAST_SKELETON = FAST.skeleton if FAST is not None else None
_FAST_FOLD = FAST.fold if FAST is not None else None
_FAST_PARTS = FAST.word_parts if FAST is not None else None

_DEVA_RE = re.compile(r"[\u0900-\u097f]")
_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_DEVA_DIGIT = re.compile("[०-९]")
_HAS_DIGIT = re.compile(r"\d")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")

# ---------------------------------------------------------------------------------------------
# built-in fallback romanizer: enough for a consonant skeleton, no schwa subtleties needed
# ---------------------------------------------------------------------------------------------

_B_CONS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh",
    "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d",
    "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r",
    "ल": "l", "ळ": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s", "ह": "h",
    "\u0958": "q", "\u0959": "kh", "\u095a": "g", "\u095b": "z", "\u095c": "d", "\u095d": "dh",
    "\u095e": "f", "\u095f": "y",
}  # fmt: skip
_B_NUKTA = {"क": "q", "ज": "z", "फ": "f"}
_B_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri", "ए": "e", "ऐ": "ai",
    "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
    "\u093e": "aa", "\u093f": "i", "\u0940": "ee", "\u0941": "u", "\u0942": "oo", "\u0943": "ri",
    "\u0947": "e", "\u0948": "ai", "\u094b": "o", "\u094c": "au", "\u0949": "o", "\u0945": "e",
}  # fmt: skip
_VIRAMA = "\u094d"
_NUKTA = "\u093c"


def builtin_romanize(word: str) -> str:
    """A small rule romanizer (Devanagari word -> lowercase Latin), used when ``translit`` is absent.

    Inherent ``a`` after every consonant without a matra or virama, dropped at the end of the word.
    Characters outside Devanagari are kept as they are (lowercased).
    """
    out: list[str] = []
    pending = False  # a consonant waiting for its vowel
    chars = unicodedata.normalize("NFC", word)
    for k, ch in enumerate(chars):
        if ch in _B_CONS:
            if pending:
                out.append("a")
            nxt = chars[k + 1] if k + 1 < len(chars) else ""
            out.append(_B_NUKTA.get(ch, _B_CONS[ch]) if nxt == _NUKTA else _B_CONS[ch])
            pending = True
        elif ch == _NUKTA:
            continue
        elif ch == _VIRAMA:
            pending = False
        elif ch in _B_VOWELS:
            if "\u093e" <= ch <= "\u094c" or ch in "\u0945\u0949":
                pending = False
            elif pending:
                out.append("a")
                pending = False
            out.append(_B_VOWELS[ch])
        elif ch in "\u0902\u0901":
            if pending:
                out.append("a")
                pending = False
            out.append("n")
        elif ch == "\u0903":
            out.append("h")
        elif ch.isalpha() and not _DEVA_RE.match(ch):
            if pending:
                out.append("a")
                pending = False
            out.append(ch.lower())
    return "".join(out)


def default_romanize() -> Romanizer:
    """:func:`lipyantar.translit.rules.romanize_word` (imported on first use)."""
    from lipyantar.translit.rules import romanize_word

    return romanize_word


# ---------------------------------------------------------------------------------------------
# skeletons
# ---------------------------------------------------------------------------------------------

_SK_PRE = [
    (re.compile(r"ph|f"), "f"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"q"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"),
    (re.compile(r"ck"), "k"),
    # aspiration: h right after a consonant
    (re.compile(r"(?<=[bcdgjklnprstvy])h"), ""),
    (re.compile(r"[aeiou]+"), ""),
    (re.compile(r"m"), "n"),
    (re.compile(r"(.)\1+"), r"\1"),
]
_NON_LATIN = re.compile(r"[^a-z]")


_ASPIRATION = re.compile(r"(?<=[bcdgjklnprstvy])h")
_RUNS = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 18)
def skeleton(latin: str) -> str:
    """Consonant skeleton of a Latin-letter word: ``"pravaasana"`` -> ``"prvsn"``."""
    return _skeleton(latin)


def skeleton_python(latin: str) -> str:
    """:func:`skeleton` in Python (not memoized): the reference of the compiled one."""
    s = _NON_LATIN.sub("", unicodedata.normalize("NFKD", latin.lower()))
    for pattern, repl in _SK_PRE:
        s = pattern.sub(repl, s)
    return s


def fold_python(latin: str) -> str:
    """Vowel-keeping normal form used to break ties between short words (``"kii"`` -> ``"ki"``), in
    Python: the reference of the compiled one."""
    s = _NON_LATIN.sub("", latin.lower())
    s = _ASPIRATION.sub("", s)
    s = s.replace("w", "v").replace("z", "j").replace("ee", "i").replace("oo", "u")
    return _RUNS.sub(r"\1", s)


def _skeleton(latin: str) -> str:
    """:func:`skeleton` without its memo: compiled for an ASCII word when the kernel is built."""
    if _FAST_SKELETON is not None:
        out = _FAST_SKELETON(latin)
        if out is not None:
            return out
    return skeleton_python(latin)


def _fold(latin: str) -> str:
    """:func:`fold_python`, compiled for an ASCII word when the kernel is built."""
    if _FAST_FOLD is not None:
        out = _FAST_FOLD(latin)
        if out is not None:
            return out
    return fold_python(latin)


class SentenceFeatures(NamedTuple):
    """What the sentence aligner compares: a bit set of skeleton bigrams, skeleton length, numbers.

    Bit ``16 * a + b`` stands for the bigram of skeleton letters ``a``, ``b`` (their positions in
    :data:`SKELETON_LETTERS`); bit ``256 + a`` for a one-letter skeleton. A bit set makes unions and
    overlaps single integer operations.
    """

    grams: int
    length: int
    numbers: frozenset[str]


#: the letters a skeleton can contain (vowels are dropped, m/q/w/x/z are mapped to others)
SKELETON_LETTERS = "bcdfghjklnprstvy"
_LETTER_INDEX = {ch: k for k, ch in enumerate(SKELETON_LETTERS)}


def gram_bits(sk: str) -> int:
    """The bigram bit set of one skeleton (see :class:`SentenceFeatures`)."""
    index = [_LETTER_INDEX.get(ch, 15) for ch in sk]
    if len(index) == 1:
        return 1 << (256 + index[0])
    bits = 0
    for a, b in itertools.pairwise(index):
        bits |= 1 << (16 * a + b)
    return bits


def dice(a: int, b: int) -> float:
    """Dice coefficient of two bigram bit sets (0 when both are empty)."""
    total = a.bit_count() + b.bit_count()
    return 2.0 * (a & b).bit_count() / total if total else 0.0


_EMPTY: frozenset[str] = frozenset()
#: a word's packed value is ``length << _LENGTH_SHIFT | bigram bits``: the bits stay below bit 272, so the
#: sum of the packed values of up to 2**28 words keeps the lengths apart from the bits
_LENGTH_SHIFT = 300
_BITS_MASK = (1 << _LENGTH_SHIFT) - 1


#: the memo of two-word units (:meth:`Similarity.glued_infos`) is started afresh above this many entries
GLUED_MEMO_LIMIT = 32_768


class Similarity:
    """Memoized transliteration similarity; ``romanize`` maps one Devanagari word to Latin letters.

    ``romanize=None`` uses :func:`default_romanize`. Any exception of a custom romanizer on a word
    falls back to the built-in romanizer for that word (logged once).
    """

    def __init__(self, *, romanize: Romanizer | None = None) -> None:
        self._romanize = romanize if romanize is not None else default_romanize()
        self._word_cache: dict[str, tuple[str, int, str, int, frozenset[str]]] = {}
        # bigram bits and skeleton length of each word packed in one int (see _LENGTH_SHIFT), so that a whole
        # sentence is looked up by one C-level map() and reduced by one OR and one sum
        self._packed: dict[str, int] = {}
        self._pair_cache: dict[tuple[str, str], float] = {}
        self._glued_cache: dict[str, tuple[str, int, str, int, frozenset[str]]] = {}
        self._warned = False

    # -- words -----------------------------------------------------------------------------

    def romanize(self, word: str) -> str:
        """The Latin form of a word (romanized if it has Devanagari letters, lowercased otherwise)."""
        if not _DEVA_RE.search(word):
            return word.lower()
        try:
            out = self._romanize(word)
        except Exception as exc:  # a plug-in romanizer must never break the aligner
            if not self._warned:
                logger.warning("romanizer failed on %s (%s); using the built-in fallback", excerpt(word), exc)
                self._warned = True
            out = builtin_romanize(word)
        return out if isinstance(out, str) else builtin_romanize(word)

    def _info(self, word: str) -> tuple[str, int, str, int, frozenset[str]]:
        """:meth:`word_info` computed (not memoized)."""
        latin = self.romanize(word)
        parts = _FAST_PARTS(latin) if _FAST_PARTS is not None else None
        if parts is None:
            sk = _skeleton(latin)  # memoized with the rest of the word's info
            parts = (sk, gram_bits(sk) if sk else 0, _fold(latin), len(sk))
        return (*parts, _numbers(word))

    def word_info(self, word: str) -> tuple[str, int, str, int, frozenset[str]]:
        """``(skeleton, bigram bits, folded latin, skeleton length, numbers)`` of one token, memoized."""
        info = self._word_cache.get(word)
        if info is None:
            info = self._info(word)
            if len(self._word_cache) > 2_000_000:  # bound memory on huge vocabularies
                self._word_cache.clear()
                self._packed.clear()
            self._word_cache[word] = info
            if " " not in word:  # the sentence features look up words (the word aligner also glued pairs)
                self._packed[word] = (info[3] << _LENGTH_SHIFT) | info[1]
        return info

    def word_infos(self, words: Sequence[str]) -> list[tuple[str, int, str, int, frozenset[str]]]:
        """:meth:`word_info` of each of ``words`` (one C-level pass over the memo when all are known)."""
        infos = list(map(self._word_cache.get, words))
        if None in infos:
            info = self.word_info
            return [
                found if found is not None else info(word) for found, word in zip(infos, words, strict=True)
            ]
        return infos  # type: ignore[return-value]

    def glued_infos(self, words: Sequence[str]) -> list[tuple[str, int, str, int, frozenset[str]]]:
        """:meth:`word_info` of each of ``words``, the two-word units (two tokens joined by a space) that
        the word aligner compares, memoized apart from single words: most come once, so that their memo
        is kept small (started afresh above :data:`GLUED_MEMO_LIMIT`) and never crowds single words out."""
        memo = self._glued_cache
        infos = list(map(memo.get, words))
        if None in infos:
            if len(memo) > GLUED_MEMO_LIMIT:
                memo.clear()
            compute = self._info
            for k, found in enumerate(infos):
                if found is None:
                    word = words[k]
                    infos[k] = memo[word] = compute(word)
        return infos  # type: ignore[return-value]

    def word_similarity(self, deva: str, roman: str) -> float:
        """Similarity in [0, 1] of a Devanagari word (or glued words) and a romanized one."""
        key = (deva, roman)
        cached = self._pair_cache.get(key)
        if cached is not None:
            return cached
        sk_d, _, fold_d, _, num_d = self.word_info(deva)
        sk_r, _, fold_r, _, num_r = self.word_info(roman)
        if num_d or num_r:
            value = 1.0 if num_d == num_r else 0.0
        elif not fold_d and not fold_r:
            value = 1.0 if deva.strip() == roman.strip() else 0.5  # punctuation only
        elif not fold_d or not fold_r:
            value = 0.0
        else:
            longest = max(len(sk_d), len(sk_r))
            sk_sim = 1.0 - edit_distance(sk_d, sk_r) / longest if longest else 1.0
            longest_f = max(len(fold_d), len(fold_r))
            fold_sim = 1.0 - edit_distance(fold_d, fold_r) / longest_f
            value = 0.7 * sk_sim + 0.3 * fold_sim if longest else fold_sim
        if len(self._pair_cache) > 1_000_000:
            self._pair_cache.clear()
        self._pair_cache[key] = value
        return value

    # -- sentences -------------------------------------------------------------------------

    def features(self, text: str) -> SentenceFeatures:
        """Skeleton bigrams, skeleton length and numbers of a sentence (either script)."""
        bits, lengths, numbers = self.features_many((text,))
        return SentenceFeatures(bits[0], lengths[0], numbers[0])

    def features_many(self, texts: Sequence[str]) -> tuple[list[int], list[int], list[frozenset[str]]]:
        """:meth:`features` of many sentences at once, as three lists: bigram bits, lengths, numbers.

        The sentence aligner's hot path: one C-level pass per sentence looks its words up, and the
        numbers are searched for in one pass over the whole batch.
        """
        try:
            packed = self._packed_words(texts)
        except KeyError:  # words not seen before: memoize them, then the fast path again
            known = self._word_cache
            info = self.word_info
            for text in texts:
                for word in text.split():
                    if word not in known:
                        info(word)
            try:
                packed = self._packed_words(texts)
            except KeyError:  # the memo was cleared while filling it (a huge vocabulary): word by word
                infos = [[self.word_info(word) for word in text.split()] for text in texts]
                packed = [[(i[3] << _LENGTH_SHIFT) | i[1] for i in words] for words in infos]
        # the OR of the packed values has the bigram bits below _LENGTH_SHIFT, their sum the length above
        bits = [reduce(or_, values, 0) & _BITS_MASK for values in packed]
        lengths = [sum(values) >> _LENGTH_SHIFT for values in packed]
        numbers = [_EMPTY] * len(texts)
        # a sentence's numbers are those of its words (a number never spans a space): find the
        # sentences with a digit by one search per such sentence over the whole batch
        joined = "\n".join(texts)
        search = _HAS_DIGIT.search
        found = search(joined)
        if found:
            starts = list(itertools.accumulate([len(text) + 1 for text in texts], initial=0))
            while found:
                k = bisect_right(starts, found.start()) - 1
                numbers[k] = _numbers_with_digits(texts[k])
                found = search(joined, starts[k + 1])
        return bits, lengths, numbers

    def _packed_words(self, texts: Sequence[str]) -> list[list[int]]:
        packed_of = self._packed.__getitem__
        return [list(map(packed_of, text.split())) for text in texts]

    def sentence_similarity(self, deva: str, roman: str) -> float:
        """Dice overlap of the skeleton bigrams of two sentences, in [0, 1]."""
        return dice(self.features(deva).grams, self.features(roman).grams)


@lru_cache(maxsize=1)
def shared_similarity() -> Similarity:
    """One default :class:`Similarity` for all calls, so its per-word memo is shared."""
    return Similarity()


def resolve_similarity(similarity: Similarity | None, romanize: Romanizer | None) -> Similarity:
    """The similarity the aligners use: ``similarity`` when given, else one for ``romanize``, else
    the shared default (:func:`shared_similarity`)."""
    if similarity is not None:
        return similarity
    return shared_similarity() if romanize is None else Similarity(romanize=romanize)


def _numbers(text: str) -> frozenset[str]:
    if not _HAS_DIGIT.search(text):
        return _EMPTY
    return _numbers_with_digits(text)


def _numbers_with_digits(text: str) -> frozenset[str]:
    """:func:`_numbers` of a text known to hold a digit."""
    if _DEVA_DIGIT.search(text):
        text = text.translate(_DEVA_DIGITS)
    found = _NUMBER_RE.findall(text)
    return frozenset([m.replace(",", "") for m in found] if "," in text else found)
