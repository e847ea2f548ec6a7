"""The house follows the flow: no import cycle in reportgen, counting imports inside
functions too (scripts/import_graph.py reads them with ``ast``)."""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("import_graph", import_graph)
_spec.loader.exec_module(import_graph)


def test_the_graph_sees_function_level_imports(tmp_path):
    pkg = tmp_path / "reportgen"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from reportgen import b\n")
    (pkg / "b.py").write_text("from reportgen.a import f\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    from reportgen import a\n")
    edges = import_graph.graph(tmp_path)
    assert edges["reportgen.a"] == {"reportgen.b"}
    assert edges["reportgen.c"] == set()
    assert import_graph.cycles(edges) == [["reportgen.a", "reportgen.b"]]


def test_reportgen_has_no_import_cycle():
    edges = import_graph.graph()
    found = import_graph.cycles(edges)
    assert not found, "import cycles: " + "; ".join(
        " -> ".join(import_graph.cycle_path(edges, c)) for c in found)
