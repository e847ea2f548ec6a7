"""The samples' outputs against tests/golden/ (regenerate with `python scripts/golden.py`
after a change that is meant to alter what users see, and review the diff)."""

import difflib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _golden_module():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_samples_match_golden_outputs():
    golden = _golden_module()
    files = golden.current()
    diff = golden.differences(files)
    shown = []
    for name in diff[:3]:
        path = golden.GOLDEN / name
        old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        new = files.get(name, "").splitlines()
        shown.extend(list(difflib.unified_diff(old, new, name, name, lineterm="", n=1))[:40])
    assert not diff, ("outputs differ from tests/golden/ (run `python scripts/golden.py` "
                      "if the change is meant):\n" + "\n".join(shown))
