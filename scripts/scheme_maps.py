"""Write ``translit/data/scheme-maps.json``: indic-transliteration's scheme maps of Devanagari ↔ each
standard scheme (:func:`lipyantar.translit.standard.scheme_maps_document`), which
:mod:`lipyantar.translit.schememap` runs without loading the library. Run it after upgrading
indic-transliteration; ``tests/test_schememap.py`` fails when the file differs from what the installed
library makes.

    python scripts/scheme_maps.py [-o translit/data/scheme-maps.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from source_tree import use_source_tree  # noqa: E402

use_source_tree(ROOT)

from lipyantar.translit.schememap import MAPS_PATH  # noqa: E402
from lipyantar.translit.standard import scheme_maps_document  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-o", "--output", type=Path, default=MAPS_PATH)
    args = parser.parse_args(argv)
    document = scheme_maps_document()
    text = json.dumps(document, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n"
    tmp = args.output.with_name(args.output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.output)
    print(f"wrote {len(document['maps'])} maps (indic-transliteration {document['indic_transliteration']}) to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
