from __future__ import annotations

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.translit.batch import ConvertJob, convert_lines, format_line


@pytest.mark.parametrize(("fmt", "top_k"), [("text", 1), ("tsv", 1), ("jsonl", 2)])
def test_parallel_output_is_identical_to_serial(fmt: str, top_k: int, dev_sentences) -> None:
    lines = [native for native, _ in dev_sentences[:60]]
    job = ConvertJob("deva", "roman-rules", fmt=fmt, top_k=top_k)  # type: ignore[arg-type]
    serial = "".join(convert_lines(lines, job, jobs=1, chunk_lines=7))
    parallel = "".join(convert_lines(lines, job, jobs=2, chunk_lines=7))
    assert parallel == serial
    assert serial.count("\n") == len(lines)


def test_cli_jobs_flag_gives_identical_output(dev_sentences) -> None:
    text = "\n".join(native for native, _ in dev_sentences) * 6 + "\n"  # > one 2000-line chunk
    runner = CliRunner()
    one = runner.invoke(main, ["convert", "-f", "deva", "-t", "iast", "-j", "1"], input=text)
    two = runner.invoke(main, ["convert", "-f", "deva", "-t", "iast", "-j", "2"], input=text)
    assert one.exit_code == two.exit_code == 0
    assert one.output == two.output
    assert one.output.count("\n") == text.count("\n")


@pytest.mark.parametrize("kwargs", [{"fmt": "xml"}, {"top_k": 0}, {"fmt": "text", "top_k": 3}])
def test_job_validation(kwargs) -> None:
    with pytest.raises(ValueError):
        ConvertJob("deva", "iast", **kwargs)


def test_empty_input_yields_nothing() -> None:
    assert list(convert_lines([], ConvertJob("deva", "iast"), jobs=2)) == []


@pytest.mark.parametrize(("src", "dst", "fmt"), [("roman", "deva", "text"), ("roman", "deva", "tsv"), ("deva", "iast", "tsv")])
def test_chunks_convert_as_one_batch_with_the_same_output(src: str, dst: str, fmt: str, dev_sentences) -> None:
    """Single-best output converts each chunk as a batch (transliterate_many): the same records as
    converting the lines one by one."""
    lines = [roman if src == "roman" else native for native, roman in dev_sentences[:40]] + ["", "12 a.m."]
    job = ConvertJob(src, dst, fmt=fmt)  # type: ignore[arg-type]
    conv = job.build()
    expected = "".join(format_line(conv, line, fmt=fmt, top_k=1) for line in lines)  # type: ignore[arg-type]
    assert "".join(convert_lines(lines, job, chunk_lines=9, converter=job.build())) == expected


@pytest.mark.parametrize("parallel_after", [0.0, 1e-9, 60.0])
def test_workers_start_only_after_parallel_after_seconds(
    parallel_after: float, dev_sentences, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``parallel_after``, a short input is converted in this process (no pool is made), and the
    output is the same either way."""
    import concurrent.futures

    lines = [native for native, _ in dev_sentences[:60]]
    job = ConvertJob("deva", "roman-rules")
    serial = "".join(convert_lines(lines, job, jobs=1, chunk_lines=7))
    made = []
    real = concurrent.futures.ProcessPoolExecutor

    def pool(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    assert "".join(convert_lines(lines, job, jobs=2, chunk_lines=7, parallel_after=parallel_after)) == serial
    assert bool(made) == (parallel_after < 1)
