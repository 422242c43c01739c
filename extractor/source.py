"""Stage 1, read: input files to text -- which files (:func:`iter_inputs`), byte decoding,
clean-up and markup stripping.

Everything the engine sees goes through a :class:`Source`:

* ``raw``  -- the decoded file (leading U+FEFF removed, C0 control characters other
  than TAB/LF/CR turned into spaces, so ``len`` is unchanged by the clean-up);
* ``text`` -- the plain text handed to the engine.  For plain-text input it *is*
  ``raw`` and ``offsets`` is ``None``; for Markdown and HTML the markup is dropped and
  ``offsets[i]`` is the index in ``raw`` of ``text[i]`` (``len(text) + 1`` entries, the
  last one ``len(raw)``, never decreasing; an ``array`` of 4-byte integers, not a tuple:
  see "Memory" below).

Memory: reading takes a bounded multiple of the input.  Plain text is decoded once (the
bytes, then the text); Markdown and HTML also keep the offsets (4 bytes a character) and,
for Markdown, markdown-it's tokens while the text is extracted.

Decoding order (measured, see shared/design/libraries.md section 4): BOM, strict
UTF-8, strict GB18030 (skipped when the bytes contain NUL, because UTF-16 bytes often
decode "successfully" as GB18030), then charset-normalizer's best guess.  Big5 bytes
(traditional Chinese) are nearly always valid GB18030 too, read as kana, bopomofo and
vertical punctuation; a GB18030 reading full of those is handed to charset-normalizer, whose
answer is taken when it is another encoding that reads cleaner.  Nothing is ever decoded
with ``errors='replace'``: undecodable input raises :class:`ReadError`.

Only the standard library is imported at module level; markdown-it-py,
charset-normalizer and html.parser are imported when first needed.
"""

from __future__ import annotations

import codecs
import os
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from .errors import printable

__all__ = ["ReadError", "Source", "decode", "read_path", "read_stdin", "from_text", "FORMATS", "MAX_BYTES"]

FORMATS = ("text", "markdown", "html")

_FORMAT_ALIASES = {
    "text": "text", "txt": "text", "plain": "text",
    "markdown": "markdown", "md": "markdown",
    "html": "html", "htm": "html",
}

_EXT_FORMATS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
}

# Signatures of binary formats people might hand us by mistake: images, PDF, zip
# containers (.docx/.xlsx), old Office files (.doc), archives, executables.  Only
# signatures no plain-text file starts with; other binaries are caught by NULs.
_MAGIC = (
    b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"PK\x05\x06",
    b"\x1f\x8b", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07",
    b"\x7fELF", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-",
    b"\x00\x00\x01\x00", b"II*\x00", b"MM\x00*", b"\xca\xfe\xba\xbe", b"SQLite format 3\x00",
)

# C0 controls other than TAB, LF, CR (and DEL) become spaces: same length, offsets 1:1.
_CONTROL_TABLE = {c: " " for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
_CONTROL_TABLE[0x7F] = " "


class ReadError(Exception):
    """An input could not be read or decoded.  ``str(err)`` is a one-line human message,
    e.g. ``'file.txt: cannot decode as UTF-8, GB18030 or any detected encoding (try --encoding)'``."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file as read (never changed once made): see the module docstring."""

    text: str
    raw: str
    offsets: Sequence[int] | None
    path: str | None
    encoding: str
    format: str

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to the corresponding span of ``raw``.

        The raw span starts at the first character's source position and ends just after
        the last character's source (a whole entity such as ``&amp;`` when the character
        was decoded from one)."""
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        if self.offsets is None:
            return start, end
        offs = self.offsets
        rs = offs[start]
        if end == start:
            return rs, rs
        last = offs[end - 1]
        raw = self.raw
        return rs, max(_unit_end(raw, last, self.text[end - 1], offs[end]), rs)


def _unit_end(raw: str, pos: int, ch: str, nxt: int) -> int:
    """End of the raw unit that produced text character ``ch`` at raw index ``pos``:
    the whole entity for a decoded ``&amp;``, one character when it was copied, else
    the next character's position ``nxt``."""
    if pos >= len(raw):
        return len(raw)
    r = raw[pos]
    if r == "&":
        m = _entity_re().match(raw, pos)
        if m:
            import html

            if html.unescape(m.group(0)) != m.group(0):
                return m.end()
    if r == ch:
        return pos + 1
    return max(nxt, pos + 1)


