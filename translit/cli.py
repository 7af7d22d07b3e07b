"""The converter's commands (``lipyantar convert``, ``lipyantar schemes``) and :func:`run_cli_errors`, the
error handling every command of the ``lipyantar`` command line shares (the root group is
:mod:`lipyantar.cli`).

Every command is a Unix filter where that makes sense: it reads the named files (stdin when none, or
``-``), writes stdout (or ``-o FILE``, written atomically), logs and warnings go to stderr. Errors are
one line on stderr (``lipyantar: error: …``) with a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from .autodetect import AUTO, detect_scheme
from .batch import ConvertJob, convert_lines, default_jobs
from .errors import LipyantarError, UnknownSchemeError, clip_message
from .options import InputPath, format_option, jobs_option, model_files, model_option, note, output_option
from .outputs import check_output, open_output
from .progress import progress_bar, progress_option, show_progress
from .schemes import SCHEMES, Scheme, canonical_name, scheme_names
from .signals import Terminated, exit_process, handle_termination
from .textio import STDIN, is_regular_file, read_inputs
from .transliterate import MAX_TOP_K

__all__ = ["SchemeChoice", "convert_command", "run_cli_errors", "schemes_command"]

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

def _reserve_standard_fds() -> None:
    """Open /dev/null on standard descriptors that are closed (``>&-``), so that no file this process
    opens later gets descriptor 0, 1 or 2 and receives stray output. Python has already set the
    matching ``sys.stdin``/``sys.stdout``/``sys.stderr`` to None, which :func:`lipyantar.translit.outputs.open_output`
    reports as a clean error."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)


#: the distribution that installs an imported top-level module, where the two names differ (lipyantar's
#: dependencies and extras)
_DISTRIBUTIONS = {"indic_transliteration": "indic-transliteration", "marisa_trie": "marisa-trie"}


def run_cli_errors(func: F) -> F:
    """Decorator for command callbacks: LipyantarError → one line on stderr + its exit code; a closed
    stdout (``| head``) ends quietly; SIGINT, SIGTERM and SIGHUP stop the command cleanly (temporary
    files and worker processes removed) with exit status 128 + the signal number."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _reserve_standard_fds()
        try:
            with handle_termination():
                return func(*args, **kwargs)
        except LipyantarError as exc:
            click.echo(f"lipyantar: error: {clip_message(str(exc))}", err=True)
            exit_process(exc.exit_code)
        except BrokenPipeError:
            # the reader went away (`lipyantar convert … | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            exit_process(0)
        except Terminated as exc:
            click.echo(f"lipyantar: terminated ({exc.name})", err=True)
            exit_process(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("lipyantar: interrupted", err=True)
            exit_process(130)
        except OSError as exc:
            message = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            click.echo(f"lipyantar: error: {clip_message(message)}", err=True)
            exit_process(1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            if not top or top == "lipyantar":  # lipyantar's own module: a broken install, i.e. a bug
                log.debug("internal error", exc_info=True)
                click.echo(f"lipyantar: internal error: {type(exc).__name__}: {exc} (run with -vv for details)", err=True)
                exit_process(70)
            package = _DISTRIBUTIONS.get(top, top)
            click.echo(
                f"lipyantar: error: the Python package {package!r} is not installed (lipyantar needs it here); "
                f"install it with `pip install {package}`, or reinstall lipyantar with its dependencies",
                err=True,
            )
            exit_process(69)
        except Exception as exc:  # a bug: say so in one line; the traceback only with -vv
            log.debug("internal error", exc_info=True)
            click.echo(
                f"lipyantar: internal error: {type(exc).__name__}: {clip_message(str(exc))} "
                "(run with -vv for details)",
                err=True,
            )
            exit_process(70)

    return wrapper  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------- schemes


@click.command("schemes")
@format_option(["text", "tsv", "jsonl"], default="text")
@run_cli_errors
def schemes_command(fmt: str) -> None:
    """List the schemes, with a one-line description each."""
    width = max(len(n) for n in SCHEMES)
    with open_output(None) as out:
        for scheme in SCHEMES.values():
            out.write(_scheme_line(scheme, fmt, width) + "\n")


def _scheme_line(scheme: Scheme, fmt: str, width: int) -> str:
    if fmt == "text":
        return f"{scheme.name:<{width}}  {scheme.description}"
    if fmt == "tsv":
        return f"{scheme.name}\t{scheme.script}\t{scheme.kind}\t{scheme.description}"
    record = {
        "name": scheme.name,
        "script": scheme.script,
        "kind": scheme.kind,
        "lossless": scheme.lossless,
        "source": scheme.source,
        "description": scheme.description,
    }
    return json.dumps(record, ensure_ascii=False)


# ------------------------------------------------------------------------------------------- convert


def count_lines(paths: Iterable[str]) -> int | None:
    """The number of lines of the named files (the total of a progress bar); None when one of them is
    not a regular file (stdin, a pipe or a device cannot be read twice, and may never end) or cannot be
    read."""
    total = 0
    for path in paths:
        if not is_regular_file(path):
            return None
        try:
            with open(path, "rb") as fh:
                last = b"\n"
                while block := fh.read(1 << 20):
                    total += block.count(b"\n")
                    last = block[-1:]
                total += last != b"\n"
        except OSError:
            return None
    return total


class SchemeChoice(click.Choice):
    """A scheme name from the registry, or one of its aliases (``devanagari``, ``harvard-kyoto``…),
    case-insensitive; the value is the registry name. The help lists the registry names; with
    ``auto=True`` also ``auto`` (detect the scheme)."""

    name = "scheme"

    def __init__(self, *, auto: bool = False) -> None:
        self.auto = auto
        super().__init__([AUTO, *scheme_names()] if auto else list(scheme_names()), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if self.auto and isinstance(value, str) and value.strip().lower() == AUTO:
            return AUTO
        try:
            return canonical_name(value)
        except UnknownSchemeError:
            return super().convert(value, param, ctx)  # click's message, with the valid names


_SCHEME_CHOICE = SchemeChoice()
_SOURCE_CHOICE = SchemeChoice(auto=True)
#: without ``--jobs``, convert starts its worker processes only after this many seconds of work in the
#: process (8,000 lines Devanagari → roman, about half a second, were slower with a pool of two)
PARALLEL_AFTER = 1.0
#: ``--from auto`` decides on this many first lines of the input
AUTO_SAMPLE_LINES = 1000


def _resolve_auto(lines: Iterator[str]) -> tuple[str, Iterator[str]]:
    """Detect the scheme of the input's first lines; return it and the whole input again."""
    head = list(itertools.islice(lines, AUTO_SAMPLE_LINES))
    guess = detect_scheme("\n".join(head))
    note(f"lipyantar: --from auto: {guess.scheme} ({guess.reason})")  # once, also at -v (a log line would repeat)
    return guess.scheme, itertools.chain(head, lines)


