"""The package's layout: no module imports itself back through others (imports inside
functions count: they run too), and no stage imports another stage."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import synthrl
from synthrl.pipeline import STAGE_TABLE

SOURCE = Path(synthrl.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in SOURCE.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str) -> set[str]:
    """The package's modules `name` imports at run time, at the top or inside a function."""
    tree = ast.parse(MODULES[name].read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative: from the module's own package
                package = name.rsplit(".", node.level)[0]
                base = f"{package}.{node.module}"
            # `from package import module` depends on the module (a package's own
            # __init__ runs for any of its modules); `from module import name` on the module
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    graph = {name: imports(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return groups


def test_no_module_imports_itself_back():
    assert cycles() == []


def test_the_cycle_finder_finds_a_loop_through_a_function(tmp_path, monkeypatch):
    (tmp_path / "synthrl").mkdir()
    (tmp_path / "synthrl" / "__init__.py").write_text("")
    (tmp_path / "synthrl" / "a.py").write_text("from synthrl import b\n")
    (tmp_path / "synthrl" / "b.py").write_text("def later():\n    from synthrl.a import x\n")
    (tmp_path / "synthrl" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from synthrl import a\n"
    )
    here = sys.modules[__name__]
    monkeypatch.setattr(here, "SOURCE", tmp_path / "synthrl")
    fake = {module_name(p): p for p in (tmp_path / "synthrl").rglob("*.py")}
    monkeypatch.setattr(here, "MODULES", fake)
    assert cycles() == [["synthrl.a", "synthrl.b"]]


def test_every_stage_lives_in_its_own_module_and_imports_no_other_stage():
    stages = {f"synthrl.stages.{stage.name}" for stage in STAGE_TABLE}
    for stage in STAGE_TABLE:
        assert stage.run.__module__ == f"synthrl.stages.{stage.name}"
        assert stage.run.__name__ == "run"
    assert {name for name in MODULES if name.startswith("synthrl.stages.")} == stages
    for name in sorted(stages):
        assert imports(name) & stages == set(), name
