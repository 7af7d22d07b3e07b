"""Write ``translit/learned/data/english-path-alone.json.gz``: the words of the shipped model's English
pronunciation lexicon that the per-token decision reads as not English on their own
(:mod:`lipyantar.translit.learned.alonepath`), so that converting one word does not load the decision's
word-language tables. Run it after a change of the shipped model, of the decoding parameters' defaults,
of the code-mixing weights (``scripts/train_codemix.py``) or of the word-language tables
(``scripts/train_langid.py``); a stale file is not used (tests/test_alonepath.py says so). About two
minutes::

    python scripts/english_path_alone.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from source_tree import use_source_tree  # noqa: E402

use_source_tree(ROOT)

from lipyantar.translit.learned.alonepath import ALONE_PATH, write_alone  # noqa: E402
from lipyantar.translit.learned.model import default_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=ALONE_PATH)
    args = ap.parse_args()
    model = default_model()
    if model.english is None:
        raise SystemExit("the shipped model has no English pronunciation model")
    started = time.perf_counter()
    asked, not_english = write_alone(args.output, model, model.english.prons, model_sha256=model._file.sha256)
    print(
        f"wrote {not_english} of {asked} words read as not English to {args.output} "
        f"({args.output.stat().st_size / 1e3:.0f} KB, {time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
