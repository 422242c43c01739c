"""The --format html page in a real browser (headless Chromium): the highlights survive parsing
and the page renders with its inline styles. Skipped when Chromium is not installed
(.ci/run installs it when it can)."""
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from extractor.source import read_path
from extractor.report_html import COLOURS, to_html

from .conftest import SAMPLES

SEED = SAMPLES / "county_committee_chrome.txt"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'profile'}", *args]
    env = dict(os.environ, HOME=str(tmp))
    return subprocess.run(cmd, capture_output=True, timeout=180, env=env)


@pytest.fixture(scope="module")
def page(engine, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    src = read_path(str(SEED))
    summary = engine.summarize_source(src)
    path = tmp / "report.html"
    path.write_text(to_html(summary, src.raw, name=SEED.name), encoding="utf-8")
    return tmp, path, summary


def test_highlights_are_in_the_dom(page):
    tmp, path, summary = page
    r = chromium(tmp, "--dump-dom", path.as_uri())
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    dom = r.stdout.decode("utf-8")
    assert "<table>" in dom and "<ol>" in dom
    written = path.read_text(encoding="utf-8")
    assert dom.count("<mark ") == written.count("<mark ") > 0
    for p in summary.hosts + summary.speakers + summary.attendees:
        assert f'data-span="{p.evidence.start}-{p.evidence.end}"' in dom
    assert 'class="f-hosts" title="%s"' % summary.hosts[0].evidence.rule in dom
    assert summary.hosts[0].evidence.text in dom
    assert 'class="key f-points"' in dom


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = ihdr[:4]
    assert depth == 8 and ctype in (2, 6)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(x for j in range(0, stride, 4) for x in line[j:j + 3]))
        prev = line
    return w, h, rows


def test_screenshot_renders_the_highlight_colours(page):
    tmp, path, _ = page
    shot = tmp / "report.png"
    r = chromium(tmp, f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars", path.as_uri())
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert len(data) > 10_000
    w, h, rows = _png_pixels(data)
    assert (w, h) == (1200, 1600)
    pixels = b"".join(rows)
    colours = {bytes(pixels[i:i + 3]) for i in range(0, len(pixels), 3 * 7)}  # a sample of the pixels
    assert len(colours) > 50  # text and colours, not a blank page
    for field in ("hosts", "speakers", "attendees", "meeting"):
        rgb = bytes.fromhex(COLOURS[field][1:])
        assert any(abs(c[0] - rgb[0]) + abs(c[1] - rgb[1]) + abs(c[2] - rgb[2]) <= 6 for c in colours), field
