"""Which Latin words of a code-mixed sentence are Hindi, in context: what ``--english keep`` keeps.

Romanized Hindi as people type it mixes in English words and names ("kal ki meeting cancel kar do",
"play the song on spotify"), and many short words are both (``the`` थे, ``me`` में, ``is`` इस, ``kal``
कल/call, ``band`` बंद). :class:`CodeMix` gives each word the probability that it is *not* Hindi (English
or a name) from two logistic regressions:

1. **token features** (:data:`TOKEN_FEATURES`): the word's log probability as English and as romanized
   Hindi (lexicon and character model, :mod:`lipyantar.translit.wordlang`), whether the learned model has
   an English pronunciation for it or attests it as the romanization of a Hindi word, how far its
   spelling is from the rule-based romanization (:func:`lipyantar.translit.rules.romanize_word`) of its
   Devanagari reading (``traffic`` is far from ट्रैफिक's ``traifik``, ``kal`` is कल's ``kal``), how common
   that reading is as a Hindi word, whether the reading spells an English pronunciation of the word
   (``alarm`` अलार्म, not ``band`` बंद), the most common Hindi word among its five best readings and how
   much less likely that reading is (``me`` may be में, ``car`` hardly कर), its length and capitals;
2. **context features** (:data:`CONTEXT_FEATURES`): the same plus the first stage's probabilities of the
   neighbours (two on each side) and of the rest of the sentence, so that a homograph follows its
   neighbours while a clearly English word inside Hindi keeps its own language. A name (capitalized
   inside the sentence, or in capitals) says nothing about the language around it and counts as
   neither (``Goa me the`` is Hindi). Whether a number comes just before the word (``6:30 am``, ``5th``,
   ``2 din``; the caller says, from the text around the words), an acronym among words not in
   capitals (``RCB``) and whether the next word is a form of करना, where Hinglish puts an English verb or
   noun (``alarm set karo``, ``meeting cancel kar do``), are features too, and so are (issue 27) the other
   light and helper verbs typed after an English word (``hot hone wala``, ``reply de do``), a loanword
   next to an English word (``video message``), a name next to a short word (``Napa me`` में, ``the
   Walmart``) and, for a word of at most three letters, whether the next and previous words are frequent
   English (function) words or surely English content words: English syntax puts ``me``/``is`` before
   ``to``/``the`` (``remind me to``), Hindi puts में/इस before a noun (``Toronto me music``, ``is weekend
   ko``). A word after a number may follow its neighbours less, a short one most (``9 am ko``).

The weights (``data/codemix.json``, versioned; built by ``scripts/train_codemix.py``) are fitted on
synthetic code-mixed sentences: train-side Hindi Wikipedia sentences romanized with the Dakshina train
lexicon's spellings and casual-typing noise, with English words and phrases inserted where Hinglish puts
them (a content word in the slot before a postposition or auxiliary), names capitalized, acronyms, and
times and ordinals after numbers (see that script).
The decision threshold was chosen on held-out real queries (the Hinglish-TOP train split, never the
shipped model's training data) as the one with the smallest worse share of the error budgets (see
``scripts/train_codemix.py``).
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.charalign import normalize_roman
from lipyantar.translit.learned.datafile import read_versioned_json
from lipyantar.translit.learned.english import loose_spelling, spell_pronunciation
from lipyantar.translit.metrics import edit_distance
from lipyantar.translit.rules import romanize_word
from lipyantar.translit.wordlang import WordLanguages, fold_word, load_tables

if TYPE_CHECKING:
    from lipyantar.translit.learned.english import EnglishModel
    from lipyantar.translit.learned.langmodel import WordLM
    from lipyantar.translit.learned.memory import Memory
    from lipyantar.translit.learned.params import DecodeParams

__all__ = ["CONTEXT_FEATURES", "TOKEN_FEATURES", "CodeMix", "CodeMixWeights", "load_weights"]

logger = logging.getLogger(__name__)


class LearnedModel(Protocol):
    """What the decision reads of a learned model (:class:`~lipyantar.translit.learned.model.LearnedModel`,
    which asks the decision for its English path and so is not imported here)."""

    memory: Memory
    wordlm: WordLM
    english: EnglishModel | None
    params: DecodeParams

    def devanagarize(self, word: str) -> str: ...
    def devanagarize_topk(self, word: str, top_k: int = 5) -> list[tuple[str, float]]: ...
    def with_params(self, params: DecodeParams | Mapping[str, Any] | None = None) -> LearnedModel: ...

FORMAT = "lipyantar-codemix"
VERSION = 2
#: the packaged weights
WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "codemix.json"
#: the features of one word alone, in weight order (see the module docstring)
TOKEN_FEATURES: tuple[str, ...] = (
    "english_vs_hindi",  # (log P_en - log P_hi-Latn) / 4, clipped to +-3
    "english_lexicon",  # log10(1 + frequency per 10^8 in the English lexicon) / 3
    "hindi_lexicon",  # the same in the romanized-Hindi lexicon
    "pronounced",  # the learned model has an English pronunciation of it
    "attested",  # log(1 + count) of its attested Hindi readings in the model's memory / 3
    "short",  # at most 2 letters
    "three_letters",
    "rules_distance",  # edit distance to the rule romanization of its reading / letters (at most 1.5)
    "rules_equal",  # ... which is 0
    "reading_prior",  # (log unigram prior of its reading + 10) / 10, -1 when unknown
    "sound_spelling",  # its reading spells an English pronunciation of it (english.spell_pronunciation)
    "sound_x_english",  # sound_spelling times english_lexicon (a loanword in its English spelling)
    "common_reading",  # (highest log unigram prior among its 5 best Devanagari readings + 10) / 10, -1 when
    # none is known: a very common Hindi word it may be typed for ("me" में, "he" है)
    "common_reading_gap",  # how far below the best reading's score that reading is, / 10 (at most 2): "car"
    # may be typed for कर, but much less likely so than "me" for में
    "loan_shape",  # sound_x_english for a word of at least four letters: a loanword in its English spelling
    # (party पार्टी, computer कंप्यूटर), not a short Hindi word whose reading sounds like an English one (ki की)
    "capital_inside",  # capitalized, and not the first word of the sentence
    "all_caps",  # two or more letters, all capitals
    "bias",
)
#: the features of a word in its sentence: the token features, then these
CONTEXT_FEATURES: tuple[str, ...] = (
    *TOKEN_FEATURES,
    "left",  # first-stage probability of the word before it, minus 0.5 (0 without one, or for a name:
    # capitalized inside the sentence or in capitals)
    "right",
    "left2",
    "right2",
    "sentence",  # mean of the same over the other words
    "self",  # the word's own first-stage log-odds / 4
    "sentence_x_lexical",  # "sentence" times english_vs_hindi
    "neighbours_x_lexical",  # mean of left and right times english_vs_hindi
    "short_x_neighbours",  # "short" times the mean of left and right (short words follow their neighbours)
    "left_pmi",  # log P(reading | left word's reading) - log P(reading) under the model's word n-gram model, /5
    "right_pmi",  # the same for the right word's reading after this one
    "after_number",  # a number comes just before it ("6:30 am", "5th", "10 minute", "2 din")
    "after_number_x_lexical",  # after_number times english_vs_hindi
    "caps_alone",  # all_caps in a sentence most of whose other words are not in capitals (RCB, IPL)
    "short_x_right",  # "short" times "right" (में before a Hindi word, "me" before an English one)
    "unsure_x_neighbours",  # 1 - |2p - 1| of its first-stage p, times the mean of left and right: the
    "unsure_x_sentence",  # neighbours decide a word the first stage is unsure of, less one it is sure of
    "length_x_neighbours",  # min(letters, 10) / 10 times the mean of left and right (a long word is less
    # often a homograph of a Hindi word than a short one: "party" among Hindi words stays English)
    "before_light_verb",  # the next word reads as a form of करना (करो, करें, किया, कीजिए): Hinglish puts an
    # English verb or noun there ("alarm set karo", "meeting cancel kar do")
    "before_helper_verb",  # the next word is typed as a form of होना/जाना (ho, hoga, hone, gaya: "hot hone
    # wala", "cancel ho gaya")
    "before_give_take",  # ... of देना/लेना (de, do, diya, le, lo, liya: "reply de do", "book kar lo")
    "verb_x_lexical",  # the largest of the three above times english_vs_hindi
    "neighbour_x_english",  # the larger of left and right times english_lexicon ("video message", "gas
    # station": a loanword next to an English word)
    "left_name",  # the word before it is a name (capitalized inside the sentence, or in capitals)
    "right_name",  # the word after it is one ("the Walmart", "Napa me")
    "short_x_left_name",  # at most 3 letters times left_name: a postposition after a name ("Napa me")
    "short_x_right_name",  # ... times right_name: an article before one ("the Walmart")
    "short_x_right2",  # at most 3 letters times right2 ("is weekend ko": इस before an English noun and a
    "short_x_left2",  # postposition; left2 likewise)
    "short_x_function_next",  # at most 3 letters, and the next word is one of the most frequent English
    # words (FUNCTION_RANK): English syntax ("remind me to", "is the")
    "short_x_content_next",  # ... and the next word is a surely English word that is not one: Hindi syntax
    # ("me traffic", "is weekend": में and इस before an English noun)
    "short_x_function_before",  # the same for the word before it
    "short_x_content_before",
    "after_number_x_neighbours",  # after_number times the mean of left and right: a word after a number
    # ("9 am ko") may follow its neighbours less than other words (the short-word terms above had pulled
    # "am" between Hindi words to आम)
    "after_number_x_short",  # after_number and at most 3 letters (am, pm, th, km against par, ke, ko)
)
#: the most frequent words of the English lexicon that ``short_x_function_next`` and the rest count
FUNCTION_RANK = 150
#: a first-stage probability from which a neighbour counts as surely English (``short_x_content_next``)
SURELY_ENGLISH = 0.8
_ALL_CAPS = TOKEN_FEATURES.index("all_caps")
_CAPITAL_INSIDE = TOKEN_FEATURES.index("capital_inside")
#: the forms of करना (do), the light verb of Hinglish's English verbs and nouns: कर, करो, करें, करना, करके,
#: करवा..., करदो, किया, किए, कीजिए (not की and कि, also a postposition and a conjunction; not करोड़)
_LIGHT_VERB = re.compile(r"(?:कर(?:|ो|ें|े|ना|ने|नी|ता|ती|ते|के|िए|िये|ाइए|ा|ाओ|ाएं|वा\w*|ूँ|ूं|दो|दें|दे|दीजिए)|किया|किए|किये|कीजिए|कीजिये)$")
#: the same as typed (its reading may be another word: "karna" कर्ण, "kardo")
_LIGHT_VERB_LATIN = re.compile(
    r"(?:ka?r(?:|o|e|ein|en|na|ne|ni|ta|ti|te|ke|iye|ie|aye|aiye|ao|wa[a-z]*|va[a-z]*|do|de|dein|dijiye|un)"
    r"|kiya|kiye|kie|kijiye|kijie)$"
)
#: forms of होना (be) and जाना (go) as typed, after which Hinglish puts English adjectives and participles
_HELPER_LATIN = re.compile(
    r"(?:ho|hoga|hogi|honge|hona|hone|hota|hoti|hote|hua|hui|hue|huaa|hoja|hojaye|hojaega|hojayega|hojayegi"
    r"|jaye|jayega|jayegi|gaya|gayi|gya)$"
)
#: forms of देना (give) and लेना (take) as typed, the other light verbs of Hinglish
_GIVE_TAKE_LATIN = re.compile(
    r"(?:de|do|dena|dene|deni|diya|diye|dijiye|dije|dein|den|dedo|le|lo|lena|lene|leni|liya|liye|lijiye|lein|len|lelo)$"
)
#: the word-feature memo is cleared when it holds more entries than this
MEMO_LIMIT = 200_000


@dataclass(frozen=True)
class CodeMixWeights:
    """The weights of the two stages and the decision threshold (a word whose probability of not being
    Hindi is at least ``threshold`` is kept in Latin script). ``refine``, when given, are the weights of
    a third stage over :data:`CONTEXT_FEATURES` again, computed from the second stage's probabilities
    instead of the first's: the neighbours' decisions in context, iterated once."""

    token: tuple[float, ...]
    context: tuple[float, ...]
    threshold: float = 0.5
    training: Mapping[str, Any] = field(default_factory=dict)
    refine: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        stages = [("token", self.token, len(TOKEN_FEATURES)), ("context", self.context, len(CONTEXT_FEATURES))]
        if self.refine:
            stages.append(("refine", self.refine, len(CONTEXT_FEATURES)))
        for name, weights, size in stages:
            if len(weights) != size:
                raise ModelError(f"codemix weights: {name} has {len(weights)} weights, not {size}")
            if not all(isinstance(w, (int, float)) and math.isfinite(w) for w in weights):
                raise ModelError(f"codemix weights: {name} has a weight that is not a finite number")
        if not 0.0 < self.threshold < 1.0:
            raise ModelError(f"codemix weights: threshold {self.threshold} is not within (0, 1)")

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "token_features": list(TOKEN_FEATURES),
                "context_features": list(CONTEXT_FEATURES),
                "token": list(self.token),
                "context": list(self.context),
                "threshold": self.threshold,
                **({"refine": list(self.refine)} if self.refine else {}),
                "training": dict(self.training),
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "codemix weights") -> CodeMixWeights:
        data = read_versioned_json(text, fmt=FORMAT, version=VERSION, source=source)
        if data.get("token_features") != list(TOKEN_FEATURES) or data.get("context_features") != list(CONTEXT_FEATURES):
            raise ModelError(f"{source}: its features are not this version's")
        try:
            return cls(
                tuple(data["token"]),
                tuple(data["context"]),
                float(data["threshold"]),
                dict(data.get("training", {})),
                tuple(data.get("refine", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: {exc}") from None


@lru_cache(maxsize=1)
def load_weights() -> CodeMixWeights:
    """The packaged weights, read on first use."""
    try:
        text = WEIGHTS_PATH.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"the code-mixing weights {WEIGHTS_PATH} are missing; run scripts/train_codemix.py") from exc
    return CodeMixWeights.from_json(text, source=str(WEIGHTS_PATH))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _dot(weights: Sequence[float], features: Sequence[float]) -> float:
    return sum(w * x for w, x in zip(weights, features, strict=True))


class CodeMix:
    """The per-word decision for one learned model (its memory, pronunciations and readings are
    features). Word features are memoized per word."""

    def __init__(
        self, model: LearnedModel, weights: CodeMixWeights | None = None, tables: WordLanguages | None = None
    ) -> None:
        if model.params.english.w_path:
            # the features are the model's answers without the English path of single words, which
            # asks this decision (and the weights were fitted on such answers)
            model = model.with_params({"english.w_path": 0.0})
        self.model = model
        self.weights = weights if weights is not None else load_weights()
        self.tables = tables if tables is not None else load_tables()
        self.tables.require(("en", "hi-Latn"))
        self._english = self.tables.lexicon("en")
        self._function = frozenset(heapq.nsmallest(FUNCTION_RANK, self._english, key=lambda w: (-self._english[w], w)))
        self._hindi = self.tables.lexicon("hi-Latn")
        self._memo: dict[str, tuple[float, ...]] = {}
        self._ids: dict[str, int] = {}
        self._light: dict[str, float] = {}
        self._pmi: dict[tuple[int, int], float] = {}

    def reading(self, roman: str) -> str:
        """The Devanagari reading of a normalized Latin word that the features look at: its most often
        attested reading, else the model's single-best answer."""
        attested = self.model.memory.r2d.get(roman)
        if attested:
            prior = self.model.wordlm.unigram
            return max(attested, key=lambda d: (attested[d], prior(d) or -99.0, d))
        return self.model.devanagarize(roman)

    def spelled_by_sound(self, roman: str, deva: str) -> bool:
        """Whether ``deva`` is how Hindi writes an English pronunciation of ``roman`` (the two agree on
        :func:`~lipyantar.translit.learned.english.loose_spelling`): ``alarm`` अलार्म, ``traffic``
        ट्रैफिक, but not ``band`` बंद or ``the`` थे."""
        english = self.model.english
        if english is None:
            return False
        loose = loose_spelling(deva)
        return any(loose_spelling(spell_pronunciation(p)) == loose for p in english.pronunciations(roman))

    def _word(self, word: str) -> tuple[float, ...]:
        folded = fold_word(word)
        found = self._memo.get(folded)
        if found is not None:
            return found
        model = self.model
        roman = normalize_roman(folded)
        log_en = self.tables.logprob(folded, "en")
        log_hi = self.tables.logprob(folded, "hi-Latn")
        attested = model.memory.r2d.get(roman) if roman else None
        english = model.english
        deva = self.reading(roman) if roman else ""
        rules = romanize_word(deva) if deva else ""
        dist = edit_distance(roman, rules) / max(len(roman), 1) if deva else 1.5
        prior = model.wordlm.unigram(deva) if deva else None
        features: tuple[float, ...] = (
            max(-12.0, min(12.0, log_en - log_hi)) / 4,
            math.log10(1 + self._english.get(folded, 0)) / 3,
            math.log10(1 + self._hindi.get(folded, 0)) / 3,
            1.0 if english is not None and roman and english.pronunciations(roman) else 0.0,
            math.log(1 + sum(attested.values())) / 3 if attested else 0.0,
            1.0 if len(folded) <= 2 else 0.0,
            1.0 if len(folded) == 3 else 0.0,
            min(dist, 1.5),
            1.0 if dist == 0 else 0.0,
            (max(prior, -20.0) + 10) / 10 if prior is not None else -1.0,
            1.0 if deva and english is not None and self.spelled_by_sound(roman, deva) else 0.0,
        )
        ranked = model.devanagarize_topk(roman, 5) if roman else []
        common, gap = -1.0, 0.0
        for candidate, score in ranked:
            lp = model.wordlm.unigram(candidate)
            if lp is not None and (max(lp, -20.0) + 10) / 10 > common:
                common, gap = (max(lp, -20.0) + 10) / 10, min((ranked[0][1] - score) / 10, 2.0)
        sound_english = features[10] * features[1]
        features = (*features, sound_english, common, gap, sound_english if len(folded) >= 4 else 0.0)
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
            self._ids.clear()
            self._light.clear()
            self._pmi.clear()
        self._memo[folded] = features
        self._ids[folded] = model.wordlm.ids.get(deva, 1) if deva else 1
        self._light[folded] = 1.0 if _LIGHT_VERB.match(deva) or _LIGHT_VERB_LATIN.match(roman) else 0.0
        return features

    def _pair_pmi(self, left: int, right: int) -> float:
        """(log P(right | left) - log P(right)) / 5 under the word n-gram model, clipped to +-1; 0 when
        either word is outside its vocabulary."""
        if left <= 1 or right <= 1:  # 0: boundary, 1: <unk>
            return 0.0
        key = (left, right)
        found = self._pmi.get(key)
        if found is None:
            lm = self.model.wordlm.lm
            compiled = lm.fast()
            step = compiled.step if compiled is not None else lm.step
            _, state = step(lm.root, left)
            found = step(state, right)[0] - step(lm.root, right)[0]
            found = max(-5.0, min(5.0, found)) / 5
            self._pmi[key] = found
        return found

    def token_features(self, words: Sequence[str]) -> list[list[float]]:
        """:data:`TOKEN_FEATURES` of each word of a sentence. In a sentence typed in capitals (at least
        three words, most of them in capitals) capitals say nothing, and count as none."""
        out = []
        shouting = len(words) >= 3 and 2 * sum(1 for w in words if len(w) >= 2 and w.isupper()) > len(words)
        for i, word in enumerate(words):
            capital = 1.0 if i > 0 and word[:1].isupper() and not shouting else 0.0
            caps = 1.0 if len(word) >= 2 and word.isupper() and not shouting else 0.0
            out.append([*self._word(word), capital, caps, 1.0])
        return out

    def context_features(
        self,
        words: Sequence[str],
        token: Sequence[Sequence[float]],
        first: Sequence[float],
        after_number: Sequence[bool] | None = None,
    ) -> list[list[float]]:
        """:data:`CONTEXT_FEATURES` of each word, from its token features, the first-stage
        probabilities ``first`` of the sentence's words and whether a number comes just before each
        (``after_number``; default: none does)."""
        n = len(first)
        caps = sum(1 for w in words if len(w) >= 2 and w.isupper())
        ids = [self._ids.get(fold_word(w), 1) for w in words]
        folded = [fold_word(w) for w in words]
        light = [self._light.get(w, 0.0) for w in folded]
        helper = [1.0 if _HELPER_LATIN.match(w) else 0.0 for w in folded]
        give = [1.0 if _GIVE_TAKE_LATIN.match(w) else 0.0 for w in folded]
        name = [1.0 if f[_CAPITAL_INSIDE] or f[_ALL_CAPS] else 0.0 for f in token]
        function = [1.0 if w in self._function else 0.0 for w in folded]
        content = [
            1.0 if not function[j] and not name[j] and first[j] > SURELY_ENGLISH else 0.0 for j in range(n)
        ]
        pmi = [self._pair_pmi(ids[i - 1], ids[i]) for i in range(1, n)]
        # what each word says about the language around it: its first-stage probability minus 0.5, but
        # nothing for a name (capitalized inside the sentence, or an acronym): "Goa me the" is Hindi
        lean = [
            0.0 if f[_CAPITAL_INSIDE] or f[_ALL_CAPS] else p - 0.5 for f, p in zip(token, first, strict=True)
        ]
        total = sum(lean)
        out = []
        for i, feats in enumerate(token):
            left = lean[i - 1] if i > 0 else 0.0
            right = lean[i + 1] if i + 1 < n else 0.0
            left2 = lean[i - 2] if i > 1 else 0.0
            right2 = lean[i + 2] if i + 2 < n else 0.0
            rest = (total - lean[i]) / (n - 1) if n > 1 else 0.0
            p = min(max(first[i], 1e-6), 1 - 1e-6)
            lexical = feats[0]
            near = (left + right) / 2
            number = 1.0 if after_number is not None and after_number[i] else 0.0
            alone = 1.0 if feats[_ALL_CAPS] and 2 * (caps - 1) < n - 1 else 0.0
            unsure = 1.0 - abs(2.0 * first[i] - 1.0)
            nxt = i + 1 < n
            verb = max(light[i + 1], helper[i + 1], give[i + 1]) if nxt else 0.0
            upto3 = feats[5] + feats[6]
            left_name = name[i - 1] if i > 0 else 0.0
            right_name = name[i + 1] if nxt else 0.0
            out.append(
                [
                    *feats,
                    left,
                    right,
                    left2,
                    right2,
                    rest,
                    math.log(p / (1 - p)) / 4,
                    rest * lexical,
                    near * lexical,
                    feats[5] * near,
                    pmi[i - 1] if i > 0 else 0.0,
                    pmi[i] if i + 1 < n else 0.0,
                    number,
                    number * lexical,
                    alone,
                    feats[5] * right,
                    unsure * near,
                    unsure * rest,
                    min(len(words[i]), 10) / 10 * near,
                    light[i + 1] if nxt else 0.0,
                    helper[i + 1] if nxt else 0.0,
                    give[i + 1] if nxt else 0.0,
                    verb * lexical,
                    max(left, right) * feats[1],
                    left_name,
                    right_name,
                    upto3 * left_name,
                    upto3 * right_name,
                    upto3 * right2,
                    upto3 * left2,
                    upto3 * function[i + 1] if nxt else 0.0,
                    upto3 * content[i + 1] if nxt else 0.0,
                    upto3 * function[i - 1] if i > 0 else 0.0,
                    upto3 * content[i - 1] if i > 0 else 0.0,
                    number * near,
                    number * upto3,
                ]
            )
        return out

    def probabilities(
        self, words: Sequence[str], *, after_number: Sequence[bool] | None = None
    ) -> list[float]:
        """For each word of one sentence, the probability that it is English or a name, not Hindi.
        ``after_number``: for each word, whether a number comes just before it in the text (``6:30
        am``; default: none does)."""
        if not words:
            return []
        if after_number is not None and len(after_number) != len(words):
            raise ValueError(f"after_number has {len(after_number)} flags for {len(words)} words")
        token = self.token_features(words)
        first = [_sigmoid(_dot(self.weights.token, f)) for f in token]
        context = self.context_features(words, token, first, after_number)
        second = [_sigmoid(_dot(self.weights.context, f)) for f in context]
        if not self.weights.refine:
            return second
        again = self.context_features(words, token, second, after_number)
        return [_sigmoid(_dot(self.weights.refine, f)) for f in again]

    def keep(self, words: Sequence[str], *, after_number: Sequence[bool] | None = None) -> list[bool]:
        """For each word of one sentence, whether ``--english keep`` keeps it as written
        (``after_number`` as for :meth:`probabilities`)."""
        threshold = self.weights.threshold
        return [p >= threshold for p in self.probabilities(words, after_number=after_number)]

    def clear_cache(self) -> None:
        self._memo.clear()


def fit_logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[float],
    weights: Sequence[float],
    *,
    epochs: int = 8,
    rate: float = 0.1,
    l2: float = 1e-5,
    shuffle: Callable[[list[int]], None] | None = None,
) -> list[float]:
    """Logistic regression by AdaGrad stochastic gradient descent (``scripts/train_codemix.py``): the
    weights minimizing the ``weights``-weighted log loss of ``labels`` (0 or 1) plus ``l2`` times their
    squared norm. ``shuffle`` orders each epoch's rows (in place; default: as given)."""
    size = len(rows[0])
    w = [0.0] * size
    g2 = [1e-8] * size
    order = list(range(len(rows)))
    for _ in range(epochs):
        if shuffle is not None:
            shuffle(order)
        for i in order:
            weight = weights[i]
            if not weight:
                continue
            x = rows[i]
            err = (_sigmoid(_dot(w, x)) - labels[i]) * weight
            for j, xj in enumerate(x):
                if xj:
                    g = err * xj + l2 * w[j]
                    g2[j] += g * g
                    w[j] -= rate * g / math.sqrt(g2[j])
    return w
