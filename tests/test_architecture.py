"""The shape of the package, checked: layers, no import cycles, no private imports, lazy imports explained.

The layers, lowest first. A module imports, at module level, only modules of its own layer or
a lower one; a function-level ("lazy") import may reach any layer except pictures, but must
not close an import cycle (so no lazy import dodges a cycle) and must say why it is lazy:
a comment with "lazy:" and "start-up" or "output protocol", on the import or on the comment
line just above a block of imports.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "calcgrad"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("calcgrad._version", "calcgrad.errors", "calcgrad.limits", "calcgrad.deadline",
                    "calcgrad.files", "calcgrad.render.protocol", "calcgrad.render.escape")),
    ("engine", ("calcgrad.engine",)),                  # function table, steps, derive
    ("read", ("calcgrad.read",)),                      # text → SymPy (uses the function table)
    ("notation", ("calcgrad.render.notation", "calcgrad.render.common")),  # SymPy → text, step numbering
    ("domain", ("calcgrad.calculus", "calcgrad.networks", "calcgrad.grading")),
    ("render", ("calcgrad.render",)),                  # one renderer module per result type
    ("pictures", ("calcgrad.pictures",)),              # matplotlib, optional
    ("interface", ("calcgrad.cli", "calcgrad.commands", "calcgrad.web", "calcgrad.testing",
                   "calcgrad.__main__", "calcgrad")),  # the CLI, `calcgrad serve`, the pytest helper, the lazy public API
]
"""Layer name → module prefixes; the first (longest) matching prefix decides."""

MAY_IMPORT_PICTURES = ("calcgrad.pictures", "calcgrad.commands", "calcgrad.web")
"""pictures/ is never imported by the rest: only by itself, the commands that draw and the web pages (the
public API in calcgrad/__init__.py names its functions too, but loads them by name, lazily)."""

LAZY_REASON = re.compile(r"lazy:.*(start-up|output protocol)")


@dataclass(frozen=True)
class Import:
    module: str          # the importing module
    target: str          # the calcgrad module (or outside module) imported
    names: tuple[str, ...]
    lazy: bool           # inside a function (or class body) rather than at module level
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _module_level_nodes(tree: ast.Module) -> set[int]:
    """ids of import nodes that run when the module is imported (top level, in try/if blocks)."""
    found: set[int] = set()

    def visit(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.add(id(node))
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)

    visit(tree.body)
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    return {id(sub) for node in tree.body if _is_type_checking(node) for sub in ast.walk(node)}


def _resolve(module: str, node: ast.ImportFrom) -> list[tuple[str, tuple[str, ...]]]:
    """`from calcgrad.x import y`: y itself when it is a module, else calcgrad.x."""
    base = node.module or ""
    if node.level:
        base = ".".join(module.split(".")[:-node.level] + ([base] if base else []))
    targets = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        targets.append((sub, ()) if sub in MODULES else (base, (alias.name,)))
    return targets


def _imports() -> list[Import]:
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top, typing_only = _module_level_nodes(tree), _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(module, alias.name, (), id(node) not in top, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                for target, names in _resolve(module, node):
                    found.append(Import(module, target, names, id(node) not in top, node.lineno))
    return found


IMPORTS = _imports()
INTERNAL = [i for i in IMPORTS if i.target == "calcgrad" or i.target.startswith("calcgrad.")]


def layer_of(module: str) -> int:
    best, layer = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, layer = len(prefix), index
    assert layer is not None, f"{module} is in no layer; add it to LAYERS"
    return layer


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _edges(include_lazy: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for i in INTERNAL:
        if (include_lazy or not i.lazy) and i.target in MODULES and i.target != i.module:
            if i.module == "calcgrad":
                continue  # the public API imports everything lazily, by name; nothing imports it back
            edges.setdefault(i.module, set()).add(i.target)
    return edges


def test_every_module_has_a_layer() -> None:
    """Each module of calcgrad belongs to one layer of LAYERS."""
    assert all(layer_of(module) >= 0 for module in MODULES)


def test_no_import_cycles_at_module_level() -> None:
    """Importing any module never needs itself back."""
    assert _cycle(_edges(include_lazy=False)) is None


def test_no_lazy_import_dodges_a_cycle() -> None:
    """With the lazy imports counted too there is still no cycle: laziness is for speed only."""
    assert _cycle(_edges(include_lazy=True)) is None


def test_module_level_imports_point_down_the_layers() -> None:
    """A module imports, at module level, only its own layer or lower ones."""
    upward = [f"{i.module}:{i.line} → {i.target} ({LAYERS[layer_of(i.module)][0]} → "
              f"{LAYERS[layer_of(i.target)][0]})"
              for i in INTERNAL if not i.lazy and i.target in MODULES
              and layer_of(i.target) > layer_of(i.module)]
    assert [] == upward


def test_no_private_names_imported_across_modules() -> None:
    """No module imports another module's _private names."""
    private = [f"{i.module}:{i.line} imports {name} from {i.target}"
               for i in INTERNAL for name in i.names
               if name.startswith("_") and not name.startswith("__") and i.target != i.module]
    assert [] == private


def test_pictures_are_imported_only_by_the_commands_that_draw() -> None:
    """pictures/ (matplotlib) is never imported by the rest of calcgrad."""
    outside = [f"{i.module}:{i.line}" for i in INTERNAL
               if i.target.startswith("calcgrad.pictures")
               and not i.module.startswith(MAY_IMPORT_PICTURES)]
    assert [] == outside


def _lazy_reason_missing(path: Path, line: int) -> bool:
    lines = path.read_text(encoding="utf-8").splitlines()
    if LAZY_REASON.search(lines[line - 1]):
        return False
    above = line - 2
    while above >= 0:
        text = lines[above].strip()
        if LAZY_REASON.search(text):
            return False
        if not (text.startswith(("import ", "from ")) or text.startswith("#")):
            return True
        above -= 1
    return True


@pytest.mark.parametrize("module", sorted(MODULES))
def test_lazy_imports_say_why(module: str) -> None:
    """Every function-level import carries a "lazy: start-up …" or "lazy: output protocol" comment."""
    silent = sorted({f"{module}:{i.line} ({i.target})" for i in IMPORTS
                     if i.module == module and i.lazy and _lazy_reason_missing(MODULES[module], i.line)})
    assert [] == silent
