"""The import graph of the reportgen package, read from the source with ``ast``.

    python scripts/import_graph.py            # every module and what it imports
    python scripts/import_graph.py --dot      # the same as Graphviz DOT (| dot -Tsvg)
    python scripts/import_graph.py --cycles   # exit 1 and list each import cycle

Every ``import`` and ``from … import`` in a module counts, at module level or inside a
function (an import hidden in a function to dodge a cycle is still a cycle), except those
under ``if TYPE_CHECKING:``. ``from reportgen.render import charts`` is an edge to
``reportgen.render.charts`` when that is a module, else to the package. Importing a
submodule runs its package's ``__init__`` too, but that implicit edge is not drawn: a
package that gathers its own submodules is not a cycle. tests/test_import_graph.py fails
on any cycle.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "reportgen"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file, for every .py file of the package."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``tree`` (module ``name``) imports."""
    out: set[str] = set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target:
                    out.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith(PACKAGE):
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                if sub in known:
                    out.add(sub)
                elif module in known:
                    out.add(module)
    out.discard(name)
    return out


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    found = modules(root)
    known = set(found)
    out = {}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        out[name] = _imports(tree, name, path.name == "__init__.py", known)
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each
    sorted, in sorted order: every import cycle is inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def cycle_path(edges: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through the first module of ``component``, as a list that starts and
    ends with it: a readable example of the component's tangle."""
    start = component[0]
    inside = set(component)
    parents = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v] & inside):
            if w == start:
                path = [v]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])
                return [*reversed(path), start]
            if w not in parents:
                parents[w] = v
                queue.append(w)
    return component


def to_dot(edges: dict[str, set[str]]) -> str:
    lines = ["digraph reportgen {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for v in sorted(edges):
        lines.append(f'  "{v}";')
        lines += [f'  "{v}" -> "{w}";' for w in sorted(edges[v])]
    lines.append("}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dot", action="store_true", help="print Graphviz DOT")
    p.add_argument("--cycles", action="store_true", help="list cycles; exit 1 if any")
    args = p.parse_args(argv)
    edges = graph()
    if args.cycles:
        found = cycles(edges)
        for component in found:
            print(" -> ".join(cycle_path(edges, component))
                  + f"   ({len(component)} modules: {', '.join(component)})")
        print(f"{len(found)} import cycle(s) among {len(edges)} modules")
        return 1 if found else 0
    if args.dot:
        print(to_dot(edges))
        return 0
    for v in sorted(edges):
        print(f"{v}: {', '.join(sorted(edges[v])) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
