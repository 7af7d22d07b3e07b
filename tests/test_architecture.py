"""The plan of the house, checked: the packages are layered (translit < align < corpora < lipyantar), no
module imports one of a higher layer, no import cycle, and the command line's commands are plain
imports, not names in strings."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the layers, lowest first: each import package of the one top-level package ``lipyantar``, with the
#: repository folder that holds it (pyproject.toml's package-dir)
FOLDERS = {"lipyantar.translit": "translit", "lipyantar.align": "align", "lipyantar.corpora": "corpora", "lipyantar": "lipyantar"}
LAYERS = {"lipyantar.translit": 0, "lipyantar.align": 1, "lipyantar.corpora": 2, "lipyantar": 3}


def _layer(module: str) -> int:
    """The layer of a project module: that of the longest package in LAYERS that contains it."""
    owner = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[owner]


def _module_name(package: str, folder: Path, path: Path) -> str:
    parts = [package, *path.relative_to(folder).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            found[_module_name(package, ROOT / folder, path)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an imported name refers to (the longest known prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported project module, line) for every import in the file, function-level ones included."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            for alias in node.names:
                target = _resolve(f"{prefix}.{alias.name}") or _resolve(prefix)
                if target:
                    yield target, node.lineno


GRAPH = {m: sorted({t for t, _ in _imports(m, p) if t != m}) for m, p in MODULES.items()}


def test_the_walk_sees_the_project() -> None:
    assert {"lipyantar.cli", "lipyantar.translit.learned.model", "lipyantar.align.sentences", "lipyantar.corpora.build"} <= MODULES.keys()
    assert "lipyantar.translit.learned.model" in GRAPH["lipyantar.translit.transliterate"]  # a function-level import is seen
    assert "lipyantar.align.similarity" in GRAPH["lipyantar.align.words"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_a_higher_layer(module: str) -> None:
    layer = _layer(module)
    upward = [
        f"{target} (line {line})" for target, line in _imports(module, MODULES[module]) if _layer(target) > layer
    ]
    assert not upward, f"{module} imports a higher layer: {upward}"


def _cycles() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle() -> None:
    assert _cycles() == []


def test_a_planted_cycle_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, "lipyantar.translit.errors", [*GRAPH["lipyantar.translit.errors"], "lipyantar.translit.transliterate"])
    assert any("lipyantar.translit.errors" in c and "lipyantar.translit.transliterate" in c for c in _cycles())


def test_commands_are_plain_imports() -> None:
    from lipyantar.cli import main

    for name, command in main.commands.items():
        assert isinstance(command, click.Command), name
        assert command.callback is not None and command.callback.__module__.split(".")[0] == "lipyantar"
    source = MODULES["lipyantar.cli"].read_text(encoding="utf-8")
    assert "importlib" not in source and "import_module" not in source
    # no module names another module to import in a string, except the loader of the compiled kernels and
    # the front door's and the layers' names imported on first use (written out as imports for type
    # checkers too, and checked against them: below)
    users = [m for m, p in MODULES.items() if "import_module(" in p.read_text(encoding="utf-8")]
    assert sorted(users) == ["lipyantar.translit.compiled", "lipyantar.translit.lazy"]


def test_the_front_door_imports_its_names_on_first_use() -> None:
    """``import lipyantar`` imports no layer; each public name comes from the module that its type-checking
    import names, and every name of ``__all__`` resolves."""
    import subprocess
    import sys

    code = (
        "import sys, lipyantar\n"
        "assert not [m for m in sys.modules if m.startswith(('lipyantar.align', 'lipyantar.corpora', "
        "'lipyantar.translit.learned'))], sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    import lipyantar

    tree = _type_checking_block(MODULES["lipyantar"])
    typed = {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if node.module and node.module.startswith("lipyantar.") and alias.name != "__version__"
    }
    assert typed == lipyantar._HOMES
    assert set(lipyantar.__all__) == {*lipyantar._HOMES, "__version__"}
    for name in lipyantar.__all__:
        assert getattr(lipyantar, name) is not None


def _type_checking_block(path: Path) -> ast.If:
    """The ``if TYPE_CHECKING:`` block of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )


@pytest.mark.parametrize("package", ["lipyantar.align", "lipyantar.corpora"])
def test_the_layers_import_their_names_on_first_use(package: str) -> None:
    """A layer's package imports none of its modules; its type-checking imports, ``_HOMES`` and
    ``__all__`` name the same names, each of which resolves to the object of its home module."""
    import importlib
    import subprocess
    import sys

    code = f"import sys, {package}\nassert not [m for m in sys.modules if m.startswith('{package}.')], sorted(sys.modules)\n"
    subprocess.run([sys.executable, "-c", code], check=True)
    module = importlib.import_module(package)
    tree = _type_checking_block(Path(module.__file__))
    typed = {
        alias.name: f"{package}.{node.module}" if node.level else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__" and node.module != "typing"
        for alias in node.names
    }
    assert typed == module._HOMES
    assert set(module.__all__) == set(module._HOMES)
    for name in module.__all__:
        assert getattr(module, name) is getattr(importlib.import_module(module._HOMES[name]), name)
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "command",
    ["schemes", "convert", "learn", "evaluate", "align", "detect", "stats", "twins", "build"],
)
def test_every_command_is_registered(command: str) -> None:
    from lipyantar.cli import main

    assert command in main.commands