# --------------------------------------------------------------------------- decoding

def _clean(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.translate(_CONTROL_TABLE)


def _codec_name(enc: str) -> str:
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return enc.replace("_", "-").lower()


def _looks_binary_text(text: str) -> bool:
    """Decoded text that is mostly control characters is not a document."""
    if not text:
        return False
    sample = text[:65536]
    bad = sum(1 for ch in sample if (ord(ch) < 0x20 and ch not in "\t\n\r\f\v") or ch == "\x7f")
    return bad > 8 and bad * 10 > len(sample)  # more than 10 %


def _odd_for_chinese(text: str) -> tuple[int, int]:
    """(characters a Chinese text hardly ever holds, CJK characters) in the first 64 K
    characters: kana, bopomofo and the CJK vertical/compatibility forms are what Big5 bytes
    turn into when read as GB18030."""
    odd = han = 0
    for ch in text[:65536]:
        o = ord(ch)
        if o < 0x2E80:
            continue
        han += 1
        if 0x3040 <= o <= 0x312F or 0xFE10 <= o <= 0xFE4F:
            odd += 1
    return odd, han


def _misread_big5(text: str) -> bool:
    odd, han = _odd_for_chinese(text)
    return odd >= 3 and odd * 50 >= han


def _better_guess(data: bytes, text: str) -> tuple[str, str] | None:
    """charset-normalizer's reading of ``data`` when it is not GB and reads cleaner than ``text``."""
    import charset_normalizer  # lazy: costs ~20 ms to import

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    enc = _codec_name(best.encoding)
    if enc in ("gb18030", "gbk", "gb2312", "hz"):
        return None
    alt = str(best)
    if "\ufffd" in alt or _looks_binary_text(alt):
        return None
    if _odd_for_chinese(alt)[0] * 4 >= _odd_for_chinese(text)[0]:
        return None
    return _clean(alt), enc


def _one_line(msg: str) -> str:
    return " ".join(str(msg).split())


def decode(data: bytes, encoding: str | None = None, name: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding_used)``.

    The text has a leading U+FEFF removed and C0 control characters other than TAB, LF
    and CR replaced by spaces (same length).  With ``encoding`` the bytes are decoded
    strictly with that codec; otherwise it is detected.  Raises :class:`ReadError`."""
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
        try:
            text = data.decode(info.name)
        except UnicodeDecodeError as e:
            raise ReadError(
                f"{name}: cannot decode as {encoding} ({_one_line(e.reason)} at byte {e.start})"
            ) from None
        except Exception as e:  # non-text codecs (hex, rot13, ...) and codec bugs
            raise ReadError(f"{name}: cannot decode as {encoding} ({_one_line(e)})") from None
        return _clean(text), info.name

    if not data:
        return "", "utf-8"
    if data.startswith(_MAGIC):
        raise ReadError(f"{name}: looks like a binary file")

    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue  # e.g. a UTF-16 LE BOM followed by garbage; keep guessing
            if not _looks_binary_text(text):
                return _clean(text), enc

    nuls = data.count(b"\x00")
    if not nuls:
        for enc in ("utf-8", "gb18030"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if enc == "gb18030" and _misread_big5(text):
                alt = _better_guess(data, text)
                if alt is not None:
                    return alt
            return _clean(text), enc
    elif nuls * 10 <= len(data):
        # A few stray NULs in a UTF-8 file: still text.  (UTF-16 of ASCII-heavy text is
        # valid UTF-8 too, but then about half the bytes are NUL.)  GB18030 is skipped:
        # UTF-16 bytes often decode as GB18030 without error.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not _looks_binary_text(text):
                return _clean(text), "utf-8"

    import charset_normalizer  # lazy: costs ~20 ms to import

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_binary_text(text):
            raise ReadError(f"{name}: looks like a binary file")
        return _clean(text), _codec_name(best.encoding)

    if nuls:
        raise ReadError(f"{name}: looks like a binary file")
    raise ReadError(
        f"{name}: cannot decode as UTF-8, GB18030 or any detected encoding (try --encoding)"
    )


# --------------------------------------------------------------------------- entry points

def _norm_format(input_format: str | None, path: str | None) -> str:
    if input_format:
        fmt = _FORMAT_ALIASES.get(input_format.strip().lower())
        if fmt is None:
            raise ReadError(
                f"unknown input format {input_format!r} (expected one of: {', '.join(FORMATS)})"
            )
        return fmt
    if path:
        return _EXT_FORMATS.get(os.path.splitext(path)[1].lower(), "text")
    return "text"


def _build(raw: str, fmt: str, path: str | None, encoding: str) -> Source:
    if fmt == "markdown":
        text, offs = _strip_markdown(raw)
    elif fmt == "html":
        text, offs = _strip_html(raw)
    else:
        return Source(raw, raw, None, path, encoding, "text")
    return Source(text, raw, _finish_offsets(text, offs, len(raw)), path, encoding, fmt)


def _finish_offsets(text: str, offs: Sequence[int], n_raw: int) -> Sequence[int]:
    """The offsets as an ``array`` of machine integers (4 bytes a character; a list or a
    tuple of ints takes 36): never decreasing, never past raw's last character, plus ``n_raw``."""
    from array import array
    from itertools import accumulate, repeat

    assert len(offs) == len(text), (len(offs), len(text))
    top = max(n_raw - 1, 0)  # a kept character always points at a character of raw
    out = array("I" if n_raw < 1 << 32 else "q", map(min, accumulate(offs, max), repeat(top)))
    out.append(n_raw)
    return out


MAX_BYTES = 50 * 1024 * 1024
"""Default size cap of one input (50 MiB): a larger file is an error, never read whole.
``read_path(..., max_bytes=)``, ``summarize_many(..., max_bytes=)`` and ``--max-size``
change it (``None`` or 0: no cap)."""


def _too_big(name: str, max_bytes: int) -> ReadError:
    return ReadError(f"{name}: larger than the size limit of {max_bytes:,} bytes (--max-size)")


def _read_capped(read, max_bytes: int | None) -> bytes:
    """All of a stream, or ``max_bytes + 1`` bytes of it (enough to know it is too big)."""
    if not max_bytes:
        return read()
    return read(max_bytes + 1)


def read_path(path: str, encoding: str | None = None, input_format: str | None = None,
              max_bytes: int | None = MAX_BYTES) -> Source:
    """Read and decode a file; the format comes from the extension unless given.

    Only regular files are read: a FIFO, a device (a link to ``/dev/zero``), a socket or a
    directory is a :class:`ReadError`, and so is a file larger than ``max_bytes``.  A FIFO
    is opened without blocking, so it never waits for a writer."""
    import stat
    name = printable(str(path))
    fmt = _norm_format(input_format, path)
    if is_url(path):
        return from_bytes(read_url(path), path, encoding, input_format)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        reason = e.strerror or e.__class__.__name__
        raise ReadError(f"{name}: cannot open ({_one_line(reason)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                    else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                    else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise ReadError(f"{name}: cannot read {kind} (only regular files are read)")
        if max_bytes and st.st_size > max_bytes:
            raise _too_big(name, max_bytes)
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = _read_capped(f.read, max_bytes)
    except OSError as e:
        reason = e.strerror or e.__class__.__name__
        raise ReadError(f"{name}: cannot read ({_one_line(reason)})") from None
    finally:
        if fd != -1:
            os.close(fd)
    if max_bytes and len(data) > max_bytes:  # it grew while we read
        raise _too_big(name, max_bytes)
    raw, enc = decode(data, encoding, name=name)
    del data
    return _build(raw, fmt, str(path), enc)


def is_url(path: object) -> bool:
    """``scheme://...`` (``s3://``, ``gs://``, ``file://``, ``memory://``): read through fsspec."""
    if not isinstance(path, str):
        return False
    i = path.find("://")
    return i > 1 and path[:i].replace("+", "").replace("-", "").replace(".", "").isalnum() \
        and path[:i].isascii() and path[0].isalpha()


def read_url(url: str) -> bytes:
    """The bytes at ``url``, through fsspec (``pip install fsspec``, plus ``s3fs``, ``gcsfs``
    ... for those schemes).  Raises :class:`ReadError` with one line."""
    try:
        import fsspec
    except ImportError:
        raise ReadError(f"{url}: cannot open (reading URLs needs fsspec: pip install fsspec)") from None
    try:
        with fsspec.open(url, "rb") as f:
            return f.read()
    except Exception as e:  # fsspec back ends raise their own errors (missing module, no such key ...)
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise ReadError(f"{url}: cannot open ({_one_line(reason)})") from None


def from_bytes(data: bytes, name: str, encoding: str | None = None, input_format: str | None = None) -> Source:
    """Decode ``data`` read from ``name`` (a path or URL: its extension gives the format)."""
    fmt = _norm_format(input_format, name)
    raw, enc = decode(data, encoding, name=name)
    return _build(raw, fmt, name, enc)


def read_stdin(encoding: str | None = None, input_format: str | None = None,
               max_bytes: int | None = MAX_BYTES) -> Source:
    """Read and decode all of ``sys.stdin.buffer`` (plain text unless a format is given),
    at most ``max_bytes``."""
    fmt = _norm_format(input_format, None)
    stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is not None:
            data = _read_capped(stream.read, max_bytes)
        else:  # stdin replaced by a text stream (tests, embedding)
            data = sys.stdin.read()
            if isinstance(data, str):
                return from_text(data, fmt)
    except OSError as e:
        raise ReadError(f"<stdin>: cannot read ({_one_line(e.strerror or e)})") from None
    if max_bytes and len(data) > max_bytes:
        raise _too_big("<stdin>", max_bytes)
    raw, enc = decode(data, encoding, name="<stdin>")
    del data
    return _build(raw, fmt, None, enc)


def from_text(text: str, input_format: str = "text") -> Source:
    """Wrap an already decoded string (same clean-up as decoded files)."""
    fmt = _norm_format(input_format or "text", None)
    raw = _clean(text)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: only possible for str input
        raw = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in raw)
    return _build(raw, fmt, None, "utf-8")


# --------------------------------------------------------------------------- output buffer

class _Out:
    """Collects output text with the raw offset of each character.

    Memory is what bounds the reading of large Markdown and HTML files (measured: a list
    of one-character strings and a list of ints cost about 120 bytes a character), so the
    text is kept as strings (short ones joined every :data:`_JOIN` pieces) and the offsets
    in an ``array`` of 8-byte integers.  ``len(out)`` is the number of characters."""

    __slots__ = ("parts", "buf", "offs")

    def __init__(self) -> None:
        from array import array
        self.parts: list[str] = []
        self.buf: list[str] = []
        self.offs = array("q")

    def __len__(self) -> int:
        return len(self.offs)

    def _push(self, s: str) -> None:
        buf = self.buf
        buf.append(s)
        if len(buf) >= _JOIN:
            self.parts.append("".join(buf))
            buf.clear()

    def add(self, s: str, off: int) -> None:
        if not s:
            return
        self._push(s)
        if len(s) == 1:
            self.offs.append(off)
        else:
            from itertools import repeat
            self.offs.extend(repeat(off, len(s)))

    def add_mapped(self, s: str, offs: Sequence[int]) -> None:
        if not s:
            return
        self._push(s)
        self.offs.extend(offs)

    def last(self) -> str:
        if self.buf:
            return self.buf[-1][-1]
        return self.parts[-1][-1] if self.parts else ""

    def drop_trailing_spaces(self) -> None:
        for pieces in (self.buf, self.parts):
            while pieces:
                piece = pieces[-1]
                kept = piece.rstrip(" ")
                if len(kept) < len(piece):
                    del self.offs[len(self.offs) - (len(piece) - len(kept)):]
                if kept:
                    pieces[-1] = kept
                    return
                pieces.pop()

    def text(self) -> str:
        if self.buf:
            self.parts.append("".join(self.buf))
            self.buf.clear()
        return "".join(self.parts)


_JOIN = 4096


_ENTITY_RE = None


def _entity_re():
    global _ENTITY_RE
    if _ENTITY_RE is None:
        import re

        _ENTITY_RE = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,7};?|[A-Za-z][A-Za-z0-9]{0,31};?)")
    return _ENTITY_RE


