"""Reading corpus files: encodings, binary files, per-file errors, empty folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from lipyantar.corpora.loading import Document, LoadResult, Skipped, decode_bytes, load_corpus, read_document
from lipyantar.translit.errors import InputError

HINDI = "यह घर है।\nyah ghar hai.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (HINDI.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + HINDI.encode("utf-8"), "UTF-8 (BOM)"),
        (b"\xff\xfe" + HINDI.encode("utf-16-le"), "UTF-16LE"),
        (b"\xfe\xff" + HINDI.encode("utf-16-be"), "UTF-16BE"),
        (b"\xff\xfe\x00\x00" + HINDI.encode("utf-32-le"), "UTF-32LE"),
    ],
)
def test_supported_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.encoding == encoding
    assert doc.text == HINDI
    assert doc.source == str(path) and doc.name == "doc.txt"


def test_crlf_and_nukta_are_normalized(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("ज़रूर\r\nline two\r\n".encode())
    text = read_document(path).text
    assert text == "ज\u093cरूर\nline two\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("café déjà vu, naïve".encode("latin-1"), "probably Latin-1"),
        ("“smart quotes” – dash".encode("cp1252"), "probably Windows-1252"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image)"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "binary file (a PDF document)"),
        (b"PK\x03\x04\x14\x00", "binary file (a ZIP archive"),
        (b"\x00\x01\x02\x03\xfe\x00\x10\x00" * 20, "binary file (contains NUL bytes)"),
        ("hello world".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        (b"\x01\x02\x03\x04\x05\x06 text \x07\x08", "control characters"),
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\xff\xfe\x00\xd8", "not valid UTF-16LE"),  # BOM, then a lone surrogate
    ],
)
def test_bad_files_raise_named_input_errors(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert message in str(info.value)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)


def test_latin1_error_gives_the_byte_offset() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"abc \xe9t\xe9", source="x.txt")
    assert info.value.offset == 4
    assert "0xe9" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)


def test_load_corpus_skips_bad_files_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(HINDI, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("naïve".encode("latin-1"))
    (tmp_path / "c.bin").write_bytes(b"\x00\x01\x02" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_bytes(b"\xff\xfe" + "hello".encode("utf-16-le"))
    (tmp_path / ".hidden").write_text("ignored", encoding="utf-8")
    result = load_corpus([tmp_path, tmp_path / "a.txt", tmp_path / "missing.txt"])
    assert [Path(d.source).name for d in result.documents] == ["a.txt", "d.txt"]
    assert [(Path(s.source).name, s.reason.split(" ")[0]) for s in result.skipped] == [
        ("missing.txt", "no"),
        ("b.txt", "invalid"),
        ("c.bin", "binary"),
    ]
    summary = result.summary()
    assert "2 document(s) read, 3 skipped" in summary and "b.txt" in summary
    assert Skipped.from_dict(result.skipped[0].to_dict()) == result.skipped[0]
    assert result.skipped_jsonl().count("\n") == 3


def test_empty_directory(tmp_path: Path) -> None:
    result = load_corpus([tmp_path])
    assert result == LoadResult((), (), (str(tmp_path),))
    assert "empty directory" in result.summary()


def test_document_validation() -> None:
    with pytest.raises(ValueError):
        Document("", "text")
    with pytest.raises(ValueError):
        Skipped("x", "")



def _linked_corpus(tmp_path: Path) -> Path:
    """A corpus folder with links: to a file and a directory inside it, to a folder outside, a loop, a
    broken link; ``tmp_path/real`` links to the folder itself, ``outside/back`` back into it."""
    root = tmp_path / "corpus"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "deep.txt").write_text("deep\n")
    (root / "a" / "one.txt").write_text("one one\n")
    (root / "top.txt").write_text("top\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("far away\n")
    (outside / "back").symlink_to(root / "a")
    (root / "link-to-one.txt").symlink_to(root / "a" / "one.txt")
    (root / "link-to-b").symlink_to(root / "a" / "b")
    (root / "link-outside").symlink_to(outside)
    (root / "a" / "loop").symlink_to(root / "a")
    (root / "broken").symlink_to(root / "nothing")
    (tmp_path / "real").symlink_to(root)
    return root


# (inputs, follow_links, the files listed): each real file once, at the first path that reaches it (the
# listings of the walk that made each file's real path with os.path.realpath, checked on 518 orders of
# these inputs)
LINKED_LISTINGS = [
    (["real", "corpus", "corpus/a/one.txt"], False, ["real/a/b/deep.txt", "real/a/one.txt", "real/top.txt"]),
    (
        ["real", "corpus", "corpus/a/one.txt"],
        True,
        ["real/a/b/deep.txt", "real/a/one.txt", "real/link-outside/far.txt", "real/top.txt"],
    ),
    (["corpus/a/one.txt", "corpus"], False, ["corpus/a/one.txt", "corpus/a/b/deep.txt", "corpus/top.txt"]),
    (["corpus/link-to-b", "corpus"], False, ["corpus/link-to-b/deep.txt", "corpus/a/one.txt", "corpus/top.txt"]),
    (["outside", "real/a"], False, ["outside/far.txt", "real/a/b/deep.txt", "real/a/one.txt"]),
    (["corpus/link-to-one.txt", "outside"], True, ["corpus/link-to-one.txt", "outside/back/b/deep.txt", "outside/far.txt"]),
]


@pytest.mark.parametrize(("inputs", "follow_links", "expected"), LINKED_LISTINGS)
def test_listing_keeps_each_real_file_once_and_gives_its_size(
    tmp_path: Path, inputs: list[str], follow_links: bool, expected: list[str]
) -> None:
    from lipyantar.corpora.loading import list_files

    _linked_corpus(tmp_path)
    paths = [tmp_path / name for name in inputs]
    sizes: dict[str, int] = {}
    files, empty, skipped = list_files(paths, follow_links=follow_links, sizes=sizes)
    assert [str(p.relative_to(tmp_path)) for p in files] == expected
    assert empty == [] and all("link" in s.reason for s in skipped)
    assert sizes == {str(p): p.stat().st_size for p in files}
    assert list_files(paths, follow_links=follow_links)[0] == files  # the same without sizes