class _Collections:
    """The cyclic garbage collector while a conversion runs (a context manager; a conversion makes few
    cycles): off until the first block of output, whose conversion loads what the conversion needs (a
    learned model's components: tables, memories, arrays, big containers that live to the end and make
    no cycles); then, at :meth:`loaded`, all that is frozen (``gc.freeze``: never scanned again, as at
    exit) and collections resume with a young generation of 50,000 objects instead of 700 (the per-word
    memos grow by many objects that live to the end, which the default passes re-scan for about 8% of
    the time). Without the pause, the first collection after the load traversed all of the default
    model's containers (11 ms). The collector is as it was afterwards (unfrozen, when it froze)."""

    def __enter__(self) -> _Collections:
        self._threshold = gc.get_threshold()
        self._enabled = gc.isenabled()
        self._froze = False
        gc.disable()
        return self

    def loaded(self) -> None:
        """The conversion's first output is done: freeze what it loaded, collect again (once only)."""
        if self._froze or not self._enabled:
            return
        self._froze = gc.get_freeze_count() == 0  # an outer freeze is the caller's to undo
        gc.freeze()
        gc.set_threshold(50_000, *self._threshold[1:])
        gc.enable()

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self._threshold)
        if self._froze:
            gc.unfreeze()
        if self._enabled:
            gc.enable()


