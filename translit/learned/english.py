"""English words in romanized Hindi: Devanagari candidates from their English pronunciation.

Romanized Hindi mixes in English words in English spelling ("hypothalamus", "giraffe", "bradley").
Hindi writes them by sound (हाइपोथैलेमस, जिराफ, ब्रैडली), which a model of informal romanization
learned mostly from Hindi words gets wrong: English spelling is far from English sound. An
:class:`EnglishModel` holds pronunciations of English words (from the CMU Pronouncing Dictionary,
ARPAbet phonemes without stress) and a joint graphone model between phoneme strings and Devanagari,
trained on the training pairs whose Latin side has a pronunciation (``academy`` → अकादमी, ...).

For a Latin word with a pronunciation, the learned model (:mod:`lipyantar.translit.learned.model`) adds the English
model's best spellings to its candidates and scores every candidate by whether the English model
proposes it and whether it can spell it at all; the feature weights are tuned like the others.

Acronyms typed in small letters ("ngo", "nhs") are read letter by letter (:func:`spell_letters`); the
learned model proposes that reading too, with more weight the less the input looks like a Hindi
romanization.

Phonemes are coded as one private-use character each (:data:`PHONEMES`, :func:`encode_phones`), so
that the joint model and its searches work on plain strings.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from lipyantar.translit.errors import InputError
from lipyantar.translit.learned.charalign import Aligner, deva_units, normalize_roman
from lipyantar.translit.learned.jointseq import JointModel

__all__ = [
    "LETTER_NAMES",
    "PHONEMES",
    "EnglishModel",
    "EnglishProns",
    "encode_phones",
    "loose_spelling",
    "read_cmudict",
    "spell_letters",
    "spell_pronunciation",
    "train_english",
]

logger = logging.getLogger(__name__)

#: the 39 ARPAbet phonemes of the CMU Pronouncing Dictionary (stress marks dropped)
PHONEMES: tuple[str, ...] = tuple(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
)
_CODE = {p: chr(0xE000 + i) for i, p in enumerate(PHONEMES)}
_STRESS = re.compile(r"[012]$")
_VARIANT = re.compile(r"\(\d+\)$")
_WORD = re.compile(r"[a-z]+")
#: the memo of EnglishModel.candidates is cleared when it holds more entries than this
CANDIDATES_MEMO_LIMIT = 100_000


#: how Hindi writes the names of the Latin letters: acronyms are read letter by letter (ngo → एनजीओ)
LETTER_NAMES: dict[str, str] = {
    "a": "ए", "b": "बी", "c": "सी", "d": "डी", "e": "ई", "f": "एफ", "g": "जी", "h": "एच", "i": "आई",
    "j": "जे", "k": "के", "l": "एल", "m": "एम", "n": "एन", "o": "ओ", "p": "पी", "q": "क्यू", "r": "आर",
    "s": "एस", "t": "टी", "u": "यू", "v": "वी", "w": "डब्ल्यू", "x": "एक्स", "y": "वाई", "z": "जेड",
}  # fmt: skip


def spell_letters(roman: str) -> str:
    """A Latin word read as an acronym: the Devanagari names of its letters (``"ngo"`` → ``"एनजीओ"``);
    other characters are dropped."""
    return "".join(LETTER_NAMES.get(ch, "") for ch in roman.lower())


def encode_phones(phones: Iterable[str]) -> str:
    """An ARPAbet pronunciation (``["HH", "AY2", "P", ...]``) as a string of one character per phoneme.

    Raises ValueError for an unknown phoneme.
    """
    out = []
    for phone in phones:
        code = _CODE.get(_STRESS.sub("", phone.upper()))
        if code is None:
            raise ValueError(f"unknown ARPAbet phoneme {phone!r}")
        out.append(code)
    return "".join(out)


def read_cmudict(path: str | os.PathLike[str], *, max_prons: int = 3) -> dict[str, tuple[str, ...]]:
    """Read a CMU Pronouncing Dictionary file (``cmudict.dict`` format: ``word[(n)] PH1 PH2 ... [# comment]``;
    gzip-compressed when the name ends in ``.gz``).

    Returns lower-case words of Latin letters only → up to ``max_prons`` encoded pronunciations
    (:func:`encode_phones`), in file order. Raises :class:`lipyantar.translit.errors.InputError` with the line
    number for a malformed line.
    """
    prons: dict[str, list[str]] = {}
    source = os.fspath(path)
    try:
        opener = gzip.open if source.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                parts = line.split("#", 1)[0].split()
                if not parts:
                    continue
                if len(parts) < 2:
                    raise InputError("a word without a pronunciation", source=source, line=lineno)
                word = _VARIANT.sub("", parts[0].lower())
                if not _WORD.fullmatch(word):
                    continue
                try:
                    code = encode_phones(parts[1:])
                except ValueError as exc:
                    raise InputError(str(exc), source=source, line=lineno) from exc
                known = prons.setdefault(word, [])
                if len(known) < max_prons and code not in known:
                    known.append(code)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8: {exc.reason}", source=source) from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", source=source) from exc
    return {w: tuple(ps) for w, ps in prons.items()}


class EnglishModel:
    """Pronunciations of English words and a phoneme ↔ Devanagari joint graphone model.

    Args:
        joint: the phoneme-string ↔ Devanagari joint model.
        prons: word → encoded pronunciations (:func:`read_cmudict`).
        packed: instead of ``prons``, the table as stored in a model file (``word<TAB>pron...`` lines,
            UTF-8), decoded on first use.
    """

    def __init__(
        self,
        joint: JointModel,
        prons: Mapping[str, Sequence[str]] | None = None,
        *,
        packed: bytes | None = None,
    ) -> None:
        self.joint = joint
        if prons is not None:
            self._table: dict[str, str] | None = {w: "\t".join(ps) for w, ps in prons.items() if ps}
        elif packed is not None:
            self._table, self._packed = None, packed
        else:
            raise ValueError("an EnglishModel needs prons or packed")
        self._cands: dict[tuple[str, int, int], dict[str, float]] = {}

    def _lookup(self) -> dict[str, str]:
        """Word -> its pronunciations joined by tabs (the packed table is split into lines on first use:
        only saving and :attr:`prons` need it all; a lookup searches the packed table in place)."""
        table = self._table
        if table is None:
            lines = self._packed.decode("utf-8").split("\n")
            table = self._table = dict(line.split("\t", 1) for line in lines if line)
            del self._packed
        return table

    def codes(self, roman: str) -> str | None:
        """The pronunciations of a word joined by tabs, None when it has none: a binary search of the
        packed table (``word<TAB>codes`` lines sorted by word, as :meth:`arrays` writes them), or a
        lookup in the table once it is decoded."""
        if self._table is not None:
            return self._table.get(roman)
        return _packed_get(self._packed, roman.encode("utf-8"))

    @property
    def prons(self) -> dict[str, tuple[str, ...]]:
        """Word → encoded pronunciations (a new dict: a view of the table)."""
        return {w: tuple(codes.split("\t")) for w, codes in self._lookup().items()}

    def pronunciations(self, roman: str) -> tuple[str, ...]:
        """Encoded pronunciations of a (normalized) Latin word; empty when it is not an English word."""
        codes = self.codes(roman)
        return tuple(codes.split("\t")) if codes else ()

    def candidates(self, roman: str, *, k: int, beam: int) -> dict[str, float]:
        """Devanagari spellings of the word's pronunciations: up to ``k`` per pronunciation, each with
        its best joint score over the pronunciations; empty for a word without a pronunciation."""
        key = (roman, k, beam)
        hit = self._cands.get(key)
        if hit is not None:
            return hit
        out: dict[str, float] = {}
        for pron in self.pronunciations(roman):
            for deva, score in self.joint.decode(pron, to_roman=False, k=k, beam=beam):
                if score > out.get(deva, -float("inf")):
                    out[deva] = score
        if len(self._cands) > CANDIDATES_MEMO_LIMIT:
            self._cands.clear()
        self._cands[key] = out
        return out

    def compiled_parts(
        self,
    ) -> tuple[Callable[[str], str | None], Any, Any, dict[tuple[str, int, int], dict[str, float]]] | None:
        """What the compiled roman → Devanagari channel (``lipyantar.translit.learned._fastlm.Channel``) reads of this model:
        the pronunciation lookup (:meth:`codes`), the compiled search and forced
        search of the joint model, and the memo of :meth:`candidates` (shared, so that both
        implementations fill the same memo); None when the extension is not built."""
        decoder = self.joint.compiled_decoder(False)
        forced = self.joint.compiled_decoder(False, forced=True)
        if decoder is None or forced is None:
            return None
        return self.codes, decoder, forced, self._cands

    def can_spell(self, roman: str, deva: str, *, beam: int) -> bool:
        """Whether some pronunciation of the word has a graphone path that spells ``deva``."""
        return bool(self.spellable(roman, [deva], beam=beam))

    def spellable(self, roman: str, devas: Sequence[str], *, beam: int) -> set[str]:
        """The ``devas`` that some pronunciation of the word has a graphone path for (forced searches
        with this beam); empty for a word without a pronunciation."""
        left = list(dict.fromkeys(devas))
        out: set[str] = set()
        for pron in self.pronunciations(roman):
            if not left:
                break
            scores = self.joint.forced_scores(pron, left, beam=beam)
            out.update(d for d, s in zip(left, scores, strict=True) if s is not None)
            left = [d for d in left if d not in out]
        return out

    def clear_cache(self) -> None:
        self._cands.clear()
        self.joint.clear_cache()

    # -- serialization (part of the learned model's file) -------------------------------------------
    def tables(self) -> dict[str, Any]:
        return {"order": self.joint.order, "graphones": [list(g) for g in self.joint.graphones]}

    def arrays(self) -> dict[str, array]:
        packed = "".join(f"{w}\t{codes}\n" for w, codes in sorted(self._lookup().items()))
        return {**self.joint.to_arrays(), "prons": array("B", packed.encode("utf-8"))}

    def array_names(self) -> list[str]:
        """The keys of :meth:`arrays`, in order, without packing the pronunciations."""
        return [*self.joint.to_arrays(), "prons"]

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any], arrays: Mapping[str, array]) -> EnglishModel:
        graphones = [(str(g[0]), str(g[1])) for g in tables["graphones"]]
        automaton = {k: v for k, v in arrays.items() if k != "prons"}
        joint = JointModel(graphones, {}, order=int(tables["order"]), arrays=automaton)
        if "prons" in tables:  # the table inline (files written before it was packed)
            return cls(joint, {str(w): tuple(str(p) for p in ps) for w, ps in tables["prons"]})
        prons = arrays["prons"]
        return cls(joint, packed=prons if isinstance(prons, bytes) else prons.tobytes())


class EnglishProns:
    """The pronunciation table of an :class:`EnglishModel` alone, as a model file packs it (``word<TAB>codes``
    lines sorted by word), searched in place: what Devanagari → roman asks of the English model (whether
    a Devanagari word spells an English word's sound, for a few words:
    :func:`~lipyantar.translit.learned.origin.sounds_like`), without building its joint model."""

    def __init__(self, packed: bytes) -> None:
        self._packed = packed

    def pronunciations(self, roman: str) -> tuple[str, ...]:
        """:meth:`EnglishModel.pronunciations` of the word."""
        codes = _packed_get(self._packed, roman.encode("utf-8"))
        return tuple(codes.split("\t")) if codes else ()


def _packed_get(packed: bytes, key: bytes) -> str | None:
    """The text after the tab of the line of ``packed`` (``word<TAB>text`` lines, each ending in a
    newline, sorted by word) whose word is ``key``; None when there is none. A binary search over
    byte offsets: each step finds the line around the middle."""
    lo, hi = 0, len(packed)  # lo: a line start; hi: a line start or the end
    while lo < hi:
        mid = (lo + hi) // 2
        start = packed.rfind(b"\n", lo, mid) + 1 or lo
        end = packed.find(b"\n", start)
        if end < 0:
            end = len(packed)
        tab = packed.find(b"\t", start, end)
        word = packed[start : tab if tab >= 0 else end]
        if word == key:
            return packed[tab + 1 : end].decode("utf-8") if tab >= 0 else ""
        if word < key:
            lo = end + 1
        else:
            hi = start
    return None


def train_english(
    pairs: Sequence[tuple[str, str, float]],
    prons: Mapping[str, Sequence[str]],
    *,
    order: int = 5,
    iterations: int = 4,
    noise_fraction: float = 0.05,
) -> EnglishModel | None:
    """Learn the phoneme ↔ Devanagari model from (Devanagari, Latin, count) word pairs whose Latin side
    has a pronunciation in ``prons`` (each of its pronunciations is a training pair).

    The worst-aligned ``noise_fraction`` of the pairs is dropped (Indian names with an American
    pronunciation, noisy pairs). Returns None when no pair has a pronunciation.
    """
    units = []
    for deva, roman, count in pairs:
        for pron in prons.get(normalize_roman(roman), ()):
            units.append((deva_units(deva), pron, count))
    if not units:
        return None
    aligner = Aligner(max_deva=2, max_roman=3)
    aligner.train(units, iterations=iterations)
    aligned = []
    for u, pron, count in units:
        a = aligner.align(u, pron)
        if a is not None:
            aligned.append((a.score, count, a.graphones))
    aligned.sort(key=lambda t: t[0])
    aligned = aligned[int(len(aligned) * noise_fraction) :]
    ids: dict[tuple[str, str], int] = {("", ""): 0}
    seqs = [([ids.setdefault(g, len(ids)) for g in graphones], count) for _, count, graphones in aligned]
    graphones = sorted(ids, key=ids.__getitem__)
    logger.info("English pronunciation model: %d pairs, %d graphones", len(aligned), len(graphones))
    joint = JointModel(graphones, JointModel.count_ngrams(seqs, order=order), order=order)
    return EnglishModel(joint, {w: tuple(ps) for w, ps in prons.items()})


#: ARPAbet consonants as Hindi writes them (the nukta letters for /z/ and /ʒ/, as newspapers do)
_CONSONANTS: dict[str, str] = {
    "B": "ब", "CH": "च", "D": "ड", "DH": "द", "F": "फ", "G": "ग", "HH": "ह", "JH": "ज", "K": "क", "L": "ल",
    "M": "म", "N": "न", "NG": "ंग", "P": "प", "R": "र", "S": "स", "SH": "श", "T": "ट", "TH": "थ", "V": "व",
    "W": "व", "Y": "य", "Z": "ज़", "ZH": "ज़",
}  # fmt: skip
#: ARPAbet vowels: (vowel sign after a consonant, independent letter); AH after a consonant is its inherent a
_VOWELS: dict[str, tuple[str, str]] = {
    "AA": ("ा", "आ"), "AE": ("ै", "ऐ"), "AH": ("", "अ"), "AO": ("ॉ", "ऑ"), "AW": ("ाउ", "आउ"), "AY": ("ाइ", "आइ"),
    "EH": ("े", "ए"), "ER": ("र", "अर"), "EY": ("े", "ए"), "IH": ("ि", "इ"), "IY": ("ी", "ई"), "OW": ("ो", "ओ"),
    "OY": ("ॉय", "ऑय"), "UH": ("ु", "उ"), "UW": ("ू", "ऊ"),
}  # fmt: skip


#: (second, first) consonants of a two-consonant syllable onset (``gr`` in background, ``pl`` in complete)
_ONSET_PAIRS = frozenset(
    [("R", c) for c in ("B", "D", "G", "K", "P", "T", "F", "TH", "SH")] + [("L", c) for c in ("B", "G", "K", "P", "F")]
)


def _syllable_breaks(phones: Sequence[str]) -> set[int]:
    """Indices of consonants that start a syllable after another consonant, written without the
    virama that joins a cluster: before /h/ (``sweetheart`` स्वीटहार्ट), and in a run of three or more
    consonants before a vowel, before the onset it ends with (one consonant, or a stop or fricative and
    /r/ or /l/: ``background`` बैकग्राउंड, ``wildlife`` वाइल्डलाइफ); a run whose onset begins with /s/
    stays one cluster (``extra`` एक्स्ट्रा)."""
    breaks: set[int] = set()
    i, n = 0, len(phones)
    while i < n:
        if phones[i] in _VOWELS:
            i += 1
            continue
        j = i
        while j < n and phones[j] not in _VOWELS:
            j += 1
        if i > 0:  # a run after a vowel
            breaks.update(k for k in range(i + 1, j) if phones[k] == "HH")
            if j < n and j - i >= 3:
                onset = j - 1
                if (phones[j - 1], phones[j - 2]) in _ONSET_PAIRS:
                    onset = j - 2
                if phones[onset - 1] == "S":
                    onset -= 1
                if phones[onset] != "S" and onset > i:
                    breaks.add(onset)
        i = j
    return breaks


def spell_pronunciation(pron: str) -> str:
    """A rule spelling of an encoded English pronunciation (:func:`encode_phones`) in Devanagari, as Hindi
    writes English words by sound: ``M AH N TH`` → मंथ, ``W IY K S`` → वीक्स, ``AH L AA R M`` → अलार्म
    (a nasal before a consonant as anusvara, consonant clusters with virama, except where a syllable
    begins inside a run (:func:`_syllable_breaks`), no final virama)."""
    phones = [PHONEMES[ord(ch) - 0xE000] for ch in pron]
    breaks = _syllable_breaks(phones)
    out: list[str] = []
    after_consonant = False
    for i, phone in enumerate(phones):
        if i in breaks:
            after_consonant = False
        if (
            after_consonant
            and i >= 2
            and phones[i - 1] == "ER"
            and i + 1 < len(phones)
            and phones[i + 1] in _VOWELS
            and any(p in _VOWELS for p in phones[: i - 1])
        ):
            # an unstressed /ər/ after the first syllable, before one consonant and a vowel, is written
            # र and a new syllable (internet इंटरनेट, saturday सैटरडे, wonderful वंडरफुल); a stressed one,
            # in the first syllable, joins it (person पर्सन, service सर्विस)
            after_consonant = False
        vowel = _VOWELS.get(phone)
        if vowel is not None:
            if not after_consonant and i > 0 and phones[i - 1] in ("IY", "IH", "EY"):
                out.append("य" + vowel[0])  # a glide after i or e before the next vowel: वीडियो, प्लेयर
            else:
                out.append(vowel[0] if after_consonant else vowel[1])
            after_consonant = phone == "ER"
            continue
        nxt = phones[i + 1] if i + 1 < len(phones) else None
        if after_consonant:
            out.append("्")  # a cluster
        nasal = phone in ("N", "M") and nxt is not None and nxt not in _VOWELS and nxt not in ("Y", "W", "R")
        if nasal or (phone == "NG" and nxt in ("K", "G")):  # think थिंक, english इंग्लिश
            if out and out[-1] == "्":
                out.pop()
            out.append("ं")  # month → मंथ, campus → कैंपस
            after_consonant = False
            continue
        out.append(_CONSONANTS[phone])
        after_consonant = True
    return "".join(out)


_LOOSE = str.maketrans(
    {
        "ॉ": "ा", "ॅ": "े", "ी": "ि", "ू": "ु", "ै": "े", "ौ": "ो", "ँ": "ं", "़": None, "्": None,
        "ऑ": "आ", "ई": "इ", "ऊ": "उ", "ऐ": "ए", "औ": "ओ",
    }
)  # fmt: skip
_NASAL_CLUSTER = re.compile("[नम]्(?=[क-ह])")


def loose_spelling(deva: str) -> str:
    """A Devanagari spelling with the distinctions that Hindi spellings of English words blur removed
    (vowel length, ॉ/ा, ै/े, nukta, virama, chandrabindu, न् before a consonant): two spellings of the same
    English word usually agree on it (वीक्स/विक्स, ऑफिस/ऑफ़िस, मंथ/मन्थ)."""
    text = unicodedata.normalize("NFD", deva)
    text = _NASAL_CLUSTER.sub("ं", text)
    return text.translate(_LOOSE)
