"""Train the per-word English/Hindi decision of ``lipyantar.translit.learned.codemix`` into
``translit/learned/data/codemix.json`` (what ``--english keep`` keeps in Latin script).

Training data: synthetic code-mixed sentences, made here (fixed seed) from

* **Hindi**: train-side native Wikipedia sentences (``scripts/data/dakshina-hi/hi.wiki-filt.valid.text.
  notest.nodev.txt.gz``: no dev sentence), each word romanized with a spelling drawn from the Dakshina
  *train* lexicon in proportion to its count (the default model's Devanagari → roman for words the
  lexicon lacks), then casual-typing noise: a final nasal left out (``mein`` → ``mei``/``me``, ``hain`` →
  ``hai``) and ai/au/ei/ee/oo/aa shortened (``hai`` → ``he``). A word whose romanization is an English
  word of the English lexicon is labelled English when its spelling is not the rule romanization of its
  Devanagari (``traffic`` for ट्रैफिक) or its Devanagari spells its English pronunciation (``alarm`` for
  अलार्म): a loanword typed in English spelling; it is left out of the loss otherwise (``band`` for
  बंद). Among the 1,000 most frequent native words such a spelling is Hindi (``the`` for थे, ``me`` for
  में, ``k`` for के) unless it is a loanword by both signs and has at least ``--loan-letters`` letters
  (``party`` for पार्टी, ``school`` for स्कूल, ``station`` for स्टेशन: frequent in Wikipedia, English when
  typed so; before this rule they were all labelled Hindi, which taught the model that a lone loanword
  among Hindi words is Hindi). The numbers of the sentences are kept as context (the word after one is
  marked: ``2 din``);
* **English**: words drawn from the English lexicon of ``translit/data/langid.tables`` (wordfreq's
  English list, CC BY-SA 4.0; by frequency^0.5; a one-word insertion skips the ``--function-rank`` most
  frequent words, since a lone English word inside Hindi is a content word) and runs of 2-8 words of the
  sentences of *Botchan* (``scripts/data/english/botchan.txt``, Project Gutenberg, public domain),
  inserted into the Hindi sentences (1-3 insertions, ``--singles`` of them one word; ``--slot`` of them
  just before one of the ``--function-words`` most frequent Hindi words, a postposition or auxiliary,
  where Hinglish puts an English noun or verb: ``Shimla me``, ``set karo``; a one-word insertion there
  takes the place of the Hindi word before it half the time; 15% of the sentences stay all Hindi), or a
  Botchan sentence with 1-2 runs of romanized Hindi inserted (20%);
* **how people write**: a name capitalized inside a sentence (``--names`` of the sentences: a Hindi word
  that is not among the 1,000 most frequent, capitalized and labelled a name; in the real queries of
  Hinglish-TOP's train split 929 of 952 words capitalized inside a sentence are English or names), an
  acronym of 2-4 random capitals (``--acronyms``), and a time, an ordinal or a unit after a number
  (``--numbers``: ``6:30 am``, ``5th``, ``10 km``; also that share of the one-word insertions gets a
  number before it: ``5 minutes``).

The two logistic stages are fitted by AdaGrad SGD (``codemix.fit_logistic``); the second stage's inputs use
first-stage probabilities from two-fold cross-fitting. How the decision threshold is chosen (``--choose``, :func:`choose_threshold`): on the Hinglish-TOP
**train** split only (``../shared/data/hinglish-top/train.tsv`` beside the repository; real queries, each
token labelled English when it occurs in the query's English original, the dataset README's heuristic).
The fitted model scores every query; for each threshold from 0.20 to 0.90 in steps of 0.01 the shares of
English words kept and of Hindi words converted are counted, and the threshold whose *worse* share of the
issue's error budgets is smallest is taken: the goals (94% kept, 98.5% Hindi) leave 6 points of English
errors and 1.5 of Hindi ones, so the figure minimized is ``max((1 - en) / 0.06, (1 - hi) / 0.015)``.
The README's labels are noisy on both sides (``me`` in "remind me" is labelled English where the query
has में; ``time``/``minute`` labelled Hindi when the English original words it otherwise), which puts a
floor under both shares; the criterion is the one the benchmark's figures are read with. The split's
validation half and the hand-written dev set are for measuring only (``scripts/bench_hinglish.py``);
nothing is chosen on them, and neither split is shipped or used to fit weights. The synthesis options
above were compared by the same criterion on the train split. Without that file the script stops (it
used to fall back to 0.5 silently, so a retrain from a tree unpacked elsewhere got 0.50); give
``--choose PATH`` or an explicit ``--threshold``.

The shipped weights: ``python scripts/train_codemix.py --sentences 24000 --loan-letters 5`` (every
train-side sentence: 14,710; on the train split, worse budget share 1.055 against 1.069 with
``--loan-letters 99``, i.e. without the loanword rule, and 1.093 for both without the light-verb feature).

The words of a train-side sentence that the Dakshina train lexicon lacks (about a fifth of the tokens) are
romanized by the default model with its English spellings of loanwords turned off (``d2r.loanwords``;
``--loan-spellings`` turns them on). That step came to the model after the shipped weights were fitted,
and with it a retrain no longer gives them: it spells 1.3% of the tokens of the first 2,000 sentences
otherwise, some of them Hindi words as English ones (थीं thing, पाँच punch, बाज़ार bizarre, अन्दर another,
beside right ones such as cricket), which the labelling then calls English; seeds 1-3 with it: worse
budget share 1.079-1.081 on the train split, against 1.055 and 1.059 for seeds 1 and 2 without it (seed 1
gives the shipped weights again, to the last rounding digit).

Variants compared on the train split by the same criterion (issue 27; the seed spread is large, 1.030-1.059
earlier): ``--stages 3``, a third stage over the second stage's decisions of the neighbours, was worse
with every seed (2 stages 1.079-1.081, 3 stages 1.093-1.100, fitted on the same data, loanword spellings
on); ``--homographs 0.3 --homograph-weight 0.5`` (a third of the one-word insertions are English words that
are the rule spelling of a Hindi word, band, car, sun, and such spellings typed for their Hindi word count
half in the loss) did not beat the seed spread: 1.059/1.054 (seeds 1, 2) against 1.055/1.059 without, and
with loanword spellings on 1.072-1.079 (seeds 1-3) against 1.079-1.081; ``--homographs 0.5
--homograph-weight 1`` was worse (1.105 against 1.081, seed 1, loanword spellings on).

Context features added in issue 27's r35 round (light and helper verbs after a word, a loanword next to an
English word, names next to short words, and for words of at most three letters whether their neighbours
are frequent English words or surely English content words; see ``codemix.CONTEXT_FEATURES``), compared
on the train split by the same criterion with the same synthetic data and fitting order (an experiment
harness refitting both stages, seeds 1 and 2 of the synthesis): worse budget share 1.0591 -> 1.0298 (seed
1) and 1.0591 -> 1.0250 (seed 2). Parts of it alone were within the seed spread: the light/helper verbs
and names alone 1.054-1.064 (seed 1), the neighbour-window terms for short words without the
function/content ones 1.0445 (seed 1) but 1.0659 (seed 2), the function/content terms alone 1.0442 (seed
1); ``--loan-letters 4`` was worse (1.0689 against 1.0591, seed 1). The shipped weights are this script's
run with the defaults (threshold 0.81 chosen on the train split: English kept 94.0%, Hindi 98.5% there).
Issue 27's r36 round (measured, not shipped; the code is commit 8a83d2a of branch r36-keep): the r35
terms for short words had cost the words after a number (Hinglish-TOP validation, English words after
a number kept 99.4% -> 97.5%, ``bench_hinglish.py --classes --baseline-rev b79713c``: ``9 am ko``, ``6
am ko``, ``10 am tak`` went to आम between Hindi words at p 0.79-0.86, under the threshold 0.81; the r35
fit also moved the threshold from 0.84 to 0.81). Two context terms let a word after a number follow its
neighbours less (``after_number_x_neighbours``, ``after_number_x_short``; in the train split's real
queries what follows a number is ``pm``, ``am``, ``th``, ``minutes`` as often as ``baje``, ``par``,
``ke``, ``ko``): on the train split, same synthetic data and fitting order, worse budget share 1.0298 ->
1.0054 (seed 1) and 1.0396 -> 1.0347 (seed 2). Every such fit (seeds 1-4) converted ``computer`` in the
README's ``mujhe office jaana hai aur computer chahiye`` (p 0.79-0.81 against thresholds 0.81-0.83); a
token term ``loan_shape`` (``sound_x_english`` for words of at least four letters, so that the short
Hindi words whose reading sounds like an English word, ki की, ka, se, no longer set the weight of
loanwords in their English spelling) keeps it (1.0103 and 1.0347). This script's run with both
(threshold 0.80, worse budget share 1.0096 on the train split) gave, against this tree in the same run:
Hinglish-TOP validation English kept 93.5 -> 94.1%, Hindi 98.5 -> 98.7% (English after a number 97.5 ->
94.5 and Hindi after a number 94.4 -> 98.4: ``minute`` after a number now went to मिनट, which the
labels count right where the English original says "minutes"), our dev set 90.6/99.6 -> 90.7/99.5 (its
English after a number 91.5 -> 80.9: minute, kilo, mile); but the word alone: ``care`` fell to p 0.75,
under the threshold (no English path: tests/test_alonepath.py), since the same decision sends single
words (and, since 88bd57a, words in sentences) to the English path. Not shipped for that; on top of
88bd57a it would also need Dakshina dev WER measured again. Dropped too: the length of the run of surely English words on each side of a word of
at most three letters (an English phrase after ``to``/``the`` against a lone noun before a
postposition): 1.0298 and 1.0494 alone (seeds 1, 2). In the train split's labels a loanword missing
from the English original counts as Hindi (alarm, time, minute, schedule are most of the Hindi side's
errors at the chosen threshold), so the criterion pays for keeping loanwords. Training the shipped weights on Hinglish-TOP's train split itself is not done: the dataset README allows
measuring and choosing parameters with it, not training the shipped model on it.

    python scripts/train_codemix.py [--sentences 24000] [-o translit/learned/data/codemix.json]
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scripts" / "data"
DEFAULT_OUTPUT = ROOT / "translit" / "learned" / "data" / "codemix.json"
DEFAULT_CHOOSE = ROOT.parent / "shared" / "data" / "hinglish-top" / "train.tsv"
_LATIN = regex.compile(r"\p{Latin}[\p{Latin}\p{M}]*(?:['’-]\p{Latin}[\p{Latin}\p{M}]*)*")
_NATIVE = regex.compile(r"(?P<word>[\p{Devanagari}--[।॥०-९]]+)|(?P<number>[0-9०-९]+)", flags=regex.V1)
_NUMBER_TOKEN = regex.compile(
    r"(?P<word>\p{Latin}[\p{Latin}\p{M}]*(?:['’-]\p{Latin}[\p{Latin}\p{M}]*)*)|(?P<number>[0-9]+)|(?P<gap>\s+)|."
)
#: what people type straight after a number ("6:30 am", "5th", "10 km"): English, kept
_AFTER_NUMBER = ("am", "pm", "th", "st", "nd", "rd", "km", "kg", "min", "hrs", "mins", "sec")
_SHORTEN = (("ai", "e"), ("au", "o"), ("ei", "e"), ("ee", "i"), ("oo", "u"), ("aa", "a"))

Token = tuple[str, str, float, bool]  # (word, "hi" or "en", loss weight, a number comes just before it)
Native = tuple[str, bool]  # (Devanagari word, a number comes just before it)


class Synthesizer:
    def __init__(
        self,
        model,  # the model that romanizes the Devanagari words the train lexicon lacks
        tables,
        rng: random.Random,
        *,
        nasal_drop: float,
        shorten: float,
        function_rank: int = 0,
        names: float = 0.0,
        acronyms: float = 0.0,
        numbers: float = 0.0,
        singles: float = 0.5,
        slot: float = 0.0,
        loan_letters: int = 5,
        homographs: float = 0.0,
        homograph_weight: float = 0.0,
    ) -> None:
        from lipyantar.translit.rules import romanize_word

        self.model, self.rng, self.rules = model, rng, romanize_word
        self.nasal_drop, self.shorten = nasal_drop, shorten
        self.names, self.acronyms, self.numbers, self.singles = names, acronyms, numbers, singles
        self.slot = slot
        self.lexicon: dict[str, list[tuple[str, int]]] = defaultdict(list)
        path = DATA / "dakshina-hi" / "hi.translit.sampled.train.tsv"
        for line in path.open(encoding="utf-8"):
            deva, roman, count = line.rstrip("\n").split("\t")
            self.lexicon[deva].append((roman, int(count)))
        self.english = tables.lexicon("en")
        words = sorted(self.english, key=lambda w: (-self.english[w], w))[:20000]
        self.english_words, self.english_weights = words, [self.english[w] ** 0.5 for w in words]
        # a single English word inside a Hindi sentence is a content word (a noun, a verb before karo, an
        # adjective), not one of the most frequent (function) words, which come inside English phrases
        self.single_words = words[function_rank:]
        self.single_weights = self.english_weights[function_rank:]
        text = (DATA / "english" / "botchan.txt").read_text(encoding="utf-8")
        self.english_sentences = [s for s in (_LATIN.findall(line) for line in text.splitlines()) if len(s) >= 3]
        self.common: set[str] = set()
        self.common_roman: set[str] = set()
        self.function: set[str] = set()
        self.function_at: list[int] = []
        self.mix = None
        self.loan_letters = loan_letters
        self.homographs, self.homograph_weight = homographs, homograph_weight
        self.homograph_words: list[str] = []
        self.homograph_weights: list[float] = []
        self._romanized: dict[str, str] = {}
        self._labels: dict[tuple[str, str], tuple[str, float]] = {}

    def romanize(self, deva: str) -> str:
        spellings = self.lexicon.get(deva)
        if spellings:
            romans, counts = zip(*spellings, strict=True)
            return self.rng.choices(romans, counts)[0]
        roman = self._romanized.get(deva)
        if roman is None:
            roman = self._romanized[deva] = self.model.romanize(deva)
        return roman

    def casual(self, deva: str, roman: str) -> str:
        rng = self.rng
        if deva[-1:] in "ंँ" and roman.endswith("n") and len(roman) > 2 and rng.random() < self.nasal_drop:
            roman = roman[:-1]
            if roman.endswith("ei") and rng.random() < 0.6:
                roman = roman[:-1]  # में: mein, mei, me
        if rng.random() < self.shorten:
            for long, short in _SHORTEN:
                if long in roman and rng.random() < 0.5:
                    roman = roman.replace(long, short)
        return roman

    def hindi(self, natives: list[Native]) -> list[Token]:
        out: list[Token] = []
        self.function_at = []  # where the most frequent words (postpositions, auxiliaries) are in ``out``
        for deva, number in natives:
            roman = self.romanize(deva)
            if not roman or not regex.fullmatch(r"[a-z]+", roman):
                continue
            roman = self.casual(deva, roman)
            if deva in self.function:
                self.function_at.append(len(out))
            label, weight = self.label(deva, roman)
            out.append((roman, label, weight, number))
        return out

    def label(self, deva: str, roman: str) -> tuple[str, float]:
        """The label and loss weight of a Hindi word typed as ``roman``. A spelling that is an English
        word is a loanword typed in English spelling (English) when it is not the rule romanization of
        the Devanagari (``traffic`` for ट्रैफिक) or the Devanagari spells its English pronunciation
        (``alarm`` for अलार्म); otherwise both readings are plausible and the word is left out of the
        loss (``band`` for बंद). Among the most common native words a spelling is Hindi (``the`` for थे,
        ``me`` for में, ``k`` for के) unless it is a loanword by both signs and not a short word
        (``party`` for पार्टी, ``school`` for स्कूल, ``station`` for स्टेशन: common in Wikipedia, and
        English when typed so)."""
        key = (deva, roman)
        found = self._labels.get(key)
        if found is None:
            if roman not in self.english:
                found = ("hi", 1.0)
            else:
                differs = self.rules(deva) != roman
                sound = self.mix.spelled_by_sound(roman, deva)
                if deva not in self.common:
                    found = ("en", 1.0) if differs or sound else ("hi", self.homograph_weight)
                else:
                    loan = differs and sound and len(roman) >= self.loan_letters
                    found = ("en", 1.0) if loan else ("hi", 1.0)
            self._labels[key] = found
        return found

    def find_homographs(self, hindi: Mapping[str, int], least: int) -> None:
        """The one-word insertions of ``--homographs``: English words (past the most frequent) that are
        also typed for a Hindi word, at least ``least`` times in the romanized-Hindi lexicon ``hindi``,
        whose Hindi reading is spelled so by rule (at most one edit away) but is not their English
        pronunciation (``band`` बंद, ``bus`` बस, ``sun`` सुन; not ``school`` स्कूल) and is not one of the
        ``--function-words`` most frequent Hindi words (``main`` मैं, ``par`` पर stay Hindi)."""
        from lipyantar.translit.metrics import edit_distance

        for word, weight in zip(self.single_words, self.single_weights, strict=True):
            if hindi.get(word, 0) < least:
                continue
            deva = self.mix.reading(word)
            if deva in self.function or edit_distance(word, self.rules(deva)) > 1:
                continue
            if not self.mix.spelled_by_sound(word, deva):
                self.homograph_words.append(word)
                self.homograph_weights.append(weight)

    def english_run(self) -> list[Token]:
        rng = self.rng
        if rng.random() < self.singles:
            if self.homograph_words and rng.random() < self.homographs:
                word = rng.choices(self.homograph_words, self.homograph_weights)[0]
            else:
                word = rng.choices(self.single_words, self.single_weights)[0]
            return [(word, "en", 1.0, rng.random() < self.numbers)]  # "5 minutes", "2 tickets"
        sentence = rng.choice(self.english_sentences)
        n = rng.randint(2, min(8, len(sentence)))
        i = rng.randint(0, len(sentence) - n)
        return [(w, "en", 1.0, False) for w in sentence[i : i + n]]

    def writing(self, tokens: list[Token], natives: set[int]) -> list[Token]:
        """How people write names and numbers: a name capitalized inside the sentence (a Hindi word that
        is not among the most common, capitalized and labelled as a name: in real queries a capital
        inside a sentence marks a name or an English word), an acronym in capitals, a time or an
        ordinal after a number ("6:30 am", "5th")."""
        rng = self.rng
        if rng.random() < self.names:
            inside = [i for i in natives if i > 0 and tokens[i][0] not in self.common_roman]
            if inside:
                i = rng.choice(inside)
                word, _, _, number = tokens[i]
                tokens[i] = (word[:1].upper() + word[1:], "en", 1.0, number)
        if rng.random() < self.acronyms:
            letters = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWY") for _ in range(rng.randint(2, 4)))
            tokens.insert(rng.randint(0, len(tokens)), (letters, "en", 1.0, False))
        if rng.random() < self.numbers:
            tokens.insert(rng.randint(0, len(tokens)), (rng.choice(_AFTER_NUMBER), "en", 1.0, True))
        return tokens

    def sentence(self, natives: list[Native]) -> list[Token]:
        rng = self.rng
        u = rng.random()
        if u < 0.15:
            tokens = self.hindi(natives)
        elif u < 0.8:
            # English words fill the slots of Hindi content words: mostly just before a postposition or
            # auxiliary ("Shimla me", "set karo"), one word often in place of the Hindi word there
            tokens = self.hindi(natives)
            slots = self.function_at
            places = [
                rng.choice(slots) if slots and rng.random() < self.slot else rng.randint(0, len(tokens))
                for _ in range(rng.randint(1, 3))
            ]
            for i in sorted(places, reverse=True):
                run = self.english_run()
                replace = len(run) == 1 and i > 0 and i - 1 not in slots and tokens[i - 1][1] == "hi"
                if replace and rng.random() < 0.5:
                    tokens[i - 1 : i] = run
                else:
                    tokens[i:i] = run
        else:
            tokens = [(w, "en", 1.0, False) for w in rng.choice(self.english_sentences)]
            hindi = self.hindi(natives)
            for _ in range(rng.randint(1, 2)):
                if not hindi:
                    break
                n = rng.randint(1, min(3, len(hindi)))
                j = rng.randint(0, len(hindi) - n)
                i = rng.randint(0, len(tokens))
                tokens[i:i] = hindi[j : j + n]
        if tokens:
            tokens = self.writing(tokens, {i for i, t in enumerate(tokens) if t[1] == "hi" and t[2]})
        if tokens and rng.random() < 0.5:
            word, label, weight, number = tokens[0]
            tokens[0] = (word[:1].upper() + word[1:], label, weight, number)
        return tokens


def spelling_model(model, *, loan_spellings: bool):  # type: ignore[no-untyped-def]
    """The model that romanizes the train-side words the Dakshina train lexicon lacks: ``model`` with its
    English spellings of loanwords off unless ``loan_spellings`` (see the module docstring; the features
    always read ``model`` itself)."""
    return model if loan_spellings else model.with_params({"d2r.loanwords": False})


def words_after_number(text: str) -> tuple[list[str], list[bool]]:
    """The Latin words of a text and, for each, whether a number comes just before it."""
    words: list[str] = []
    flags: list[bool] = []
    number = False
    for m in _NUMBER_TOKEN.finditer(text):
        if m.lastgroup == "word":
            words.append(m.group())
            flags.append(number)
        if m.lastgroup != "gap":
            number = m.lastgroup == "number"
    return words, flags


def read_choose(path: Path) -> list[tuple[list[str], list[bool], list[bool]]]:
    """(words, whether each follows a number, whether each is English by the README's heuristic)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        english = {w.lower() for w in _LATIN.findall(fields[0])}
        words, numbers = words_after_number(fields[1])
        if words:
            rows.append((words, numbers, [w.lower() in english for w in words]))
    return rows


def budget_share(en: float, hi: float) -> float:
    """The worse share of the issue's error budgets used by English words kept ``en`` and Hindi words
    converted ``hi`` (fractions): 6 points of English errors, 1.5 of Hindi ones."""
    return max((1 - en) / 0.06, (1 - hi) / 0.015)


def choose_threshold(scored: list[tuple[list[float], list[bool]]], *, quiet: bool = False) -> tuple[float, float, float]:
    """The decision threshold (0.20 to 0.90 in steps of 0.01) for real queries ``scored`` as (each word's
    probability of not being Hindi, whether it is English), and the shares of English words kept and
    Hindi words converted there. The issue's goals (94% kept, 98.5% Hindi) leave error budgets of 6
    points of English words and 1.5 of Hindi words; the threshold is the one whose worse budget share
    is smallest (the first of equals), so that neither side is bought with the other."""
    best: tuple[float, float, float, float] | None = None
    for t in [x / 100 for x in range(20, 91)]:
        hits: Counter[bool] = Counter()
        totals: Counter[bool] = Counter()
        for probs, gold in scored:
            for p, is_en in zip(probs, gold, strict=True):
                totals[is_en] += 1
                hits[is_en] += (p >= t) == is_en
        en, hi = hits[True] / max(totals[True], 1), hits[False] / max(totals[False], 1)
        if round(100 * t) % 5 == 0 and not quiet:
            print(f"  threshold {t:.2f}: English kept {100 * en:.1f}%, Hindi {100 * hi:.1f}%")
        used = budget_share(en, hi)
        if best is None or used < best[0] - 1e-12:
            best = (used, t, en, hi)
    assert best is not None
    return best[1], best[2], best[3]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=24000, help="synthetic sentences, at most one per train-side sentence (default 24000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nasal-drop", type=float, default=0.7, help="share of final nasals left out")
    ap.add_argument("--shorten", type=float, default=0.4, help="share of words with vowels shortened")
    ap.add_argument("--function-rank", type=int, default=150, help="one-word insertions skip the N most frequent words")
    ap.add_argument("--singles", type=float, default=0.85, help="share of English insertions that are one word")
    ap.add_argument("--slot", type=float, default=0.8, help="share of insertions before a frequent Hindi word")
    ap.add_argument("--function-words", type=int, default=100, help="the frequent Hindi words of --slot")
    ap.add_argument("--names", type=float, default=0.3, help="share of sentences with a name capitalized inside")
    ap.add_argument("--acronyms", type=float, default=0.1, help="share of sentences with an acronym in capitals")
    ap.add_argument("--numbers", type=float, default=0.15, help="share with a time/ordinal after a number")
    ap.add_argument("--loan-letters", type=int, default=5, help="a common native word's English spelling of at least N letters that is a loanword by both signs is English")
    ap.add_argument("--choose", type=Path, default=DEFAULT_CHOOSE, help="Hinglish-TOP train.tsv: real queries to choose the threshold on")
    ap.add_argument("--threshold", type=float, help="use this threshold instead of choosing one (--choose is then not read)")
    ap.add_argument("--homographs", type=float, default=0.0, help="share of one-word English insertions that are homographs of native Hindi words (band, bus, pay)")
    ap.add_argument("--homograph-weight", type=float, default=0.0, help="loss weight of such a spelling typed for its Hindi word (default 0: left out)")
    ap.add_argument("--loan-spellings", action="store_true", help="romanize the words the train lexicon lacks with the English spellings of loanwords (d2r.loanwords on; off by default, see above)")
    ap.add_argument("--stages", type=int, choices=(2, 3), default=2, help="3: a third stage over the second stage's decisions of the neighbours")
    ap.add_argument("--compare", action="store_true", help="print the worse budget share on --choose of 2 and 3 stages fitted on the same data")
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)
    if args.threshold is None and not args.choose.is_file():
        # never fall back silently to 0.5: a retrain outside the usual layout once shipped that threshold
        ap.error(f"no Hinglish-TOP train split at {args.choose} to choose the threshold on: give --choose PATH or --threshold T")

    from lipyantar.translit.learned import codemix
    from lipyantar.translit.learned.model import default_model
    from lipyantar.translit.wordlang import load_tables

    start = time.perf_counter()
    rng = random.Random(args.seed)
    model, tables = default_model(), load_tables()
    synth = Synthesizer(
        spelling_model(model, loan_spellings=args.loan_spellings),
        tables,
        rng,
        nasal_drop=args.nasal_drop,
        shorten=args.shorten,
        function_rank=args.function_rank,
        names=args.names,
        acronyms=args.acronyms,
        numbers=args.numbers,
        singles=args.singles,
        slot=args.slot,
        loan_letters=args.loan_letters,
        homographs=args.homographs,
        homograph_weight=args.homograph_weight,
    )
    natives: list[list[tuple[str, bool]]] = []
    frequency: Counter[str] = Counter()
    with gzip.open(DATA / "dakshina-hi" / "hi.wiki-filt.valid.text.notest.nodev.txt.gz", "rt", encoding="utf-8") as f:
        for line in f:
            words: list[tuple[str, bool]] = []
            number = False
            for m in _NATIVE.finditer(line):
                if m.lastgroup == "number":
                    number = True
                else:
                    words.append((m.group(), number))
                    number = False
            if words:
                natives.append(words)
                frequency.update(w for w, _ in words)
    synth.common = {w for w, _ in frequency.most_common(1000)}
    synth.function = {w for w, _ in frequency.most_common(args.function_words)}
    synth.common_roman = {r for w in synth.common for r, _ in synth.lexicon.get(w, ())}
    placeholder = codemix.CodeMixWeights((0.0,) * len(codemix.TOKEN_FEATURES), (0.0,) * len(codemix.CONTEXT_FEATURES))
    mix = synth.mix = codemix.CodeMix(model, placeholder, tables)
    if args.homographs:
        synth.find_homographs(tables.lexicon("hi-Latn"), 1000)
        print(f"{len(synth.homograph_words)} homographs: {' '.join(synth.homograph_words[:40])} ...")
    rng.shuffle(natives)
    data = [s for s in (synth.sentence(words) for words in natives[: args.sentences]) if s]
    token = [mix.token_features([t[0] for t in s]) for s in data]
    labels = [[1.0 if t[1] != "hi" else 0.0 for t in s] for s in data]
    weights = [[t[2] for t in s] for s in data]

    def fit(index: range | list[int], rows_of) -> list[float]:
        rows = [x for k in index for x in rows_of(k)]
        return codemix.fit_logistic(
            rows,
            [y for k in index for y in labels[k]],
            [w for k in index for w in weights[k]],
            shuffle=rng.shuffle,
        )

    half = len(data) // 2
    fold_a = fit(range(half), lambda k: token[k])
    fold_b = fit(range(half, len(data)), lambda k: token[k])
    w_token = fit(range(len(data)), lambda k: token[k])
    first = [[codemix._sigmoid(codemix._dot(fold_b if k < half else fold_a, x)) for x in token[k]] for k in range(len(data))]
    context = [
        mix.context_features([t[0] for t in data[k]], token[k], first[k], [t[3] for t in data[k]])
        for k in range(len(data))
    ]
    w_context = fit(range(len(data)), lambda k: context[k])
    w_refine: list[float] = []
    if args.stages == 3 or args.compare:
        # the third stage sees the second stage's probabilities of the neighbours, cross-fitted as the
        # first stage's are for the second
        ctx_a = fit(range(half), lambda k: context[k])
        ctx_b = fit(range(half, len(data)), lambda k: context[k])
        second = [
            [codemix._sigmoid(codemix._dot(ctx_b if k < half else ctx_a, x)) for x in context[k]] for k in range(len(data))
        ]
        again = [
            mix.context_features([t[0] for t in data[k]], token[k], second[k], [t[3] for t in data[k]])
            for k in range(len(data))
        ]
        w_refine = fit(range(len(data)), lambda k: again[k])
    tokens = sum(len(s) for s in data)
    print(f"fitted on {len(data)} synthetic sentences, {tokens} tokens ({time.perf_counter() - start:.0f} s)")
    variants = {2: codemix.CodeMixWeights(tuple(w_token), tuple(w_context))}
    if w_refine:
        variants[3] = codemix.CodeMixWeights(tuple(w_token), tuple(w_context), refine=tuple(w_refine))
    if args.compare:
        rows = read_choose(args.choose)
        for stages, weights in variants.items():
            mix = codemix.CodeMix(model, weights, tables)
            scored = [(mix.probabilities(words, after_number=numbers), gold) for words, numbers, gold in rows]
            t, en, hi = choose_threshold(scored, quiet=True)
            print(f"compare seed {args.seed} stages {stages}: threshold {t:.2f}, English kept {100 * en:.2f}%, "
                  f"Hindi {100 * hi:.2f}%, worse budget share {budget_share(en, hi):.4f}")
    trained = variants[args.stages]

    if args.threshold is not None:
        threshold, chosen_on = args.threshold, "given (--threshold)"
    else:
        mix = codemix.CodeMix(model, trained, tables)
        scored = [
            (mix.probabilities(words, after_number=numbers), gold) for words, numbers, gold in read_choose(args.choose)
        ]
        threshold, en, hi = choose_threshold(scored)
        chosen_on = (
            f"{args.choose.name} of Hinglish-TOP ({len(scored)} queries, README's token labels): the least worst "
            f"share of the error budgets (6 points English, 1.5 Hindi); there English kept {100 * en:.1f}%, "
            f"Hindi {100 * hi:.1f}%"
        )
        print(f"chosen: {chosen_on}")
    result = codemix.CodeMixWeights(
        tuple(round(w, 6) for w in w_token),
        tuple(round(w, 6) for w in w_context),
        threshold,
        {
            "stages": args.stages,
            "sentences": len(data),
            "tokens": tokens,
            "seed": args.seed,
            "nasal_drop": args.nasal_drop,
            "shorten": args.shorten,
            "function_rank": args.function_rank,
            "names": args.names,
            "acronyms": args.acronyms,
            "numbers": args.numbers,
            "singles": args.singles,
            "slot": args.slot,
            "function_words": args.function_words,
            "loan_letters": args.loan_letters,
            "homographs": args.homographs,
            "homograph_weight": args.homograph_weight,
            "loan_spellings": args.loan_spellings,
            "threshold_chosen_on": chosen_on,
            "sources": "Dakshina train lexicon and train-side Wikipedia sentences (CC BY-SA 4.0); wordfreq English "
            "list via translit/data/langid.tables (CC BY-SA 4.0); Botchan, Project Gutenberg #8868 (public domain)",
        },
        tuple(round(w, 6) for w in trained.refine),
    )
    args.output.write_text(result.to_json() + "\n", encoding="utf-8")
    print(f"threshold {threshold:.2f}; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
