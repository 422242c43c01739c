from pathlib import Path

import pytest

from extractor import Engine

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(autouse=True)
def _no_config(monkeypatch):
    """No test picks up a jiyao.toml or [tool.jiyao] of the machine it runs on;
    the configuration tests switch discovery back on where they test it."""
    monkeypatch.setenv("JIYAO_NO_CONFIG", "1")


@pytest.fixture
def private_rule_cache(tmp_path_factory, monkeypatch):
    """The rule cache of this test session, not the user's (for tests that run the CLI)."""
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "rulecache"))
