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
