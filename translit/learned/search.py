"""The candidates of one Latin word, roman → Devanagari, and their scores: the graphone beam search
(compiled when it can be), the memory of attested pairs, the word list's words of the same consonant
skeleton, the spellings of casual typing, English words by their sound; ranked in two passes
(:class:`WordSearch`, a part of :class:`~lipyantar.translit.learned.model.LearnedModel`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lipyantar.translit.learned.abbreviations import abbreviation_spellings
from lipyantar.translit.learned.charalign import normalize_roman
from lipyantar.translit.learned.english import CANDIDATES_MEMO_LIMIT, spell_letters
from lipyantar.translit.learned.langmodel import FAST, CharLM, WordLM
from lipyantar.translit.learned.origin import english_logprob
from lipyantar.translit.learned.variants import (
    _rules_word,
    _vowel_forms,
    _vowels_wanted,
    convention_variants,
    nasal_variants,
    roman_skeleton,
)

if TYPE_CHECKING:
    from lipyantar.translit.learned.codemix import CodeMix
    from lipyantar.translit.learned.english import EnglishModel
    from lipyantar.translit.learned.jointseq import JointModel
    from lipyantar.translit.learned.memory import Memory
    from lipyantar.translit.learned.noise import NoiseModel
    from lipyantar.translit.learned.params import DecodeParams, SearchSize

# lipyantar.translit.learned.names and .noise are roman → Devanagari's: imported where it uses them
# (Devanagari → roman, whose LearnedModel is a WordSearch too, does not pay for them)

__all__ = ["CACHE_BYTES", "MAX_ROMAN_CHARS", "WORD_CACHE_LIMIT", "WordSearch"]

#: Latin words longer than this get no Devanagari candidates (``lipyantar.translit.transliterate.MAX_WORD_CHARS``
#: keeps such tokens as they are before they reach the model)
MAX_ROMAN_CHARS = 64
#: roughly how much memory the per-word caches of one model may take (bytes): about CACHE_BYTES_PER_WORD
#: per distinct word converted (measured: 4.3 KB for a word in sentences, 6.4 KB as top-k candidates,
#: the Transliterator's memo included), so the caches of words hold CACHE_BYTES // CACHE_BYTES_PER_WORD
#: entries each and are emptied when full; the caches of candidates (several per word, a number each)
#: hold _CACHE_LIMIT
CACHE_BYTES = 256 << 20
CACHE_BYTES_PER_WORD = 8 << 10
WORD_CACHE_LIMIT = CACHE_BYTES // CACHE_BYTES_PER_WORD
_CACHE_LIMIT = 200_000
_VIRAMA = "\u094d"


@dataclass
class _Found:
    """The candidates of one Latin word while they are gathered and ranked (see LearnedModel._channel)."""

    roman: str
    size: SearchSize
    #: attested spellings of the word -> counts (the memory)
    attested: dict[str, float]
    #: candidate -> (joint log-probability with the input, char-LM log-probability)
    cands: dict[str, tuple[float, float]] = field(default_factory=dict)
    english: EnglishModel | None = None
    #: the English model's proposals -> their scores (empty: none, or not an English word)
    english_cands: dict[str, float] = field(default_factory=dict)
    #: the letter-by-letter reading, for short unattested words
    acronym: str | None = None
    #: the search's name (see DecodeParams.search_size)
    kind: str = "topk"


class WordSearch:
    """The per-word candidate search of a learned model (a base class of ``LearnedModel``, which holds
    the components and caches these methods use)."""

    joint: JointModel
    charlm: CharLM
    romanlm: CharLM
    wordlm: WordLM
    english: EnglishModel | None
    params: DecodeParams
    _sizes: dict[str, SearchSize]
    memory: Memory
    vocab_index: dict[str, tuple[str, ...]]
    _ctx_known: dict[str, bool]
    #: typed word -> whether it may be English in a sentence (see :meth:`_english_columns`)
    _english_maybe: dict[str, bool]
    _r2d_cache: dict[tuple[str, str], tuple[tuple[str, float], ...]]
    _marg_cache: dict[str, float]
    _uni_lp: dict[int, float]
    #: the casual-typing noise model of sentence decoding (None: the packaged one, read on first use)
    noise: NoiseModel | None = None
    #: ((noise model id, weights), the noise model, it weighted): see :meth:`_weighted_noise`
    _noise_memo: tuple[tuple[int, float, float], NoiseModel, NoiseModel] | None = None

    if TYPE_CHECKING:  # defined by LearnedModel

        def _vocab_words(self, key: str, kind: str = "topk") -> tuple[str, ...]: ...
        def _uses_word_list_index(self) -> bool: ...
        def _known(self, weight: float | None = None) -> Callable[[str], bool] | None: ...
        def _caps_acronym(self, word: str, roman: str) -> str | None: ...
        def _attested_belief(self, attested: Mapping[str, float], oov: float) -> Callable[[str], float]: ...
        def is_english(self, word: str, deva: str) -> bool: ...
        def token_decision(self) -> CodeMix: ...
        def _by_sound(self, roman: str) -> Callable[[str], float]: ...
        def romanize(self, word: str) -> str: ...
        def devanagarize(self, word: str) -> str: ...

    def _word_column(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """:meth:`_column` of a Latin word as typed: a word in capitals that the capitals rule reads
        letter by letter (``acronyms.caps``) has that reading alone; a capital letter alone also has its
        letter name, scored as the best candidate (``acronyms.initials``)."""
        roman = normalize_roman(word)
        acronym = self._caps_acronym(word, roman)
        if acronym is not None:
            return (acronym,), ((0.0, self.wordlm.ids.get(acronym, WordLM.UNK)),)
        column = self._column(roman)
        if len(word) == 1 and word.isupper() and word.isascii() and self.params.acronyms.initials:
            # a capital letter alone, an initial (B. S. Kris): its letter name competes as the best
            # candidate does, and the context decides (एस or स)
            letter = spell_letters(roman)
            devas, scored = column
            best = max(score for score, _ in scored)
            if letter in devas:
                i = devas.index(letter)
                return devas, (*scored[:i], (max(best, scored[i][0]), scored[i][1]), *scored[i + 1 :])
            if letter:
                return (*devas, letter), (*scored, (best, self.wordlm.ids.get(letter, WordLM.UNK)))
        if self.params.sentence.abbreviations:
            spellings = abbreviation_spellings(word)
            if spellings:
                return self._with_abbreviations(column, spellings)
        return column

    def _english_columns(
        self,
        words: Sequence[str],
        devas: list[tuple[str, ...]],
        scored: list[tuple[tuple[float, int], ...]],
        *,
        skip: Callable[[int], bool] = lambda i: False,
    ) -> None:
        """The English path in sentences (``sentence.english_path``), in place: each word of the sentence
        that the per-token decision reads, in context, as English or a name, among those that may be (an
        English pronunciation, and read so alone), also has the rule spellings of its pronunciations that
        the word n-gram model knows as candidates (:func:`pronunciation_spellings`: ``The`` द), scored as
        its best candidate, and each of
        its candidates gets ``sentence.english_path`` times how well it spells the word's English sound
        (:meth:`_by_sound`), as single words get ``english.w_path``. ``skip(i)``: a word not to change (a
        number, a given spelling)."""
        bonus = self.params.sentence.english_path
        english = self.english
        if bonus < 0 or english is None:
            return
        from lipyantar.translit.learned.names import pronunciation_spellings

        maybe = self._english_maybe
        decision = None
        at = []
        for i, word in enumerate(words):
            if skip(i):
                continue
            known = maybe.get(word)
            if known is None:
                roman = normalize_roman(word)
                known = bool(roman) and bool(english.pronunciations(roman))
                if known and not bonus:
                    # without the bonus, only a spelling to add can change the sentence
                    known = any(
                        deva not in devas[i] and self.wordlm.ids.get(deva) is not None
                        for deva in pronunciation_spellings(english, roman)
                    )
                if known:
                    decision = decision or self.token_decision()
                    gate = self.params.sentence.english_gate
                    known = decision.probabilities([word])[0] >= (gate if gate >= 0 else decision.weights.threshold)
                if len(maybe) > _CACHE_LIMIT:
                    maybe.clear()
                maybe[word] = known
            if known:
                at.append(i)
        if not at:
            return
        decision = decision or self.token_decision()
        probabilities = _windowed_probabilities(decision, words, at, self.params.sentence.english_window)
        ids, unk = self.wordlm.ids, WordLM.UNK
        for i in at:
            if probabilities[i] < decision.weights.threshold:
                continue
            roman = normalize_roman(words[i])
            column, scores = list(devas[i]), list(scored[i])
            best = max(score for score, _ in scores)
            for deva in pronunciation_spellings(english, roman):
                wid = ids.get(deva, unk)
                if wid != unk and deva not in column:
                    column.append(deva)
                    scores.append((best, wid))
            if bonus:
                by_sound = self._by_sound(roman)
                scores = [
                    (score + bonus * by_sound(deva), wid)
                    for deva, (score, wid) in zip(column, scores, strict=True)
                ]
            devas[i], scored[i] = tuple(column), tuple(scores)

    def _with_abbreviations(
        self, column: tuple[tuple[str, ...], tuple[tuple[float, int], ...]], spellings: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """``column`` with each abbreviation spelling (``Dr`` डॉ) as a candidate scored as its best
        candidate: the context decides (``sentence.abbreviations``)."""
        devas, scored = list(column[0]), list(column[1])
        best = max(score for score, _ in scored)
        for deva in spellings:
            if deva in devas:
                i = devas.index(deva)
                scored[i] = (max(best, scored[i][0]), scored[i][1])
            else:
                devas.append(deva)
                scored.append((best, self.wordlm.ids.get(deva, WordLM.UNK)))
        return tuple(devas), tuple(scored)

    def _column(self, roman: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """A word's candidates in sentence decoding: the Devanagari spellings, and for each its
        (score without context, word id)."""
        p = self.params
        word_id = self.wordlm.ids.get  # WordLM.word_id and WordLM.unigram, without a call each
        prior = self.wordlm.unigram_table().get
        unk = WordLM.UNK
        devas, scored = [], []
        sentence, casual = p.sentence, p.casual
        discount = sentence.pmi * sentence.w_ctx
        lm_unigram = self._lm_unigram
        w_prior, oov, w_vocab = sentence.w_prior, p.r2d.oov_logprob, sentence.w_vocab
        ctx_oov, w_ctx_prior = sentence.oov_logprob, sentence.w_oov_prior
        known = self._known(w_vocab)
        known_memo = self._ctx_known
        if len(known_memo) > _CACHE_LIMIT:
            known_memo.clear()
        found = self._channel(roman, sentence.words) if roman else ()
        inflected: tuple[str, ...] = ()
        english_lp = oov
        if p.english.context_spelling_penalty >= 0 and found and roman not in self.memory.r2d:
            from lipyantar.translit.learned.names import english_margin, name_scored, pronunciation_spellings

            inflected = self._inflected(roman)
            found = name_scored(
                roman,
                found,
                weight=0.0,
                penalty=-1.0,
                window=0.0,
                spellings=pronunciation_spellings(self.english, roman),
                spelling_penalty=p.english.context_spelling_penalty,
                spelling_margin=p.english.spelling_margin,
                inflected=inflected,
                inflection_penalty=p.english.inflection_penalty,
            )
            if inflected and english_margin(roman) > 0:
                # an English inflection is not an unknown Hindi word: its spelling's prior is the English
                # word's (do weeks ka month: वीक्स, not the context's विकास)
                english_lp = max(oov, english_logprob(roman))
        if not sentence.select_scored:
            found = found[: sentence.nbest]
        if (
            casual.noise_weight >= 0
            or casual.nasal_penalty >= 0
            or casual.vowel_penalty >= 0
            or casual.convention_penalty >= 0
        ) and found:
            found = self._with_casual_variants(roman, found)
        if (
            casual.skeleton_cands
            and found
            and (casual.skeleton_always or self.wordlm.ids.get(found[0][0], WordLM.UNK) == WordLM.UNK)
        ):
            found = self._with_skeleton_words(roman, found)
        for deva, channel in found:
            wid = word_id(deva, unk)
            lp = prior(deva)
            if lp is None:
                lp = english_lp if deva in inflected else oov
            extra = w_prior * lp
            if wid == unk:
                extra += ctx_oov + w_ctx_prior * lp
            if discount:
                extra -= discount * lm_unigram(wid)
            if known is not None:
                in_list = known_memo.get(deva)
                if in_list is None:
                    in_list = known_memo[deva] = known(deva)
                if in_list:
                    extra += w_vocab
            devas.append(deva)
            scored.append((channel + extra, wid))
        if sentence.attested_order and len(devas) > 1:
            attested = self.memory.r2d.get(roman)
            if attested:
                from lipyantar.translit.learned.names import attested_first

                ranked = attested_first(
                    [(-score, deva) for deva, (score, _) in zip(devas, scored, strict=True)],
                    attested,
                    self._attested_belief(attested, oov),
                )
                scored = [(-neg, wid) for (neg, _), (_, wid) in zip(ranked, scored, strict=True)]
        if sentence.select_scored and len(devas) > sentence.nbest:
            # the sentence.nbest best by their score without context (channel, prior, word list)
            keep = sorted(range(len(devas)), key=lambda i: -scored[i][0])[: sentence.nbest]
            devas = [devas[i] for i in keep]
            scored = [scored[i] for i in keep]
        return (tuple(devas), tuple(scored)) if devas else (("",), ((0.0, unk),))

    def _inflected(self, roman: str) -> tuple[str, ...]:
        """The spelling of ``roman`` as an English inflection of a shorter word
        (:func:`inflected_spellings`, the stem spelled by the single-word search); empty when
        ``english.inflection_penalty`` is off or the memory attests the word."""
        if self.params.english.inflection_penalty < 0 or roman in self.memory.r2d:
            return ()
        from lipyantar.translit.learned.names import inflected_spellings

        return inflected_spellings(self.english, roman, self.devanagarize)

    def _with_casual_variants(
        self, roman: str, found: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """``found`` with the casual-typing variants of its candidates that the n-gram model knows: their
        nasalized forms (:func:`nasal_variants`), each scored ``casual.nasal_penalty`` below its source,
        and their forms with the diphthongs (:func:`vowel_variants`), ``casual.vowel_penalty`` below it (or
        as ``found`` scores a variant, when that is higher); then the other conventions' spellings
        (:func:`convention_variants`) of every candidate so far within ``casual.convention_window`` of the
        best, ``casual.convention_penalty`` below it. A negative penalty turns its kind off."""
        p = self.params
        if p.casual.noise_weight >= 0:
            return self._with_noise_variants(roman, found)
        kinds: list[tuple[Callable[[str, str], tuple[str, ...]], str, float]] = []
        if p.casual.nasal_penalty >= 0 and roman and roman[-1] in "aeiouym":
            kinds.append((nasal_variants, roman, p.casual.nasal_penalty))
        wanted = _vowels_wanted(roman) if p.casual.vowel_penalty >= 0 else ""
        if wanted:
            kinds.append((_vowel_forms, wanted, p.casual.vowel_penalty))
        convention = p.casual.convention_penalty
        if not kinds and convention < 0:
            return found
        ids, unk = self.wordlm.ids, WordLM.UNK
        scores = dict(found)
        changed = False
        for deva, score in found:
            for variants, arg, penalty in kinds:
                for variant in variants(arg, deva):
                    if ids.get(variant, unk) != unk and scores.get(variant, -math.inf) < score - penalty:
                        scores[variant] = score - penalty
                        changed = True
        if convention >= 0:
            changed = self._add_conventions(scores) or changed
        return tuple(sorted(scores.items(), key=lambda item: -item[1])) if changed else found

    def _add_conventions(self, scores: dict[str, float]) -> bool:
        """Add to ``scores`` the other conventions' spellings (:func:`convention_variants`) that the
        n-gram model knows of every candidate within ``casual.convention_window`` of the best,
        ``casual.convention_penalty`` below it; whether any was added."""
        p = self.params
        ids, unk = self.wordlm.ids, WordLM.UNK
        convention = p.casual.convention_penalty
        # with convention_listed: also the word list's spellings, of candidates the n-gram model does not know
        listed = self._known(p.sentence.w_vocab) if p.casual.convention_listed else None
        changed = False
        floor = max(scores.values()) - p.casual.convention_window
        for deva, score in list(scores.items()):
            if score < floor:
                continue
            unknown = listed is not None and ids.get(deva, unk) == unk
            for variant in convention_variants(deva):
                if scores.get(variant, -math.inf) < score - convention and (
                    ids.get(variant, unk) != unk or (unknown and listed(variant))  # type: ignore[misc]
                ):
                    scores[variant] = score - convention
                    changed = True
        return changed

    def _with_noise_variants(
        self, roman: str, found: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """:meth:`_with_casual_variants` by the noise model: the spellings that the n-gram model knows
        whose casual typing each candidate's may be (:meth:`NoiseModel.variants`), scored as that
        candidate plus ``casual.noise_weight`` times the log-probability of the edits (or as ``found``
        scores a variant, when that is higher); then the other conventions' spellings, as there."""
        p = self.params
        noise = self._weighted_noise()
        ids, unk = self.wordlm.ids, WordLM.UNK
        scores = dict(found)
        changed = False
        if roman:
            for deva, score in found:
                # a nasal left out inside a word: only of a candidate the n-gram model does not know
                for variant, lp in noise.variants(roman, deva, inside=ids.get(deva, unk) == unk):
                    s = score + lp
                    if ids.get(variant, unk) != unk and scores.get(variant, -math.inf) < s:
                        scores[variant] = s
                        changed = True
        if p.casual.convention_penalty >= 0:
            changed = self._add_conventions(scores) or changed
        return tuple(sorted(scores.items(), key=lambda item: -item[1])) if changed else found

    def _weighted_noise(self) -> NoiseModel:
        """The noise model (:attr:`noise`, or the packaged one) with its log-probabilities times their
        weights (``casual.noise_weight``; the final-nasal edits ``casual.nasal_weight`` when that is not
        negative), made once per model and weights."""
        from lipyantar.translit.learned.noise import EDITS, load_noise

        p = self.params.casual
        noise = self.noise if self.noise is not None else load_noise()
        nasal = p.nasal_weight if p.nasal_weight >= 0 else p.noise_weight
        key = (id(noise), p.noise_weight, nasal)
        cached = self._noise_memo
        if cached is None or cached[0] != key:
            weights = dict.fromkeys(EDITS, p.noise_weight)
            weights["nasal_drop"] = weights["nasal_m"] = nasal
            cached = self._noise_memo = (key, noise, noise.weighted(weights))
        return cached[2]

    def _with_skeleton_words(
        self, roman: str, found: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """``found`` with up to ``casual.skeleton_cands`` n-gram vocabulary words of the input's consonant
        skeleton that it does not have, scored below its best candidate by ``casual.skeleton_penalty``
        plus ``casual.skeleton_dist`` per edit between the input and the word's romanization."""
        p = self.params
        ids, unk = self.wordlm.ids, WordLM.UNK
        have = {deva for deva, _ in found}
        words = [
            deva
            for deva in self._vocab_words(roman_skeleton(roman), "context")[: p.casual.skeleton_cands]
            if deva not in have and ids.get(deva, unk) != unk
        ]
        if not words or self.is_english(roman, found[0][0]):
            # (read as an English word: spelled as English spells it, not mistyped)
            return found
        from lipyantar.translit.metrics import edit_distance  # here: Devanagari → roman never needs it

        best = max(score for _, score in found)
        extra = []
        for deva in words:
            dist = edit_distance(roman, self.romanize(deva))
            if dist <= p.casual.skeleton_max_dist:
                extra.append((deva, best - p.casual.skeleton_penalty - p.casual.skeleton_dist * dist))
        return found + tuple(extra) if extra else found

    def _word_ranking(self, roman: str, kind: str) -> list[tuple[str, float]]:
        """All candidates of a normalized Latin word from the search ``kind`` with their single-word
        score (channel and unigram prior, as :meth:`devanagarize_topk` ranks them), best first."""
        p = self.params
        prior = self.wordlm.unigram_table().get
        w_word, oov, w_vocab, known = p.r2d.w_word, p.r2d.oov_logprob, p.r2d.w_vocab, self._known()
        ranked = []
        for deva, channel in self._channel(roman, kind):
            lp = prior(deva)
            s = channel + w_word * (lp if lp is not None else oov)
            if known is not None and known(deva):
                s += w_vocab
            ranked.append((-s, deva))
        ranked.sort()
        return [(deva, -neg) for neg, deva in ranked]

    def _lm_unigram(self, wid: int) -> float:
        """log P(wid) under the word n-gram model without context (memoized per word id)."""
        table = self._uni_lp
        lp = table.get(wid)
        if lp is None:
            lm = self.wordlm.lm
            compiled = lm.fast()
            lp = (compiled.step(lm.root, wid) if compiled is not None else lm.step(lm.root, wid))[0]
            table[wid] = lp
        return lp

    def _channel(self, roman: str, kind: str = "topk") -> tuple[tuple[str, float], ...]:
        """Candidates for a normalized Latin word with their context-free channel+spelling score,
        from the search ``kind`` (see :meth:`DecodeParams.search_size`), best first; memoized.

        Runs compiled (``lipyantar.translit.learned._fastlm.Channel``) when the extension is built, otherwise
        :meth:`_channel_python`; both give the same candidates, scores and order.

        A "word" longer than :data:`MAX_ROMAN_CHARS` gets no candidates (the search's time grows
        faster than its length; such a token is not a word)."""
        if len(roman) > MAX_ROMAN_CHARS:
            return ()
        key = (roman, kind)
        cached = self._r2d_cache.get(key)
        if cached is not None:
            return cached
        compiled = self._fast_channel
        if compiled is None:
            compiled = self._compiled_channel()
        # a tuple (of tuples of a string and a float): memoized, and never scanned again by the
        # garbage collector
        scored = compiled(roman, kind) if compiled else self._channel_python(roman, kind)
        if len(self._r2d_cache) > WORD_CACHE_LIMIT:
            self._r2d_cache.clear()
        self._r2d_cache[key] = scored
        return scored

    def _compiled_channel(self) -> Any:
        """The compiled channel over this model's current components (False when the extension is not
        built); kept until :meth:`clear_cache` (call it after replacing a component)."""
        channel: Any = False
        if FAST is not None and hasattr(FAST, "Channel"):
            english = self.english.compiled_parts() if self.english is not None else None
            decoders = (
                self.joint.compiled_decoder(False),
                self.joint.compiled_decoder(False, forced=True),
                self.joint.compiled_decoder(True),
            )
            charlm = self.charlm.lm.fast()
            if charlm is not None and None not in decoders and (self.english is None or english is not None):
                channel = FAST.Channel(
                    r2d=decoders[0],
                    forced=decoders[1],
                    d2r=decoders[2],
                    charlm=charlm,
                    char_ids=self.charlm.ids,
                    char_unk=self.charlm.lm.vocab_size,
                    char_start=self.charlm.lm.start,
                    prior=self.wordlm.unigram_table(),
                    vocab_index=self._vocab_words if self._uses_word_list_index() else self.vocab_index,
                    memory=self.memory.r2d.lookup,
                    marg_cache=self._marg_cache,
                    english=english,
                    params=self.params.channel_params(),
                    sizes=self.params.channel_sizes(),
                    skeleton=roman_skeleton,
                    rules_word=_rules_word,
                    spell_letters=spell_letters,
                    roman_logprob=self.romanlm.logprob,
                    marg_limit=_CACHE_LIMIT,
                    english_limit=CANDIDATES_MEMO_LIMIT,
                )
        self._fast_channel = channel
        return channel

    def _channel_python(self, roman: str, kind: str = "topk") -> tuple[tuple[str, float], ...]:
        """The pure-Python :meth:`_channel` without its memo (the reference of the compiled one)."""
        size = self._sizes[kind]
        raw = self.joint.decode(roman, to_roman=False, k=size.nbest, beam=size.beam, threshold=size.threshold)
        found = _Found(roman, size, self.memory.r2d.get(roman) or {}, kind=kind)
        self._gather(found, raw)
        staged = self._first_ranking(found)
        # the marginal term needs a search per candidate: only for the best few (two-stage reranking),
        # and the English model's proposals and the acronym reading, which are always scored in full
        top = staged[: size.marg_top]
        extra = found.english_cands.keys() | ({found.acronym} if found.acronym else set())
        if extra:
            top += [t for t in staged[size.marg_top :] if t[1] in extra]
        ranked = self._second_ranking(found, top)
        if not ranked:
            ranked = [(-s, d) for d, s in raw[:1]]
        ranked.sort()
        return tuple([(deva, -neg) for neg, deva in ranked])

    def _gather(self, found: _Found, raw: list[tuple[str, float]]) -> None:
        """Fill ``found.cands`` (Devanagari -> (joint score, char-LM score)): the well-formed search
        outputs, then vocabulary words of the same consonant skeleton, the English model's proposals,
        the acronym reading and the attested spellings (each scored by a forced search)."""
        p = self.params
        roman, cands, attested = found.roman, found.cands, found.attested
        for (d, s), char_lp in zip(raw, self.charlm.scores_if_wellformed([d for d, _ in raw]), strict=True):
            if char_lp is not None:
                cands[d] = (s, char_lp)
        size = found.size
        if size.vocab_cands and (self.vocab_index or self._uses_word_list_index()):
            words = self._vocab_words(roman_skeleton(roman), found.kind)
            vocab = [d for d in words[: size.vocab_cands] if d not in cands]
            self._add_forced(found, vocab, unspellable=None)
        # an English word, unless the memory knows it as the romanization of a Hindi word ("he", "main")
        if size.english_k and not attested and self.english is not None:
            found.english = self.english
            found.english_cands = self.english.candidates(roman, k=size.english_k, beam=p.english.beam)
            english = [d for d in found.english_cands if d not in cands]
            self._add_forced(found, english, unspellable=p.english.unspellable)
        if not attested and 0 < len(roman) <= size.acronym_max:
            found.acronym = spell_letters(roman)
            if found.acronym not in cands:
                self._add_forced(found, [found.acronym], unspellable=-5.0)
        if attested:
            scores = [s for s, _ in cands.values()]
            floor = min(scores, default=0.0)
            spelling = self.charlm.check_and_score
            gap = p.r2d.attested_gap
            if gap >= 0:
                top = max(scores, default=0.0)
                total = sum(attested.values())
            for deva, count in attested.items():
                old = cands.get(deva)
                if gap >= 0 and count > 0:
                    least = top - gap + math.log(count / total)
                    if old is None:
                        cands[deva] = (max(floor, least), spelling(deva)[1])
                    elif old[0] < least:
                        cands[deva] = (least, old[1])
                elif old is None:
                    cands[deva] = (floor, spelling(deva)[1])

    def _add_forced(self, found: _Found, devas: list[str], *, unspellable: float | None) -> None:
        """Add well-formed ``devas`` scored by a search forced to spell them from the input. One it
        cannot spell is dropped (``unspellable`` None) or gets the score of the worst candidate so far
        plus ``unspellable`` (a negative offset)."""
        if not devas:
            return
        p = self.params
        cands = found.cands
        floor = 0.0
        if unspellable is not None:
            floor = min((s for s, _ in cands.values()), default=0.0) + unspellable
        spellable = [
            (deva, char_lp)
            for deva, char_lp in zip(devas, self.charlm.scores_if_wellformed(devas), strict=True)
            if char_lp is not None
        ]
        forced = self.joint.forced_scores(
            found.roman, [deva for deva, _ in spellable], beam=p.r2d.forced_beam
        )
        for (deva, char_lp), score in zip(spellable, forced, strict=True):
            if score is not None:
                cands[deva] = (score, char_lp)
            elif unspellable is not None:
                cands[deva] = (floor, char_lp)

    def _first_ranking(self, found: _Found) -> list[tuple[float, str, float]]:
        """(negated score with the word prior, candidate, score without it), best first."""
        p = self.params
        prior = self.wordlm.unigram_table().get
        rules_first = p.r2d.stage1_rules and bool(p.r2d.w_rules_eq or p.r2d.w_rules_dist)
        r2d = p.r2d
        w_char, w_word, w_mem = r2d.w_char, r2d.w_word, r2d.w_mem
        oov, final_virama = r2d.oov_logprob, r2d.final_virama
        attested = found.attested
        staged = []
        for deva, (lp, char_lp) in found.cands.items():
            s = lp + w_char * char_lp
            if rules_first:
                s += self._rules_feature(deva, found.roman)
            if attested:
                c = attested.get(deva)
                if c:
                    s += w_mem * math.log1p(c)
            if deva.endswith(_VIRAMA):
                s -= final_virama
            u = prior(deva)
            staged.append((-(s + w_word * (u if u is not None else oov)), deva, s))
        staged.sort()
        return staged

    def _second_ranking(self, found: _Found, top: list[tuple[float, str, float]]) -> list[tuple[float, str]]:
        """The best candidates of the first ranking with the features that cost a search each, as
        (negated score, candidate)."""
        p = self.params
        roman, english, en_cands, acronym = found.roman, found.english, found.english_cands, found.acronym
        rules_later = not p.r2d.stage1_rules and bool(p.r2d.w_rules_eq or p.r2d.w_rules_dist)
        marginals = self._marginals([deva for _, deva, _ in top]) if p.r2d.w_marg else None
        spelled: set[str] = set()
        if en_cands and english is not None:
            others = [deva for _, deva, _ in top if deva not in en_cands]
            spelled = english.spellable(roman, others, beam=p.english.forced_beam)
        scored = []
        for rank, (_, deva, s) in enumerate(top):
            if rules_later and (rank < p.r2d.rules_top or deva in en_cands or deva == acronym):
                s += self._rules_feature(deva, roman)
            if marginals is not None:
                s -= p.r2d.w_marg * marginals[rank]
            if en_cands:
                if deva in en_cands:
                    s += p.english.w_english
                elif deva not in spelled:
                    s -= p.english.miss
            if deva == acronym:
                odd = -self.romanlm.logprob(tuple(roman)) / (len(roman) + 1)
                s += p.acronyms.w_acronym + p.acronyms.w_odd * odd
            scored.append((-s, deva))
        return scored

    def _rules_feature(self, deva: str, roman: str) -> float:
        """Agreement of the roman-rules romanization of ``deva`` with the input ``roman``."""
        p = self.params
        ruled = _rules_word(deva)
        if ruled == roman:
            return p.r2d.w_rules_eq
        from lipyantar.translit.metrics import edit_distance  # here: Devanagari → roman never needs it

        return -p.r2d.w_rules_dist * edit_distance(ruled, roman)

    def _marginals(self, devas: Sequence[str]) -> list[float]:
        """Approximate log P_joint(deva) of each word: the score of its best romanization (max
        for sum), memoized per word."""
        cache = self._marg_cache
        known = {d: m for d in devas if (m := cache.get(d)) is not None}
        missing = [d for d in dict.fromkeys(devas) if d not in known]
        if missing:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            scores = self.joint.best_scores(missing, beam=self.params.r2d.marg_beam)
            computed = dict(zip(missing, scores, strict=True))
            cache.update(computed)
            known.update(computed)
        return [known[d] for d in devas]


def _windowed_probabilities(decision: CodeMix, words: Sequence[str], at: Sequence[int], window: int) -> dict[int, float]:
    """The per-token decision's probabilities (English or a name) of the words ``at`` (ascending
    positions of ``words``), each read on the words at most ``window`` before and after it (the spans of
    overlapping windows read once; 0: the whole sentence): the decision looks at a word's neighbours, and
    a sentence's far words cost features that do not change it much."""
    n = len(words)
    if window <= 0:
        spans = [(0, n)]
    else:
        spans = []
        for i in at:
            lo, hi = max(0, i - window), min(n, i + window + 1)
            if spans and lo <= spans[-1][1]:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((lo, hi))
    out: dict[int, float] = {}
    for lo, hi in spans:
        part = words[lo:hi]
        after_number = [j > 0 and words[j - 1][:1].isdigit() for j in range(lo, hi)]
        probabilities = decision.probabilities(part, after_number=after_number)
        for i in at:
            if lo <= i < hi:
                out[i] = probabilities[i - lo]
    return out
