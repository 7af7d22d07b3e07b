"""Sentence decoding in context, roman → Devanagari: each word's candidates (:class:`~lipyantar.translit.learned.search.WordSearch`)
chosen jointly with the word n-gram model by a beam search over its states (:class:`SentenceDecoder`, a
part of :class:`~lipyantar.translit.learned.model.LearnedModel`; compiled as ``_fastlm.viterbi``, the
pure-Python reference :func:`sentence_viterbi_python`)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from lipyantar.translit.budget import checkpoint
from lipyantar.translit.learned import search as _search
from lipyantar.translit.learned.charalign import normalize_roman
from lipyantar.translit.learned.langmodel import BOUNDARY, FAST, NUMBER, NgramLM, WordLM

if TYPE_CHECKING:
    from lipyantar.translit.learned.contextpairs import ContextPairs
    from lipyantar.translit.learned.params import DecodeParams

__all__ = ["SentenceDecoder", "sentence_viterbi_python"]


class SentenceDecoder:
    """The sentence decoder of a learned model (a base class of ``LearnedModel``, which holds the word
    model, the parameters and the cache of words' columns these methods use)."""

    params: DecodeParams
    wordlm: WordLM
    #: the confusable pairs' classifiers of ``sentence.w_pairs`` (None: the packaged table, read on
    #: first use)
    context_pairs: ContextPairs | None = None
    _col_cache: dict[str, tuple[tuple[str, ...], tuple[tuple[float, int], ...]]]

    if TYPE_CHECKING:  # defined by LearnedModel and WordSearch

        def devanagarize(self, word: str) -> str: ...
        def _word_column(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]: ...
        def _english_columns(
            self,
            words: Sequence[str],
            devas: list[tuple[str, ...]],
            scored: list[tuple[tuple[float, int], ...]],
            *,
            skip: Callable[[int], bool] = ...,
        ) -> None: ...

    def devanagarize_words(
        self, words: Sequence[str], *, fixed: Mapping[str, Sequence[tuple[str, float]]] | None = None
    ) -> list[str]:
        """Devanagari for the Latin words of one sentence, chosen jointly with a word n-gram model.

        Returns exactly one string per input word (empty-string input words give ``""``; a number, a word
        that starts with a digit, is given back as it is, and is context as the n-gram model's number
        token: ``san 1904 men`` सन् 1904 में). ``fixed``:
        words whose spellings are given (a user lexicon's, :mod:`lipyantar.translit.learned.lexicon`):
        ``word -> ((Devanagari, score), …)``, best first; such a word takes part in the sentence with
        these spellings only (scored so), and is not searched.
        """
        if not words:
            return []
        numbers = [i for i, word in enumerate(words) if word[:1].isdigit()]
        if numbers:
            return self._with_numbers(words, numbers, fixed)
        if len(words) == 1:
            # a one-word sentence has no context: its answer is the single-best answer
            given = fixed.get(words[0]) if fixed else None
            return [given[0][0] if given else self.devanagarize(words[0])]
        cache = self._col_cache
        devas: list[tuple[str, ...]] = []
        scored: list[tuple[tuple[float, int], ...]] = []
        if fixed:
            for word in words:
                given = fixed.get(word)
                column = self._given_column(given) if given else self._cached_column(word)
                devas.append(column[0])
                scored.append(column[1])
        else:
            for word in words:
                col = cache.get(word)
                if col is None:
                    col = self._word_column(word)
                    if len(cache) > _search.WORD_CACHE_LIMIT:
                        cache.clear()
                    cache[word] = col
                devas.append(col[0])
                scored.append(col[1])
        self._english_columns(
            words, devas, scored, skip=(lambda i: words[i] in fixed) if fixed else lambda i: False
        )
        return self._best_path(devas, scored)

    def _best_path(
        self, devas: Sequence[tuple[str, ...]], scored: Sequence[tuple[tuple[float, int], ...]]
    ) -> list[str]:
        """The candidates (one of each column of ``devas``) of the best path through the word n-gram
        model, the columns scored by ``scored`` ((score without context, word id) per candidate):
        compiled (``_fastlm.viterbi``) or :func:`sentence_viterbi_python`."""
        p = self.params
        lm = self.wordlm.lm
        compiled = lm.fast()
        if compiled is not None and FAST is not None:
            picks = FAST.viterbi(compiled, scored, lm.start, p.sentence.w_ctx, p.sentence.beam)
        else:
            picks = sentence_viterbi_python(lm, scored, w_ctx=p.sentence.w_ctx, beam=p.sentence.beam)
        out = [col[i] for col, i in zip(devas, picks, strict=True)]
        if p.sentence.w_pairs > 0 and len(out) > 1:
            again = self._pair_table().rescored(devas, scored, out, p.sentence.w_pairs)
            if again is not None:
                if compiled is not None and FAST is not None:
                    picks = FAST.viterbi(compiled, again, lm.start, p.sentence.w_ctx, p.sentence.beam)
                else:
                    picks = sentence_viterbi_python(lm, again, w_ctx=p.sentence.w_ctx, beam=p.sentence.beam)
                out = [col[i] for col, i in zip(devas, picks, strict=True)]
        return out

    def _pair_table(self) -> ContextPairs:
        """The confusable pairs' classifiers: :attr:`context_pairs`, or the packaged table."""
        from lipyantar.translit.learned.contextpairs import load_context_pairs

        return self.context_pairs if self.context_pairs is not None else load_context_pairs()

    def _with_numbers(
        self,
        words: Sequence[str],
        numbers: Sequence[int],
        fixed: Mapping[str, Sequence[tuple[str, float]]] | None,
    ) -> list[str]:
        """:meth:`devanagarize_words` of words among which are numbers (``words[i]`` for ``i`` in
        ``numbers``): each stays as it is, and takes part in the context as the n-gram model's number
        token (सन् before a year) when the model has one; otherwise the other words are decoded as if the
        numbers were not there."""
        number_id = self.wordlm.ids.get(NUMBER)
        out = list(words)
        is_number = set(numbers)
        if number_id is None or len(numbers) == len(words):
            rest = [i for i in range(len(words)) if i not in is_number]
            for i, deva in zip(
                rest, self.devanagarize_words([words[i] for i in rest], fixed=fixed), strict=True
            ):
                out[i] = deva
            return out
        scored: list[tuple[tuple[float, int], ...]] = []
        devas: list[tuple[str, ...]] = []
        number_column = ((0.0, number_id),)
        for i, word in enumerate(words):
            if i in is_number:
                devas.append((word,))
                scored.append(number_column)
                continue
            given = fixed.get(word) if fixed else None
            column = self._given_column(given) if given else self._cached_column(word)
            devas.append(column[0])
            scored.append(column[1])
        self._english_columns(
            words, devas, scored, skip=lambda i: i in is_number or (fixed is not None and words[i] in fixed)
        )
        return self._best_path(devas, scored)

    def _cached_column(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """:meth:`_word_column` of ``word``, memoized."""
        cache = self._col_cache
        col = cache.get(word)
        if col is None:
            col = self._word_column(word)
            if len(cache) > _search.WORD_CACHE_LIMIT:
                cache.clear()
            cache[word] = col
        return col

    def _given_column(
        self, given: Sequence[tuple[str, float]]
    ) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """The sentence decoder's column of a word whose spellings are given (``fixed``)."""
        ids, unk = self.wordlm.ids, WordLM.UNK
        return tuple(deva for deva, _ in given), tuple(
            (float(score), ids.get(deva, unk)) for deva, score in given
        )

    def devanagarize_sentences(
        self,
        sentences: Sequence[Sequence[str]],
        *,
        fixed: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    ) -> list[list[str]]:
        """:meth:`devanagarize_words` for many sentences (the same results, faster); ``fixed`` as there.

        The words not decoded before are decoded first, in sorted order: neighbouring spellings
        share the search's memoized steps, which makes a batch of running text about 10-20% faster
        than its sentences one at a time.
        """
        cache = self._col_cache
        new = {word for words in sentences for word in words if word not in cache and not word[:1].isdigit()}
        if fixed:
            new.difference_update(fixed)
        for word in sorted(new, key=normalize_roman):
            checkpoint()  # the time budget's turn (lipyantar.translit.budget)
            if len(cache) > _search.WORD_CACHE_LIMIT:
                cache.clear()
            cache[word] = self._word_column(word)
        return [self.devanagarize_words(words, fixed=fixed) for words in sentences]


def sentence_viterbi_python(
    lm: NgramLM, columns: Sequence[Sequence[tuple[float, int]]], *, w_ctx: float, beam: int
) -> list[int]:
    """Best candidate per column: (channel score, word id) columns under the word n-gram ``lm``.

    Beam search over LM states (at most ``beam`` per column, recombined per state); the pure-Python
    reference of ``lipyantar.translit.learned._fastlm.viterbi``.
    """
    hyps: dict[int, tuple[float, tuple[int, ...]]] = {lm.start: (0.0, ())}
    step = lm.step
    for col in columns:
        nxt: dict[int, tuple[float, tuple[int, ...]]] = {}
        for state, (score, hist) in hyps.items():
            for j, (channel, wid) in enumerate(col):
                lp, st = step(state, wid)
                s = score + channel + w_ctx * lp
                old = nxt.get(st)
                if old is None or s > old[0]:
                    nxt[st] = (s, (*hist, j))
        if not nxt:
            raise ValueError("every column needs at least one candidate")
        if len(nxt) > beam:
            nxt = dict(heapq.nlargest(beam, nxt.items(), key=lambda kv: kv[1][0]))
        hyps = nxt
    best = max(hyps.items(), key=lambda kv: kv[1][0] + w_ctx * step(kv[0], BOUNDARY)[0])
    return list(best[1][1])