def _align(s: str, raw: str, cur: int, limit: int, window: int = 64) -> tuple[list[int], int]:
    """Locate ``s`` in ``raw[cur:limit]`` searching forward; returns per-character offsets
    and the new cursor.

    The fast path finds ``s`` verbatim.  Otherwise characters are matched one by one:
    a character decoded from an entity (``&amp;``) maps to the ``&``, an escaped one
    (``\\*``) to itself after the backslash, and anything else is looked for a short
    distance ahead (skipping line prefixes such as indentation or ``>``); a character
    that cannot be found maps to the cursor."""
    if not s:
        return [], cur
    limit = min(limit, len(raw))
    i = raw.find(s, cur, limit)
    if i != -1:
        return range(i, i + len(s)), i + len(s)
    offs = []
    for ch in s:
        if cur < limit:
            r = raw[cur]
            if r == ch:
                offs.append(cur)
                cur += 1
                continue
            if r == "&":
                m = _entity_re().match(raw, cur, limit)
                if m:
                    import html

                    dec = html.unescape(m.group(0))
                    if dec != m.group(0) and dec.startswith(ch):
                        offs.append(cur)
                        cur = m.end()
                        continue
            if r == "\\" and cur + 1 < limit and raw[cur + 1] == ch:
                offs.append(cur + 1)
                cur += 2
                continue
            if ch in "\n " and r in "\r\n":  # line end (code spans turn it into a space)
                offs.append(cur)
                cur += 2 if r == "\r" and cur + 1 < limit and raw[cur + 1] == "\n" else 1
                continue
        j = raw.find(ch, cur, min(limit, cur + window))
        if j == -1:
            offs.append(min(cur, len(raw)))
        else:
            offs.append(j)
            cur = j + 1
    return offs, cur