@click.command("convert")
@click.option(
    "--from",
    "-f",
    "src",
    type=_SOURCE_CHOICE,
    required=True,
    help="Scheme of the input; auto: detect it from the first 1000 lines (said on stderr).",
)
@click.option("--to", "-t", "dst", type=_SCHEME_CHOICE, required=True, help="Scheme of the output.")
@click.argument("inputs", nargs=-1, type=InputPath(allow_dash=True))
@output_option()
@format_option(
    ["text", "tsv", "jsonl"],
    default="text",
    help="text: one output line per input line; tsv: input<TAB>output[<TAB>…]; jsonl: candidates.",
)
@click.option(
    "--top-k",
    type=click.IntRange(1, MAX_TOP_K),
    default=1,
    show_default=True,
    help=f"Candidates per line (at most {MAX_TOP_K}).",
)
@model_option()
@click.option(
    "--lexicon",
    type=click.Path(dir_okay=False, allow_dash=False),
    help="Your own spellings for the 'roman' scheme, either way: a native<TAB>roman[<TAB>count] file "
    "(the Dakshina lexicon layout); its entries outrank the model, most counted first.",
)
@click.option(
    "--errors",
    type=click.Choice(["strict", "replace"]),
    default="strict",
    show_default=True,
    help="Invalid UTF-8: fail with its position, or replace it with U+FFFD.",
)
@click.option(
    "--digits", type=click.Choice(["auto", "keep", "ascii", "deva"]), default="auto", show_default=True
)
@click.option("--zero-width", type=click.Choice(["strip", "keep"]), default="strip", show_default=True)
@click.option(
    "--nukta", type=click.Choice(["decomposed", "composed"]), default="decomposed", show_default=True
)
@click.option("--keep-period", is_flag=True, help="roman → deva: keep a sentence-final '.' instead of '।'.")
@click.option(
    "--english",
    type=click.Choice(["transliterate", "keep"]),
    default="transliterate",
    show_default=True,
    help="roman → deva: keep the words the model reads as English in Latin script (code-mixed text).",
)
@jobs_option(default=default_jobs, help="Worker processes for large inputs (output is identical for any value).")
@progress_option
@run_cli_errors
def convert_command(
    src: str,
    dst: str,
    inputs: tuple[str, ...],
    output: str | None,
    fmt: str,
    top_k: int,
    model: str | None,
    lexicon: str | None,
    errors: str,
    digits: str,
    zero_width: str,
    nukta: str,
    keep_period: bool,
    english: str,
    jobs: int,
    progress: bool | None,
) -> None:
    """Convert text from one scheme to another, line by line.

    \b
    Examples:
      lipyantar convert --from deva --to roman-rules hindi.txt
      echo "yah sangathan" | lipyantar convert --from roman --to deva --format jsonl --top-k 5
      lipyantar convert --from iast --to deva in.txt -o out.txt
      lipyantar convert --from auto --to deva corpora/example/001_f4f5b2cec3eb8c3f.txt
      lipyantar convert --from roman --to deva --lexicon my-words.tsv chat.txt
    """
    if fmt == "text" and top_k > 1:
        raise click.UsageError("--top-k greater than 1 needs --format tsv or jsonl")
    src = src.lower()
    if model is not None and not ({"roman", AUTO} & {src, dst.lower()}):
        raise click.UsageError(
            "--model applies to the learned 'roman' scheme: use --from roman or --to roman"
        )
    if lexicon is not None and not ({"roman", AUTO} & {src, dst.lower()}):
        raise click.UsageError(
            "--lexicon applies to the learned 'roman' scheme: use --from roman or --to roman"
        )
    paths = list(inputs) or [STDIN]
    check_output(output, [*paths, *model_files(model), *([lexicon] if lexicon else [])])
    user_lexicon = None
    if lexicon is not None:  # a bad lexicon fails before any input is read or the model is loaded
        from .learned.lexicon import UserLexicon

        user_lexicon = UserLexicon.read(lexicon)
    with _Collections() as collections, read_inputs(paths, errors=errors) as lines:  # type: ignore[arg-type]
        if src == AUTO:
            src, lines = _resolve_auto(lines)
        job = ConvertJob(
            src,
            dst,
            fmt=fmt,  # type: ignore[arg-type]
            top_k=top_k,
            model=model,
            nukta=nukta,
            zero_width=zero_width,
            digits=digits,
            keep_period=keep_period,
            english=english,
            lexicon=user_lexicon,
        )
        conv = job.build()
        show = show_progress(progress)
        total = count_lines(paths) if show else None
        with (
            open_output(output) as out,
            progress_bar("convert", unit="lines", total=total, enabled=show) as bar,
        ):
            # without --jobs, workers only for input that lasts (convert_lines: parallel_after)
            default_jobs_ = click.get_current_context().get_parameter_source("jobs") is ParameterSource.DEFAULT
            parallel_after = PARALLEL_AFTER if default_jobs_ else 0.0
            for block in convert_lines(lines, job, jobs=jobs, converter=conv, parallel_after=parallel_after):
                collections.loaded()
                out.write(block)
                bar.update(block.count("\n"))
