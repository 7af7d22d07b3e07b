"""Importing ``lipyantar`` from another source tree than the installed one (the benchmarks' baselines).

``bench_learned.py --baseline-rev REV`` measures an older revision's code, unpacked into a temporary
folder, in the same interpreter as this checkout's editable install. :func:`use_source_tree` makes
``import lipyantar.translit…`` (and ``.align``, ``.corpora``) load that folder's code, whichever layout it
has:

* this layout (one import package: the folders ``translit/``, ``align/`` and ``corpora/`` are
  ``lipyantar.translit``, … through pyproject.toml's package-dir): a finder placed before the editable
  install's maps the three layers to the tree's folders;
* the layout before it (``translit``, ``align`` and ``corpora`` were top-level packages): the tree goes
  on ``sys.path`` and ``lipyantar.translit…`` are aliases of the old modules (the same module objects,
  so the old code's own absolute imports see the same classes).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

LAYERS = ("translit", "align", "corpora")


def _layer_of(fullname: str) -> str | None:
    for layer in LAYERS:
        if fullname == f"lipyantar.{layer}" or fullname.startswith(f"lipyantar.{layer}."):
            return layer
    return None


class _NewLayout(importlib.abc.MetaPathFinder):
    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        layer = _layer_of(fullname)
        if layer is None or fullname != f"lipyantar.{layer}":
            return None  # the layers' submodules are found through the layer's __path__
        return importlib.machinery.PathFinder.find_spec(fullname, [str(self.root)])


class _OldLayout(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self) -> None:
        self._specs: dict[str, Any] = {}

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if _layer_of(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(spec.name.removeprefix("lipyantar."))
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the old module ran when it was imported under its own name; the import system has just set
        # its __spec__ to the alias's: give it back its own (importlib.resources reads it)
        alias = module.__spec__.name if module.__spec__ is not None else ""
        if alias in self._specs:
            module.__spec__ = self._specs.pop(alias)


def use_source_tree(root: Path) -> None:
    """Import lipyantar (its front door and its three layers) from the source tree ``root``."""
    root = root.resolve()
    if any(name == "lipyantar" or name.startswith("lipyantar.") for name in sys.modules):
        raise RuntimeError("use_source_tree() must run before lipyantar is imported")
    sys.path.insert(0, str(root))
    pyproject = root / "pyproject.toml"
    new = pyproject.is_file() and '"lipyantar.translit" = "translit"' in pyproject.read_text(encoding="utf-8")
    sys.meta_path.insert(0, _NewLayout(root) if new else _OldLayout())


#: ``python -c`` code that runs the command line of the source tree ``{tree}`` (this folder is ``{scripts}``)
_LAUNCH = (
    "import sys; sys.path.insert(0, {scripts!r}); from pathlib import Path; "
    "from source_tree import use_source_tree; use_source_tree(Path({tree!r})); "
    "from lipyantar.cli import main; sys.argv[0] = 'lipyantar'; main()"
)


def unpack_revision(repo: Path, rev: str, dest: Path) -> Path:
    """The git revision ``rev`` of ``repo`` unpacked into the folder ``dest`` (created if need be), its
    compiled kernels built in place: a baseline tree for the benchmarks."""
    import subprocess

    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace", "-q"], cwd=dest, check=True, capture_output=True)
    return dest


def cli_command(tree: Path) -> list[str]:
    """The argv that runs ``lipyantar`` from the source tree ``tree`` (see :func:`use_source_tree`)."""
    return [sys.executable, "-c", _LAUNCH.format(scripts=str(Path(__file__).resolve().parent), tree=str(tree))]
