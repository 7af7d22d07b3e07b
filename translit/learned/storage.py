"""How a :class:`~lipyantar.translit.learned.model.LearnedModel` is stored: the string tables and typed arrays
it is saved as, the keyword arguments of a model from such arrays, the builders of a model's components
from an open file of sections (each built and checked on first use), writing model files atomically, the
full model file's format for :mod:`lipyantar.translit.learned.adaptation`, and the large word lists
(:mod:`lipyantar.translit.learned.vocab`) loaded once per process. The container format itself (header,
sections, checksums) is :mod:`lipyantar.translit.learned.modelfile`.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import stat
import threading
from array import array
from collections.abc import Callable
from typing import Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import adaptation, modelfile
from lipyantar.translit.learned.english import EnglishModel, EnglishProns
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import CharLM, NgramLM, UnigramPrior, WordLM
from lipyantar.translit.learned.memory import Memory
from lipyantar.translit.learned.params import DecodeParams, decode_params
from lipyantar.translit.learned.tables import REQUIRED_TABLES, check_table, check_tables
from lipyantar.translit.learned.vocab import Vocabulary
from lipyantar.translit.outputs import atomic_write_bytes

__all__ = [
    "DEFAULT_MODEL_NAME",
    "MODEL_FILE_FORMAT",
    "VOCAB_SUFFIX",
    "component_builders",
    "file_settings",
    "load_vocabulary",
    "parts_from_arrays",
    "sibling_vocabulary",
    "tables_and_arrays",
    "tables_and_arrays_but",
    "write_model_file",
]

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "roman-default.lpm"
#: the large word list of a model file ``X.lpm`` is ``X.vocab`` beside it (see lipyantar.translit.learned.vocab)
VOCAB_SUFFIX = ".vocab"


def tables_and_arrays(model: Any) -> tuple[dict[str, Any], dict[str, array]]:
    """The string tables (decoded) and every other array of a :class:`~lipyantar.translit.learned.model.LearnedModel`
    ``model``, in file order."""
    return tables_and_arrays_but(model, skip=frozenset())  # type: ignore[return-value]  # none skipped: no None


def tables_and_arrays_but(model: Any, *, skip: frozenset[str]) -> tuple[dict[str, Any], dict[str, array | None]]:
    """:func:`tables_and_arrays` without the parts in ``skip``: the word model's and the vocabulary
    index's tables (``"wordlm"``, ``"vocab_index"``) and the English model's tables and arrays
    (``"english"``) not computed but given as None, in their places (for a writer that takes them from
    elsewhere, e.g. an adaptation file of the model's base)."""
    pairs = [
        [deva, roman, count]
        for deva, romans in sorted(model.memory.d2r.items())
        for roman, count in sorted(romans.items())
    ]
    tables = {
        "meta": model.meta,
        "params": model.params.to_flat(),
        "joint": {"order": model.joint.order, "graphones": [list(g) for g in model.joint.graphones]},
        "charlm": {"order": model.charlm.order, "vocab": model.charlm.vocab},
        "romanlm": {"order": model.romanlm.order, "vocab": model.romanlm.vocab},
        "wordlm": None
        if "wordlm" in skip
        else {
            "order": model.wordlm.order,
            "vocab": model.wordlm.vocab,
            "prior": sorted(model.wordlm.prior.items()),
        },
        "pairs": pairs,
        "d2r_table": [[d, r, round(sc, 4)] for d, (r, sc) in sorted(model.d2r_table.items())],
        "vocab_index": None
        if "vocab_index" in skip
        else [[key, list(ws)] for key, ws in sorted(model.vocab_index.items())],
    }
    if model.english is not None:
        tables["english"] = None if "english" in skip else model.english.tables()
    arrays: dict[str, array | None] = {}
    for name, lm in (
        ("joint", model.joint),
        ("charlm", model.charlm.lm),
        ("romanlm", model.romanlm.lm),
        ("wordlm", model.wordlm.lm),
    ):
        for key, arr in lm.to_arrays().items():
            arrays[f"{name}.{key}"] = arr
    # the joint model's raw counts, for adaptation
    arrays["joint.count_ngrams"], arrays["joint.count_values"] = model.joint.count_arrays()
    if model.english is not None:
        if "english" in skip:
            arrays.update((f"english.{key}", None) for key in model.english.array_names())
        else:
            for key, arr in model.english.arrays().items():
                arrays[f"english.{key}"] = arr
    return tables, arrays


def parts_from_arrays(arrays: dict[str, array], *, tables: Any = None) -> dict[str, Any]:
    """The keyword arguments of :class:`~lipyantar.translit.learned.model.LearnedModel` for a file's arrays (as
    :meth:`~lipyantar.translit.learned.model.LearnedModel.to_arrays`); ``tables``: its string tables already
    decoded (then ``arrays`` need not hold them). Raises ModelError when they are not a usable model."""
    try:
        if tables is None:
            tables = json.loads(arrays["tables"].tobytes().decode("utf-8"))
        if not isinstance(tables, dict):
            raise ValueError("the tables are not a JSON object")
        check_tables(tables)
        j, c, w = tables["joint"], tables["charlm"], tables["wordlm"]

        def sub(prefix: str) -> dict[str, array]:
            return {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(prefix + ".")}

        joint = JointModel(
            [(g[0], g[1]) for g in j["graphones"]], {}, order=int(j["order"]), arrays=sub("joint")
        )
        joint.defer_counts(arrays["joint.count_ngrams"], arrays["joint.count_values"])
        charlm = CharLM(c["vocab"], None, order=int(c["order"]), arrays=sub("charlm"))
        rl = tables["romanlm"]
        romanlm = CharLM(rl["vocab"], None, order=int(rl["order"]), arrays=sub("romanlm"))
        wordlm = WordLM(
            w["vocab"],
            None,
            order=int(w["order"]),
            prior={word: float(n) for word, n in w["prior"]},
            arrays=sub("wordlm"),
        )
        params = decode_params(tables.get("params", {}))
        pairs = [(d, r, float(n)) for d, r, n in tables.get("pairs", [])]
        table = {d: (r, float(sc)) for d, r, sc in tables.get("d2r_table", [])}
        vocab_index = {str(key): tuple(str(w) for w in ws) for key, ws in tables.get("vocab_index", [])}
        english = (
            EnglishModel.from_tables(tables["english"], sub("english")) if "english" in tables else None
        )
        return dict(
            joint=joint,
            charlm=charlm,
            wordlm=wordlm,
            romanlm=romanlm,
            pairs=pairs,
            params=params,
            meta=tables.get("meta", {}),
            d2r_table=table,
            vocab_index=vocab_index,
            english=english,
        )
    except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, AttributeError) as exc:
        raise ModelError(f"model payload is malformed: {exc}") from exc