def _find_eol(raw: str, cur: int, limit: int) -> int:
    for k in range(cur, min(limit, len(raw))):
        if raw[k] in "\r\n":
            return k
    return -1


# --------------------------------------------------------------------------- markdown

_MD = None
_MD_NESTING = 100


def _markdown_parser():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt  # lazy: ~30 ms to import

        # maxNesting 100 (commonmark preset: 20, i.e. lists ten deep) costs about 220 stack
        # frames at worst; past it _strip_markdown falls back to the text as written
        # inline content is parsed one block at a time (_inline_children), not all at once:
        # a whole document's inline tokens took ~20 bytes per input byte
        _MD = MarkdownIt("commonmark", {"html": True, "maxNesting": _MD_NESTING}).enable("table") \
            .disable(["inline", "text_join"])
    return _MD


def _inline_children(md, tok, env: dict) -> list:
    """The inline tokens of one ``inline`` block token, as ``md.parse`` makes them with its
    core rules ``inline`` and ``text_join`` (which are run here, for this token alone)."""
    from markdown_it.rules_core import StateCore, text_join

    children: list = []
    md.inline.parse(tok.content, md, env, children)
    state = StateCore("", md, env)
    tok.children = children
    state.tokens = [tok]
    text_join(state)
    children = tok.children or []
    tok.children = None
    return children


