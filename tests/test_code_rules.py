"""Project promises checked in code: domain words live in rules/, rules ship in the wheel."""
import ast
import io
import re
import tokenize
import zipfile
import subprocess
import sys

import pytest

from .conftest import ROOT

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_no_chinese_literals_in_extractor_code():
    offenders = []
    for path in (ROOT / "extractor").rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        tree = ast.parse(src)
        docs = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                    docs.add(body[0].lineno)
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.STRING and tok.start[0] not in docs and HAN.search(tok.string):
                offenders.append(f"{path.name}:{tok.start[0]}")
    assert offenders == []



def test_wheel_carries_the_rules(tmp_path):
    pytest.importorskip("hatchling")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-500:]
    wheel = next(tmp_path.glob("jiyao-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert shipped and shipped <= {n.split("/")[-1] for n in names if n.startswith("extractor/rules/")}
    # the metadata: PEP 639 licence with its file, one version (extractor.__version__), typed
    import email
    import extractor
    meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read(meta_name))
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File")
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert meta["Version"] == extractor.__version__
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert "extractor/py.typed" in names