def file_settings(mf: modelfile.ModelFile) -> tuple[DecodeParams, dict[str, Any]]:
    """The parameters and metadata of an open file of sections (version 2 or 3), checked, and the
    required tables there; raises ModelError when they are not."""
    source = mf.source
    try:
        params = decode_params(mf.table("params", {}))
        meta = mf.table("meta", {})
        check_table("meta", meta)
        for name in REQUIRED_TABLES:
            if f"tables.{name}" not in mf:
                raise ValueError(f"table {name} is missing")
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{source}: model payload is malformed: {exc}") from exc
    return params, meta


def component_builders(mf: modelfile.ModelFile, model: Any) -> dict[str, Callable[[], Any]]:
    """The builders of ``model``'s components (:class:`~lipyantar.translit.learned.model.LearnedModel`)
    from an open file of sections: each builds its component from its sections and checks it
    (ModelError naming the file and the component) the first time it is used."""
    source = mf.source
    def table(name: str, default: Any = None) -> Any:
        value = mf.table(name, default)
        check_table(name, value)
        return value

    def sub(prefix: str) -> dict[str, Any]:  # typed views of the mapped file, not copies
        return {
            n.split(".", 1)[1]: mf.view(n)
            for n in mf.order
            if n.startswith(prefix + ".") and n not in ("joint.count_ngrams", "joint.count_values", "english.prons")
        }

    def compiled(lm: NgramLM, prefix: str) -> None:
        """Build the compiled automaton now (it copies the arrays); then the pages of the file's
        arrays of ``prefix`` can go (they are read again only to save the model)."""
        if lm.fast() is not None:
            mf.release(*(n for n in mf.order if n.startswith(prefix + ".")))

    def joint() -> JointModel:
        j = table("joint")
        out = JointModel([(g[0], g[1]) for g in j["graphones"]], {}, order=int(j["order"]), arrays=sub("joint"))
        out.defer_counts(mf.view("joint.count_ngrams"), mf.view("joint.count_values"))
        out.prune_index(min_count=model.params.index.min_count, max_per_chunk=model.params.index.max_per_chunk)
        compiled(out, "joint")
        return out

    def charlm(name: str) -> Callable[[], CharLM]:
        def build() -> CharLM:
            c = table(name)
            out = CharLM(c["vocab"], None, order=int(c["order"]), arrays=sub(name))
            compiled(out.lm, name)
            return out

        return build

    def wordlm() -> WordLM:
        w = mf.table("wordlm", columns=False)
        check_table("wordlm", w)
        vocab = mf.columns("wordlm.vocab") if w.get("vocab") is None else None
        prior = mf.columns("wordlm.prior") if w.get("prior") is None else None
        out = WordLM(
            w["vocab"] if vocab is None else vocab[0],
            None,
            order=int(w["order"]),
            prior={word: float(n) for word, n in w["prior"]} if prior is None else None,
            prior_columns=None if prior is None else (prior[0], prior[1]),
            arrays=sub("wordlm"),
        )
        compiled(out.lm, "wordlm")
        return out

    def word_prior() -> UnigramPrior | None:
        """The word model's unigram prior alone (None: the file does not store it as sorted columns;
        then the word model answers)."""
        w = mf.table("wordlm", columns=False)
        check_table("wordlm", w)
        if w.get("prior") is not None:
            return None
        prior = mf.columns("wordlm.prior")
        return None if prior is None else UnigramPrior.of(prior[0], prior[1])

    def columns(key: str) -> list[Any] | None:
        """The table ``key`` as columns when the file stores it so (its JSON, null, read too, so
        that a changed byte there is found), else None."""
        if mf.table(key, [], columns=False) is None:
            return mf.columns(key)
        return None

    def memory() -> Memory:
        cols = columns("pairs")
        if cols is None:
            return Memory([(d, r, float(n)) for d, r, n in table("pairs", [])])
        return Memory.from_columns(*cols)

    def d2r_table() -> dict[str, tuple[str, float]]:
        cols = columns("d2r_table")
        if cols is None:
            return {d: (r, float(sc)) for d, r, sc in table("d2r_table", [])}
        devas, romans, scores = cols  # the same dict, made in C loops
        return dict(zip(devas, zip(romans, map(float, scores), strict=True), strict=True))

    def vocab_index() -> dict[str, tuple[str, ...]]:
        cols = columns("vocab_index")
        if cols is None:
            return {str(k): tuple(str(w) for w in ws) for k, ws in table("vocab_index", [])}
        keys, (words, lengths) = cols
        it = iter(words)
        return {key: tuple(itertools.islice(it, n)) for key, n in zip(keys, lengths, strict=True)}

    def english() -> EnglishModel | None:
        if "tables.english" not in mf:
            return None
        arrays: dict[str, Any] = sub("english")
        if "english.prons" in mf:
            arrays["prons"] = mf.raw("english.prons")
        out = EnglishModel.from_tables(table("english"), arrays)
        compiled(out.joint, "english")
        return out

    def english_prons() -> EnglishProns | EnglishModel | None:
        """The English model's pronunciation table alone, searched in place (the whole model when the
        file keeps the table inline)."""
        if "tables.english" not in mf:
            return None
        if "english.prons" not in mf:
            return model.english
        return EnglishProns(mf.raw("english.prons"))

    builders: dict[str, Callable[[], Any]] = {
        "joint": joint,
        "charlm": charlm("charlm"),
        "romanlm": charlm("romanlm"),
        "wordlm": wordlm,
        "word_prior": word_prior,
        "english": english,
        "english_prons": english_prons,
        "memory": memory,
        "d2r_table": d2r_table,
        "vocab_index": vocab_index,
    }

    def checked(name: str, build: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return build()
            except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, AttributeError) as exc:
                raise ModelError(f"{source}: model payload is malformed ({name}): {exc}") from exc

        return run

    return {name: checked(name, build) for name, build in builders.items()}


