"""Make N report files in a directory, copies of samples/*.txt in turn, 1,000 to a
sub-directory:  python bench/makefiles.py DIR N"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources() -> list[bytes]:
    files = sorted((ROOT / "samples").glob("*.txt"))
    return [f.read_bytes() for f in files]


def make(out: Path, n: int) -> Path:
    srcs = sources()
    for i in range(n):
        d = out / f"d{i // 1000:04d}"
        if i % 1000 == 0:
            d.mkdir(parents=True, exist_ok=True)
        (d / f"r{i:07d}.txt").write_bytes(srcs[i % len(srcs)])
    return out


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]))