def _line_starts(raw: str) -> list[int]:
    """Start index of every line, counting \\r\\n, \\r and \\n as line ends (as markdown-it)."""
    starts = [0]
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\n":
            starts.append(i + 1)
        elif ch == "\r":
            if i + 1 < n and raw[i + 1] == "\n":
                i += 1
            starts.append(i + 1)
        i += 1
    return starts


_BR_TAGS = ("<br>", "<br/>", "<br />")


def _strip_markdown(raw: str) -> tuple[str, list[int]]:
    import re

    marker = re.compile(r"[ \t]*(?:(?:>[ \t]?)|(?:[-+*][ \t]+)|(?:\d{1,9}[.)][ \t]+)|(?:#{1,6}[ \t]+))*")
    md = _markdown_parser()
    try:
        env: dict = {}
        tokens = md.parse(raw, env)
    except RecursionError:  # called with little stack left: read the text as written
        return raw, range(len(raw))
    if tokens and max(t.level for t in tokens) >= md.options.get("maxNesting", _MD_NESTING) - 1:
        # markdown-it stops at its nesting limit (lists 50 deep, quotes 100 deep) and
        # silently drops the rest of the document: keep the whole text, markup and all
        return raw, range(len(raw))
    starts = _line_starts(raw)
    nlines = len(starts)

    def line_pos(i: int) -> int:
        return starts[i] if i < nlines else len(raw)

    blocks: list[tuple[str, list[int]]] = []
    cursor = 0
    row: list[tuple[str, list[int]]] | None = None

    def inline_block(tok, cur: int) -> tuple[str, list[int], int]:
        a, b = tok.map if tok.map else (None, None)
        if a is not None:
            cur = max(cur, line_pos(a))
            limit = line_pos(b)
        else:
            limit = len(raw)
        out = _Out()
        at_line_start = True
        for c in _inline_children(md, tok, env):
            t = c.type
            if t == "image":  # alt text is dropped with the image
                continue
            if t in ("text", "code_inline"):
                s = c.content
                if not s:
                    continue
                if at_line_start:
                    m = marker.match(raw, cur, limit)
                    p = m.end() if m else cur
                    if raw.startswith(s, p):
                        cur = p
                offs, cur = _align(s, raw, cur, limit)
                out.add_mapped(s, offs)
                at_line_start = False
            elif t in ("softbreak", "hardbreak"):
                eol = _find_eol(raw, cur, limit)
                out.add("\n", eol if eol != -1 else cur)
                if eol != -1:
                    cur = eol + 1
                    if raw[eol] == "\r" and cur < len(raw) and raw[cur] == "\n":
                        cur += 1
                at_line_start = True
            elif t == "html_inline":
                tag = c.content.lower().replace("\t", " ")
                j = raw.find(c.content, cur, limit)
                if j != -1:
                    cur = j + len(c.content)
                if tag in _BR_TAGS or tag.startswith("<br "):
                    out.add("\n", j if j != -1 else cur)
                    at_line_start = True
        return out.text(), out.offs, cur

    for tok in tokens:
        t = tok.type
        if t == "tr_open":
            row = []
        elif t == "tr_close":
            if row:
                chars: list[str] = []
                offs: list[int] = []
                for k, (s, o) in enumerate(row):
                    if k:
                        chars.append(" ")
                        offs.append(offs[-1] + 1 if offs else o[0])
                    chars.append(s)
                    offs.extend(o)
                blocks.append(("".join(chars), offs))
            row = None
        elif t == "inline":
            s, o, cursor = inline_block(tok, cursor)
            s, o = _trim(s, o)
            if not s:
                continue
            if row is not None:
                row.append((s, o))
            else:
                blocks.append((s, o))
        elif t in ("fence", "code_block"):
            a, b = tok.map
            first = line_pos(a + 1 if t == "fence" else a)
            content = tok.content.rstrip("\n")
            if not content.strip():
                continue
            offs, cursor = _align(content, raw, max(cursor, first), line_pos(b))
            blocks.append((content, offs))
        elif t == "html_block":
            a, b = tok.map
            base = line_pos(a)
            seg = raw[base:line_pos(b)]
            s, o = _strip_html(seg, header=False)
            cursor = max(cursor, line_pos(b))
            for line, lo in _split_lines(s, [x + base for x in o]):
                blocks.append((line, lo))

    out = _Out()
    for k, (s, o) in enumerate(blocks):
        if k:
            prev = out.offs[-1] + 1 if len(out) else 0
            out.add("\n", _eol_between(raw, prev, o[0]) if o else prev)
        out.add_mapped(s, o)
    return out.text(), out.offs


