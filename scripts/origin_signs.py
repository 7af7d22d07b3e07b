"""Write ``translit/learned/data/origin-signs.tsv.gz``: the sign of the English/romanized-Hindi margin of
every word of the word-language tables' two lexicons (:func:`lipyantar.translit.learned.origin.write_signs`),
so that Devanagari → roman need not load the tables. Run it after ``scripts/train_langid.py``;
``tests/test_origin_signs.py`` fails when the file was made from other tables.

    python scripts/origin_signs.py [-o translit/learned/data/origin-signs.tsv.gz]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from source_tree import use_source_tree  # noqa: E402

use_source_tree(ROOT)

from lipyantar.translit.learned.origin import SIGNS_PATH, write_signs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-o", "--output", type=Path, default=SIGNS_PATH)
    args = parser.parse_args(argv)
    n = write_signs(args.output)
    print(f"wrote {n} words to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