def sibling_vocabulary(source: str) -> str | None:
    """The word list ``X.vocab`` beside the model file ``X.lpm`` when there is one (None: there is
    none). ModelError, now rather than at its first use, when that name is not a regular file (a FIFO
    would block its reader, a device never end)."""
    sibling = os.path.splitext(source)[0] + VOCAB_SUFFIX
    try:
        mode = os.stat(sibling).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ModelError(f"cannot read vocabulary {sibling!r}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        modelfile.map_file(sibling, what="vocabulary")  # refuses it, saying what it is
    return sibling


def write_model_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write model file bytes atomically: a fresh temporary file (``tempfile.mkstemp``) beside ``path``,
    renamed into place when complete (:func:`lipyantar.translit.outputs.atomic_write_bytes`)."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ModelError(f"cannot write model {os.fspath(path)!r}: {exc.strerror or exc}") from exc


#: the full model file, for :mod:`lipyantar.translit.learned.adaptation` (which reads and writes adaptations of it)
MODEL_FILE_FORMAT = adaptation.ModelFileFormat(
    modelfile.read_header,
    modelfile.read_arrays,
    modelfile.identities,
    modelfile.pack_arrays,
    lambda body: modelfile.unpack_arrays(body, limit=modelfile.inflation_limit(body)),  # adaptation payloads
    DEFAULT_MODEL_NAME,
    modelfile.read_file,
    modelfile.read_tables,
)


_vocab_lock = threading.Lock()
_vocabularies: dict[str, Vocabulary | None] = {}


def load_vocabulary(source: str) -> Vocabulary | None:
    """A large word list, loaded once per process: ``"default"`` is the shipped one (package data
    beside the default model; None when it is not installed), anything else a ``.vocab`` file path."""
    if source in _vocabularies:
        return _vocabularies[source]
    with _vocab_lock:
        if source not in _vocabularies:
            vocab: Vocabulary | None
            if source == "default":
                from importlib import resources

                ref = (
                    resources.files("lipyantar.translit.learned")
                    / "data"
                    / (DEFAULT_MODEL_NAME.rsplit(".", 1)[0] + VOCAB_SUFFIX)
                )
                if ref.is_file():
                    with resources.as_file(ref) as path:  # memory-mapped in place (a copy if zipped)
                        vocab = Vocabulary.load(path)
                else:
                    logger.warning("the vocabulary of the default model is not installed")
                    vocab = None
            else:
                vocab = Vocabulary.load(source)
            _vocabularies[source] = vocab
    return _vocabularies[source]