def _eol_between(raw: str, a: int, b: int) -> int:
    """Position of a line end in raw[a:b] (for synthetic newlines), else ``a``."""
    j = _find_eol(raw, a, b)
    return j if j != -1 else a


def _trim(s: str, o: list[int]) -> tuple[str, list[int]]:
    i, j = 0, len(s)
    while i < j and s[i] in " \t\r\n":
        i += 1
    while j > i and s[j - 1] in " \t\r\n":
        j -= 1
    return s[i:j], o[i:j]


def _split_lines(s: str, o: list[int]):
    start = 0
    for k, ch in enumerate(s + "\n"):
        if ch == "\n":
            line, lo = _trim(s[start:k], o[start:k])
            if line:
                yield line, lo
            start = k + 1


# --------------------------------------------------------------------------- html

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"})
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
    "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "header", "footer", "main",
    "nav", "aside", "figure", "figcaption", "form", "fieldset", "legend", "hr", "address",
    "center", "caption", "thead", "tbody", "tfoot", "body", "html", "title", "details", "summary",
    "option", "textarea",
})
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col",
                        "embed", "param", "source", "track", "wbr"})
_DATE_META = ("article:published_time", "publishdate", "pubdate", "og:published_time",
              "datepublished", "article:published", "publish_date", "publishtime")
_SOURCE_META = ("source", "contentsource")
_WS = " \t\n\r\f"


