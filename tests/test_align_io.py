"""TSV / JSONL / Moses writers and readers of beads and word pairs (lipyantar.align.io)."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest

from lipyantar.align import Bead, WordLink, align_words
from lipyantar.align.io import (
    bead_from_dict,
    bead_to_dict,
    read_jsonl,
    read_tsv,
    read_word_pairs,
    write_jsonl,
    write_moses,
    write_tsv,
    write_word_pairs,
)
from lipyantar.translit.errors import InputError

BEADS = [
    Bead((0,), (0,), "यह पहला है।", "yah pahla hai.", 0.95),
    Bead(
        (1, 2),
        (1,),
        "दूसरा। तीसरा।",
        "dusra, tisra.",
        0.9,
        tuple(align_words("दूसरा। तीसरा।", "dusra, tisra.")),
    ),
    Bead((3,), (), "बचा हुआ।", "", 0.0),
    Bead((), (2,), "", "bacha hua.", 0.0),
    Bead((4,), (3, 4), "एक\tटैब", "ek tab", 0.5, (WordLink("एक", "ek", 1.0), WordLink("टैब", "tab", 0.8))),
]


def test_jsonl_round_trip() -> None:
    out = io.StringIO()
    assert write_jsonl(BEADS, out) == len(BEADS)
    lines = out.getvalue().splitlines()
    first = json.loads(lines[0])
    assert first == {
        "deva": [0],
        "roman": [0],
        "deva_text": "यह पहला है।",
        "roman_text": "yah pahla hai.",
        "score": 0.95,
    }
    assert "words" not in first
    assert json.loads(lines[4])["words"] == [["एक", "ek", 1.0], ["टैब", "tab", 0.8]]
    assert "\\u" not in out.getvalue()  # UTF-8, not escaped
    back = list(read_jsonl(out.getvalue().splitlines(keepends=True)))
    # word links keep text and score (positions are not part of the JSON contract)
    assert [(b.deva, b.roman, b.deva_text, b.roman_text, b.score) for b in back] == [
        (b.deva, b.roman, b.deva_text, b.roman_text, b.score) for b in BEADS
    ]
    assert [None if b.words is None else [(w.deva, w.roman, w.score) for w in b.words] for b in back] == [
        None if b.words is None else [(w.deva, w.roman, w.score) for w in b.words] for b in BEADS
    ]


def test_bead_dict_round_trip() -> None:
    for bead in BEADS:
        if bead.words is None:
            assert bead_from_dict(bead_to_dict(bead)) == bead


def test_tsv_round_trip() -> None:
    out = io.StringIO()
    assert write_tsv(BEADS, out) == len(BEADS)
    rows = out.getvalue().splitlines()
    assert rows[0] == "यह पहला है।\tyah pahla hai.\t0.95"
    assert rows[4] == "एक टैब\tek tab\t0.5"  # tab inside a text becomes a space
    assert all(len(r.split("\t")) == 3 for r in rows)
    back = list(read_tsv(io.StringIO(out.getvalue())))
    assert [(b.deva_text, b.roman_text, b.score) for b in back] == [
        (" ".join(b.deva_text.split()), b.roman_text, b.score) for b in BEADS
    ]
    # TSV has no sentence numbers: they are counted again, one per non-empty side
    assert [(b.deva, b.roman) for b in back] == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), ()),
        ((), (2,)),
        ((3,), (3,)),
    ]


def test_moses_writer() -> None:
    deva, roman = io.StringIO(), io.StringIO()
    assert write_moses(BEADS, deva, roman) == len(BEADS)
    assert deva.getvalue().splitlines() == ["यह पहला है।", "दूसरा। तीसरा।", "बचा हुआ।", "", "एक टैब"]
    assert roman.getvalue().splitlines() == ["yah pahla hai.", "dusra, tisra.", "", "bacha hua.", "ek tab"]


def test_word_pairs_round_trip() -> None:
    counts = Counter({("में", "main"): 3, ("है", "hai"): 5, ("में", "men"): 1})
    out = io.StringIO()
    assert write_word_pairs(counts, out) == 3
    assert out.getvalue().splitlines()[0] == "है\thai\t5"
    assert read_word_pairs(io.StringIO(out.getvalue())) == counts


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json\n", "invalid JSON"),
        ("[" * 100_000 + "\n", "invalid JSON: nested too deeply"),
        ('{"deva": [0], "roman": [0], "words": ' + "[" * 100_000 + "\n", "invalid JSON: nested too deeply"),
        ("[1, 2]\n", "JSON object"),
        ('{"deva": [0]}\n', "missing"),
        ('{"deva": [0], "roman": [0], "deva_text": "a", "roman_text": "b", "score": 7}\n', "bad bead"),
        ('{"deva": 0, "roman": [0], "deva_text": "a", "roman_text": "b", "score": 0.5}\n', "bad bead"),
        (
            '{"deva": [0], "roman": [0], "deva_text": "a", "roman_text": "b", "score": 0.5, "words": [["a"]]}\n',
            "bad bead",
        ),
    ],
)
def test_read_jsonl_errors(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        list(read_jsonl(["\n", text], source="beads.jsonl"))
    assert info.value.line == 2
    assert info.value.source == "beads.jsonl"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a\tb\n", "3 tab-separated"),
        ("a\tb\tx\n", "not a number"),
        ("a\tb\tnan\n", "not finite"),
        ("\t\t0.5\n", "bad"),
    ],
)
def test_read_tsv_errors(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        list(read_tsv([text]))


@pytest.mark.parametrize("text", ["a\tb\n", "a\tb\tx\n", "a\t\t3\n", "a\tb\t0\n"])
def test_read_word_pairs_errors(text: str) -> None:
    with pytest.raises(InputError):
        read_word_pairs([text])
