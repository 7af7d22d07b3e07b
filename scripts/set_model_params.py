#!/usr/bin/env python
"""Rewrite the decoding parameters stored in a model file (the shipped model by default), leaving its
arrays and other tables as they are (its old checksums kept in ``also_sha256``, for the adaptation files
that name it).

A model file stores its parameters (``DecodeParams.to_flat``), so a changed default does not reach a
model trained before it: the file's own values win. After rewriting the shipped model, the tables keyed
by its checksum must be made again: ``python scripts/loanword_index.py --table-only`` (the English
readings of its precomputed table) and ``python scripts/english_path_alone.py`` (the words that take the
English path alone); and the README's table, ``python scripts/params_table.py --write``.

Usage::

    python scripts/set_model_params.py --set sentence.english_path=0 [--set NAME=VALUE ...] [--model FILE]
    python scripts/set_model_params.py --defaults sentence.english_path,sentence.english_gate

``--defaults NAMES``: those parameters take their ``DecodeParams`` defaults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from lipyantar.translit.learned import modelfile  # noqa: E402
from lipyantar.translit.learned.params import DecodeParams, decode_params  # noqa: E402
from lipyantar.translit.outputs import atomic_write_bytes  # noqa: E402

DEFAULT_MODEL = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"


def rewritten(data: bytes, changes: dict[str, object], source: str = "<model>") -> bytes:
    """The model file ``data`` with the parameters ``changes`` (dotted names) set in its stored table."""
    header, order, tables = modelfile.read_tables(data, source)
    _, arrays = modelfile.read_arrays(data, source)
    params = decode_params(tables.get("params", {})).updated(changes)
    # all of them, in the order a saved model writes them (DecodeParams.to_flat)
    tables = {**tables, "params": params.to_flat()}
    meta = header.get("meta")
    return modelfile.model_file_bytes(
        {name: arrays[name] for name in order if name != "tables"},
        meta if isinstance(meta, dict) else {},
        tables=tables,
        also_sha256=sorted(modelfile.identities(header)),
    )


def main(argv: list[str] | None = None) -> int:
    import tune_heldout

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--defaults", default="", metavar="NAME,NAME")
    args = parser.parse_args(argv)
    changes: dict[str, object] = {
        k: tune_heldout.parse_value(v) for k, _, v in (item.partition("=") for item in args.set)
    }
    defaults = DecodeParams()
    for name in filter(None, args.defaults.split(",")):
        changes[name] = defaults.get(name)
    if not changes:
        parser.error("nothing to set (--set or --defaults)")
    data = args.model.read_bytes()
    out = rewritten(data, changes, str(args.model))
    atomic_write_bytes(args.model, out)
    print(f"{args.model}: {changes}; sha256 {modelfile.ModelFile(out).sha256}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