def _strip_html(raw: str, header: bool = True) -> tuple[str, list[int]]:
    """Plain text of an HTML document with per-character raw offsets.

    With ``header`` the <title> text and the publication date / source from <meta>
    tags come first, one per line."""
    parser = _make_html_parser(raw)
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # html.parser is lenient; never fail the whole file on markup
        pass
    parser.flush_pending()
    body = parser.body
    out = _Out()
    if header:
        for s, o in parser.header_lines():
            out.add_mapped(s, o)
            out.add("\n", o[-1] + 1)
    btext, boffs = _trim(body.text(), body.offs)
    out.add_mapped(btext, boffs)
    # collapse whitespace-only lines and runs of line breaks
    s = out.text()
    res = _Out()
    for line, lo in _split_lines(s, out.offs):
        if len(res):
            res.add("\n", res.offs[-1] + 1)
        res.add_mapped(line, lo)
    return res.text(), res.offs


def _make_html_parser(raw: str):
    import html
    from html.parser import HTMLParser

    entity_re = _entity_re()
    starts = _line_starts_lf(raw)

    class _Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=False)
            self.body = _Out()
            self.title = _Out()
            self.meta_date: tuple[str, list[int]] | None = None
            self.meta_source: tuple[str, list[int]] | None = None
            self.skip: list[str] = []
            self.in_title = False
            self.title_done = False
            self.pre = 0
            self.pending: int | None = None  # offset of a collapsed whitespace run

        # -- positions
        def pos(self) -> int:
            line, col = self.getpos()
            return (starts[line - 1] if line - 1 < len(starts) else len(raw)) + col

        # -- output helpers
        def target(self) -> _Out | None:
            if self.in_title:
                return self.title
            if self.skip:
                return None
            return self.body

        def flush_pending(self) -> None:
            if self.pending is not None:
                out = self.body
                if len(out) and out.last() not in " \n":
                    out.add(" ", self.pending)
                self.pending = None

        def emit_char(self, ch: str, off: int) -> None:
            out = self.target()
            if out is None:
                return
            if self.pre and out is self.body:
                out.add(ch, off)
                return
            if ch in _WS:
                if out is self.body:
                    if self.pending is None:
                        self.pending = off
                elif len(out) and out.last() != " ":
                    out.add(" ", off)
                return
            if out is self.body:
                self.flush_pending()
            out.add(ch, off)

        def emit_raw(self, data: str, start: int) -> None:
            """Data as it appears in raw at ``start`` (entities may still be inside)."""
            if self.target() is None:
                return
            if "&" not in data:
                for k, ch in enumerate(data):
                    self.emit_char(ch, start + k)
                return
            k = 0
            for m in entity_re.finditer(data):
                for j in range(k, m.start()):
                    self.emit_char(data[j], start + j)
                dec = html.unescape(m.group(0))
                for ch in dec:
                    self.emit_char(ch, start + m.start())
                k = m.end()
            for j in range(k, len(data)):
                self.emit_char(data[j], start + j)

        def emit_decoded(self, dec: str, off: int) -> None:
            for ch in dec:
                self.emit_char(ch, off)

        def newline(self, off: int) -> None:
            if self.skip or self.in_title:
                return
            self.pending = None
            out = self.body
            if len(out) and out.last() != "\n":
                out.drop_trailing_spaces()  # of the line
                if len(out) and out.last() != "\n":
                    out.add("\n", off)

        def cell_sep(self, off: int) -> None:
            if self.skip or self.in_title:
                return
            out = self.body
            if len(out) and out.last() not in " \n" and self.pending is None:
                self.pending = off

        # -- parser callbacks
        def handle_starttag(self, tag, attrs):
            off = self.pos()
            if tag == "meta":
                self.handle_meta(attrs, off)
                return
            if tag == "title":
                if self.title_done or self.in_title or any(t != "head" for t in self.skip):
                    self.skip.append("title")  # <title> inside <svg>, or a second one
                else:
                    self.in_title = True
                return
            if tag == "body" or (tag in _BLOCK_TAGS or tag in _CELL_TAGS) and tag not in ("html", "head"):
                # a missing </head> must not swallow the document
                while "head" in self.skip:
                    self.skip.remove("head")
            if tag in _SKIP_TAGS:
                if tag == "head" and "head" in self.skip:
                    return
                self.skip.append(tag)
                return
            if tag == "pre":
                self.pre += 1
            if tag in _BLOCK_TAGS:
                self.newline(off)
            elif tag in _CELL_TAGS:
                self.cell_sep(off)

        def handle_startendtag(self, tag, attrs):
            off = self.pos()
            if tag == "meta":
                self.handle_meta(attrs, off)
            elif tag in _BLOCK_TAGS:
                self.newline(off)
            elif tag in _CELL_TAGS:
                self.cell_sep(off)

        def handle_endtag(self, tag):
            off = self.pos()
            if tag == "title" and self.in_title:
                self.in_title = False
                self.title_done = True
                return
            if tag in _SKIP_TAGS or tag == "title":
                if tag in self.skip:
                    # close it and anything opened inside it
                    while self.skip:
                        if self.skip.pop() == tag:
                            break
                return
            if tag == "pre" and self.pre:
                self.pre -= 1
            if tag in _BLOCK_TAGS:
                self.newline(off)

        def handle_data(self, data):
            self.emit_raw(data, self.pos())

        def handle_entityref(self, name):
            off = self.pos()
            after = off + 1 + len(name)
            ref = "&" + name + (";" if after < len(raw) and raw[after] == ";" else "")
            dec = html.unescape(ref)
            if dec == ref:  # unknown entity: keep it literally
                for k, ch in enumerate(ref):
                    self.emit_char(ch, off + k)
            else:
                self.emit_decoded(dec, off)

        def handle_charref(self, name):
            off = self.pos()
            self.emit_decoded(html.unescape("&#" + name + ";"), off)

        def handle_meta(self, attrs, off):
            d = {k.lower(): (v or "") for k, v in attrs if k}
            key = (d.get("name") or d.get("property") or d.get("itemprop") or "").strip().lower()
            value = " ".join(d.get("content", "").split())
            if not key or not value:
                return
            if key in _DATE_META:
                if self.meta_date is None:
                    self.meta_date = (value, self.locate(value, off))
            elif key in _SOURCE_META:
                if self.meta_source is None:
                    self.meta_source = (value, self.locate(value, off))

        def locate(self, value: str, off: int) -> list[int]:
            tag = self.get_starttag_text() or ""
            k = tag.lower().find("content")
            start = off + (k + 7 if k != -1 else 0)
            offs, _ = _align(value, raw, start, off + len(tag))
            return offs

        def header_lines(self):
            lines = []
            t, o = _trim(self.title.text(), self.title.offs)
            if t:
                lines.append((t, o))
            for item in (self.meta_date, self.meta_source):
                if item:
                    lines.append(item)
            return lines

        # comments, doctype, processing instructions: dropped
        def handle_comment(self, data):
            pass

        def handle_decl(self, decl):
            pass

        def handle_pi(self, data):
            pass

        def unknown_decl(self, data):
            pass

    return _Parser()