def _third_party_imports() -> set[str]:
    import sys

    names = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n != "lipyantar" and n not in sys.stdlib_module_names and n != "__future__"}


def test_runtime_dependencies_are_used_and_declared() -> None:
    import re

    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {re.split(r"[<>=!~\[; ]", d)[0].lower().replace("-", "_") for d in project["dependencies"]}
    optional = {
        re.split(r"[<>=!~\[; ]", d)[0].lower().replace("-", "_")
        for extra in project["optional-dependencies"].values()
        for d in extra
    }
    imported = _third_party_imports()
    assert runtime <= imported, f"declared but never imported: {runtime - imported}"
    assert imported <= runtime | optional, f"imported but not declared: {imported - runtime - optional}"


LEARNED = "lipyantar.translit.learned"


def _is_learned(module: str) -> bool:
    return module == LEARNED or module.startswith(LEARNED + ".")


def _module_level_import_lines(path: Path) -> set[int]:
    """Lines of the imports a module runs when it is imported: its top level and the top level of its
    ``if``/``try`` blocks, except ``if TYPE_CHECKING:`` (functions and classes are not entered)."""
    lines: set[int] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.add(node.lineno)
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body)
    return lines


CORE = sorted(m for m in MODULES if m.startswith("lipyantar.translit") and not _is_learned(m))


def test_the_core_sees_the_learned_wing_only_lazily_seen() -> None:
    # the walk below has something to check: core modules do use the learned wing, inside functions
    lazy = [m for m in CORE if any(_is_learned(t) for t in GRAPH[m])]
    assert "lipyantar.translit.transliterate" in lazy


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_the_learned_wing_only_inside_functions(module: str) -> None:
    """docs/ARCHITECTURE.md: ``lipyantar.translit.learned`` imports ``translit``'s core freely; the core
    reaches the learned wing only inside functions (or for type checkers), so importing the core loads
    no model code."""
    path = MODULES[module]
    eager = _module_level_import_lines(path)
    found = [f"{t} (line {line})" for t, line in _imports(module, path) if _is_learned(t) and line in eager]
    assert not found, f"{module} imports the learned wing when it is imported: {found}"


@pytest.mark.parametrize(("scheme", "expected"), [("iast", "yaha saṃgaṭhana\n"), ("roman", "yah sangathan\n")])
def test_convert_imports_only_its_commands_module(tmp_path: Path, scheme: str, expected: str) -> None:
    """``lipyantar convert`` (run in a fresh process) imports neither the other commands' modules (the
    aligner's, the corpus builder's, the trainer's, the server's and its configuration) nor what only
    they use (Devanagari → roman with the learned model neither: the metrics, names and casual-typing
    noise are roman → Devanagari's);
    ``import lipyantar.cli`` imports no command module at all."""
    import subprocess
    import sys

    src = tmp_path / "in.txt"
    src.write_text("यह संगठन\n", encoding="utf-8")
    others = (
        "lipyantar.serve",
        "lipyantar.model_cli",
        "lipyantar.align",
        "lipyantar.corpora",
        "lipyantar.translit.metrics",
        "lipyantar.translit.learned.names",
        "lipyantar.translit.learned.noise",
    )
    code = (
        "import sys\n"
        "import lipyantar.cli as cli\n"
        "assert not [m for m in sys.modules if m.endswith('.cli') and m != 'lipyantar.cli'], sorted(sys.modules)\n"
        "assert cli.main.commands.loaded() == []\n"
        f"cli.main(['convert', '--from', 'deva', '--to', {scheme!r}, {str(src)!r}], standalone_mode=False)\n"
        f"found = sorted(m for m in sys.modules if m.startswith({others!r}))\n"
        "assert found == [], found\n"
        "assert cli.main.commands.loaded() == ['convert'], cli.main.commands.loaded()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


def test_the_lazy_commands_load_each_command_once_and_by_its_name() -> None:
    from lipyantar.cli import LazyCommands

    calls: list[str] = []

    def loader(name: str) -> click.Command:
        calls.append(name)
        return click.Command(name)

    commands = LazyCommands({"a": lambda: loader("a"), "b": lambda: loader("b"), "bad": lambda: loader("other")})
    assert list(commands) == ["a", "b", "bad"] and len(commands) == 3
    assert "a" in commands and "zz" not in commands and calls == []
    assert commands["a"] is commands["a"] and commands.get("zz") is None and calls == ["a"]
    with pytest.raises(RuntimeError, match="named 'other'"):
        commands["bad"]
    commands["c"] = click.Command("c")
    del commands["b"]
    assert list(commands) == ["a", "bad", "c"] and commands.loaded() == ["a", "c"]
    with pytest.raises(KeyError):
        del commands["b"]
