import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import dataclasses
import os
from datetime import date

import pytest

from reportgen.config import load_config

# No PDF of the paper in every cycle the suite runs (LibreOffice takes seconds);
# tests/test_pdf.py makes them on purpose (issue 19).
os.environ.setdefault("REPORTGEN_SOFFICE", "none")

TODAY = date(2018, 10, 5)
AS_OF = date(2018, 9, 30)


@pytest.fixture(scope="session")
def config():
    """The repository's reportgen.toml, reading in this process (no worker pool)."""
    cfg = load_config(ROOT / "reportgen.toml")
    return cfg


@pytest.fixture
def read(config):
    """read(*paths, **options) → IngestResult, as of 30/09/2018."""
    from reportgen.validate import read_trackers

    def _read(*paths, cfg=None):
        return read_trackers(list(paths), cfg or config, today=TODAY, as_of=AS_OF)
    return _read


def codes(result):
    """[(code, cell)] of a result's issues, for assertions."""
    return [(i.code, i.cell) for i in result.issues]
