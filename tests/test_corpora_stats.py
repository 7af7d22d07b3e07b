"""Corpus statistics on tiny hand-made corpora with hand-computed numbers."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pytest

from lipyantar.corpora.loading import Document
from lipyantar.corpora.parallel import read_parallel
from lipyantar.corpora.stats import (
    CmiStats,
    CorpusStats,
    Distribution,
    DocumentCounts,
    StatsAccumulator,
    VariantEntry,
    VariantTable,
    corpus_stats,
    document_counts,
    parallel_stats,
)
from lipyantar.translit.errors import InputError

DEVA = "यह घर है। वह घर बड़ा है।\n\nमैं 2 किताबें पढ़ता हूँ।\n"
ROMAN = "yah ghar hai. Vah ghar bada hai.\n"


@pytest.fixture(scope="module")
def tiny() -> CorpusStats:
    return corpus_stats([Document("a.txt", DEVA), Document("b.txt", ROMAN)])


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("documents", 2),
        ("paragraphs", 3),  # two in a.txt (blank line), one in b.txt
        ("sentences", 5),  # 3 + 2
        ("tokens", 19),  # 3 + 4 + 5 (मैं 2 किताबें पढ़ता हूँ) + 3 + 4
        ("types", 15),  # यह घर है वह बड़ा मैं 2 किताबें पढ़ता हूँ + yah ghar hai vah bada (lower-cased)
        ("type_token_ratio", 15 / 19),
        ("english_share", 0.0),
    ],
)
def test_sizes(tiny: CorpusStats, attribute: str, expected: float) -> None:
    assert getattr(tiny, attribute) == pytest.approx(expected)


def test_sentence_lengths(tiny: CorpusStats) -> None:
    d = tiny.sentence_lengths
    assert (d.count, d.minimum, d.maximum, d.median) == (5, 3, 5, 4)
    assert d.mean == pytest.approx(3.8)  # (3 + 4 + 5 + 3 + 4) / 5
    assert d.stdev == pytest.approx(math.sqrt(2.8 / 5))  # squared deviations .64 .04 1.44 .64 .04
    assert d.histogram["1-5"] == 5 and sum(d.histogram.values()) == 5


def test_characters_and_languages(tiny: CorpusStats) -> None:
    chars = tiny.characters
    assert chars["digit"] == {"2": 1}
    assert chars["punctuation"] == {"।": 3, ".": 2}
    assert chars["Latin"]["a"] == 8 and chars["Latin"]["h"] == 6 and chars["Latin"]["V"] == 1
    assert sum(chars["Latin"].values()) == 24
    assert chars["Devanagari"]["घ"] == 2 and chars["Devanagari"]["\u0902"] == 2  # anusvara of मैं, किताबें
    assert tiny.languages == {"hi": 1, "hi-Latn": 1}
    assert tiny.token_languages["hi"] == 11  # the Devanagari words; "2" is univ
    assert tiny.token_languages["hi-Latn"] == 7
    assert tiny.romanized_tokens == {"hi-Latn": 7}
    assert tiny.cmi == CmiStats(utterances=2, mixed=0, mean=0.0, mixed_mean=0.0)


def test_english_share_and_cmi_of_mixed_romanized_text() -> None:
    text = (
        "main kal office nahi jaunga kyunki meri tabiyat theek nahi hai.\nyaar this movie was ekdum bakwas.\n"
    )
    stats = corpus_stats([Document("r.txt", text)], languages={"r.txt": "hi-Latn"})
    en = stats.romanized_tokens["en"]
    hi = stats.romanized_tokens["hi-Latn"]
    assert en + hi == 17
    assert stats.english_share == pytest.approx(en / 17)
    assert stats.cmi.utterances == 2 and stats.cmi.mixed >= 1
    assert stats.cmi.mixed_mean >= stats.cmi.mean > 0


PARALLEL = "यह घर है।\tyah ghar hai.\nवह घर है।\tvah ghar he.\nघर है\tghar hai\n\tonly roman\n"


def test_parallel_statistics(tmp_path: Path) -> None:
    path = tmp_path / "parallel.tsv"
    path.write_text(PARALLEL, encoding="utf-8")
    corpus = read_parallel(path)
    p = parallel_stats(corpus.beads)
    assert p.beads == 4
    assert p.bead_types == {"1-1": 3, "0-1": 1}
    ratios = [13 / 9, 12 / 9, 8 / 5]  # roman / Devanagari characters per bead with two sides
    assert p.length_ratio.count == 3
    assert p.length_ratio.mean == pytest.approx(sum(ratios) / 3)
    assert p.length_ratio.median == pytest.approx(13 / 9)
    table = {e.native: dict(e.variants) for e in p.variants.entries}
    assert table == {"है": {"hai": 2, "he": 1}, "घर": {"ghar": 3}, "यह": {"yah": 1}, "वह": {"vah": 1}}
    h = -(2 / 3 * math.log2(2 / 3) + 1 / 3 * math.log2(1 / 3))  # 0.9183 bits
    v = p.variants
    assert (v.words, v.tokens, v.ambiguous_words) == (4, 8, 1)  # है 3, घर 3, यह 1, वह 1
    assert v.entries[0].native == "घर" and v.entries[1].entropy == pytest.approx(h)
    assert v.mean_entropy == pytest.approx(h / 4)
    assert v.weighted_entropy == pytest.approx(h * 3 / 8)


def test_token_aligned_format_gives_gold_pairs(tmp_path: Path) -> None:
    path = tmp_path / "aligned.tsv"
    path.write_text("यह\tyah\nहै।\thai.\n</s>\t</s>\nहै\the\n</s>\t</s>\n", encoding="utf-8")
    corpus = read_parallel(path)
    assert len(corpus.beads) == 2
    assert corpus.word_pairs == (("यह", "yah"), ("है।", "hai."), ("है", "he"))
    p = parallel_stats(corpus.beads, word_pairs=corpus.word_pairs)
    assert {e.native: dict(e.variants) for e in p.variants.entries} == {
        "है": {"hai": 1, "he": 1},
        "यह": {"yah": 1},
    }
    assert p.variants.entries[0].entropy == pytest.approx(1.0)
    deva, roman = corpus.documents()
    assert deva.text == "यह है।\nहै" and roman.text == "yah hai.\nhe"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty parallel corpus"),
        ("a\tb\tc\td\n", "expected deva<TAB>roman"),
        ("a\tb\tx\n", "not a number"),
    ],
)
def test_bad_parallel_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_parallel(path)


@pytest.mark.parametrize(
    ("variants", "entropy"),
    [
        ((("hai", 5),), 0.0),
        ((("hai", 1), ("he", 1)), 1.0),
        ((("a", 1), ("b", 1), ("c", 1), ("d", 1)), 2.0),
        ((("hai", 3), ("he", 1)), -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))),
    ],
)
def test_variant_entropy(variants: tuple[tuple[str, int], ...], entropy: float) -> None:
    assert VariantEntry("है", variants).entropy == pytest.approx(entropy)


def test_variant_table_tsv_round_trip() -> None:
    table = VariantTable.from_pairs({("है", "hai"): 3, ("है", "he"): 1, ("घर", "ghar"): 2})
    text = table.to_tsv()
    assert text.splitlines() == ["है\thai\t3", "है\the\t1", "घर\tghar\t2"]
    assert VariantTable.from_tsv(text.splitlines()) == table
    with pytest.raises(InputError):
        VariantTable.from_tsv(["है\thai"])


def test_distribution_of_empty_and_round_trip() -> None:
    assert Distribution.of([]) == Distribution()
    d = Distribution.of([1, 2, 3, 10], buckets=(("1-5", 1, 5), ("6+", 6, 99)))
    assert d.histogram == {"1-5": 3, "6+": 1}
    assert Distribution.from_dict(d.to_dict()).median == 2.5


def test_outputs(tiny: CorpusStats) -> None:
    data = json.loads(tiny.to_json())
    assert data["tokens"] == 19 and data["romanized"]["cmi_mean"] == 0.0
    assert "parallel" not in data
    md = tiny.to_markdown()
    assert md.startswith("# Corpus statistics")
    assert "| tokens | 19 |" in md and "## Characters by script" in md


def test_json_round_trip(tiny: CorpusStats, tmp_path: Path) -> None:
    assert CorpusStats.from_dict(json.loads(tiny.to_json())).to_dict() == tiny.to_dict()
    path = tmp_path / "parallel.tsv"
    path.write_text(PARALLEL, encoding="utf-8")
    corpus = read_parallel(path)
    stats = corpus_stats(list(corpus.documents()), beads=corpus.beads)
    back = CorpusStats.from_dict(json.loads(stats.to_json()))
    assert back.to_dict() == stats.to_dict()
    assert back.parallel is not None and back.parallel.variants.words == 4
    with pytest.raises(InputError):
        CorpusStats.from_dict({"documents": 1})


def test_empty_corpus() -> None:
    stats = corpus_stats([])
    assert (stats.documents, stats.tokens, stats.type_token_ratio, stats.english_share) == (0, 0, 0.0, 0.0)


@pytest.mark.parametrize(
    "types",
    [frozenset(), frozenset({"घर"}), frozenset({"घर", "ghar", "the", "२०२४"}), frozenset({"a\nb", "c"}), frozenset({""})],
)
def test_document_counts_pickle_round_trip(types: frozenset[str]) -> None:
    counts = DocumentCounts("hi", 2, (3, 4), types, {"Devanagari": {"घ": 1}}, {"hi": 7}, {}, (0.5,))
    again = pickle.loads(pickle.dumps(counts, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == counts and again.types == types


def test_document_counts_of_a_document_survive_pickling() -> None:
    doc = Document("d.txt", "घर बड़ा है। The house is big.\n\nghar bada hai, kal aana.\n")
    counts = document_counts(doc, language="mixed")
    assert len(counts.types) > 5
    assert pickle.loads(pickle.dumps(counts)) == counts


_MERGE_DOCS = [
    Document("a.txt", DEVA),
    Document("b.txt", ROMAN),
    Document("c.txt", "kal main ghar jaunga, the meeting is at 5. Bahut accha!\n\nphir milenge.\n"),
    Document("d.txt", "घर बड़ा है। The house is big.\n\nghar bada hai, kal aana.\n"),
    Document("e.txt", "वह घर जाएगा। कल मिलेंगे।\n"),
]


@pytest.mark.parametrize(
    "groups", [[[0, 1, 2, 3, 4]], [[0], [1], [2], [3], [4]], [[3, 1], [], [4, 0, 2]], [[2, 4], [0, 1, 3]]]
)
def test_accumulators_merged_in_any_grouping_give_the_same_statistics(groups: list[list[int]]) -> None:
    """build's workers add up a batch's counts and send the sum (pickled): merged in any grouping and
    order, the statistics are those of the documents added one by one in document order."""
    languages = ["hi", "hi-Latn", "hi-Latn", "mixed", "hi"]
    counts = [document_counts(doc, language=lang) for doc, lang in zip(_MERGE_DOCS, languages, strict=True)]
    one = StatsAccumulator()
    for c in counts:
        one.add(c)
    merged = StatsAccumulator()
    for group in groups:
        part = StatsAccumulator()
        for k in group:
            part.add(counts[k])
        merged.merge(pickle.loads(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)))
    assert merged.result() == one.result()
    assert merged.result().to_json() == one.result().to_json() and one.result().documents == 5


@pytest.mark.parametrize("types", [set(), {"घर"}, {"घर", "ghar", "२०२४"}, {"a\nb", "c"}, {""}])
def test_stats_accumulator_pickle_round_trip(types: set[str]) -> None:
    acc = StatsAccumulator()
    acc.add(DocumentCounts("hi", 2, (3, 4), frozenset(types), {"Devanagari": {"घ": 1}}, {"hi": 7}, {}, (0.5,)))
    again = pickle.loads(pickle.dumps(acc, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.types == types and again.__dict__ == acc.__dict__ and again.result() == acc.result()