def _line_starts_lf(raw: str) -> list[int]:
    """Line starts as html.parser counts them (only \\n ends a line)."""
    starts = [0]
    find = raw.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


INPUT_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")


def iter_inputs(paths: Iterable[str], empty: list[str] | None = None) -> Iterator[str]:
    """The files named by ``paths``, one at a time: directories walked (their report files,
    sorted within each directory), URLs with globs or naming a directory listed through
    fsspec (``s3://bucket/2024/*.txt``), anything else as given.  A directory that holds
    no report file is added to ``empty``."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for root, _dirs, files in os.walk(p):
                for f in sorted(files):
                    if f.lower().endswith(INPUT_EXTENSIONS):
                        found = True
                        yield os.path.join(root, f)
            if not found and empty is not None:
                empty.append(p)
        elif "://" in p:
            yield from (_expand_url(p) if is_url(p) else (p,))
        else:
            yield p


def _expand_url(url: str) -> list[str]:
    """A URL's files: a glob expanded, a directory listed (report files, sorted); the URL
    itself when fsspec is missing or lists nothing (reading it then says why)."""
    try:
        import fsspec.core
        fs, _token, paths = fsspec.core.get_fs_token_paths(url)
    except Exception:
        return [url]
    glob = any(c in url for c in "*?[")
    out: list[str] = []
    for p in sorted(paths):
        try:
            if fs.isdir(p):
                out.extend(fs.unstrip_protocol(f) for f in sorted(fs.find(p))
                           if f.lower().endswith(INPUT_EXTENSIONS))
                continue
        except Exception:
            pass
        out.append(fs.unstrip_protocol(p) if glob else url)  # a file's URL stays as given
    return out or [url]
