from pathlib import Path

import pytest

from extractor import Engine

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"


def sample_copies(d: Path, n: int, width: int = 4) -> list[Path]:
    """``n`` copies of samples/*.txt in ``d`` (made when missing), in turn, each named
    ``{i:0{width}d}_{sample name}`` so that a directory lists them in the order made."""
    texts = sorted(SAMPLES.glob("*.txt"))
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = texts[i % len(texts)]
        dst = d / f"{i:0{width}d}_{src.name}"
        dst.write_bytes(src.read_bytes())
        out.append(dst)
    return out


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
