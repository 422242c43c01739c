from pathlib import Path

import pytest

from extractor import Engine

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()
