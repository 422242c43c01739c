"""Tests for extractor.source: decoding, clean-up, Markdown and HTML stripping."""

import io
import os
import struct
import subprocess
import sys
import zlib

import pytest

from extractor import source as reader
from extractor.source import ReadError, Source, decode, from_text, read_path, read_stdin

PARA = (
    "10月12日,中共西城区委民族宗教工作会议召开。区委书记李明华强调:一要提高政治站位,"
    "二要压实工作责任,三要加强队伍建设。会议由区委副书记王晓东主持,全体区领导出席。\n"
    "会议传达学习了市委有关会议精神,部署了2022年第四季度重点工作。"
)


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _assert_offsets(src: Source):
    """Every kept non-newline character maps back to the same character in raw."""
    offs = src.offsets
    assert offs is not None
    assert len(offs) == len(src.text) + 1
    assert offs[-1] == len(src.raw)
    assert all(a <= b for a, b in zip(offs, offs[1:])), "offsets must not decrease"
    for i, ch in enumerate(src.text):
        if ch != "\n":
            assert src.raw[offs[i]] == ch, (i, ch, src.raw[offs[i] - 5: offs[i] + 5])


def _png_bytes() -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = b"\x00" + b"\xff\x00\x00" * 4
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


# ------------------------------------------------------------------ encodings

@pytest.mark.parametrize(
    "data, expected_encoding",
    [
        (PARA.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + PARA.encode("utf-8"), "utf-8-sig"),
        (PARA.encode("gb18030"), "gb18030"),
        (PARA.encode("gbk"), "gb18030"),
        (PARA.encode("utf-16"), "utf-16"),  # with BOM (native order)
        (b"\xfe\xff" + PARA.encode("utf-16-be"), "utf-16"),
        (PARA.encode("utf-16-le"), "utf-16-le"),
        (PARA.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16-bom", "utf16be-bom", "utf16le", "utf16be"],
)
def test_encodings_round_trip(tmp_path, data, expected_encoding):
    path = _write(tmp_path, "report.txt", data)
    src = read_path(path)
    assert src.text == PARA
    assert src.raw == PARA
    assert src.offsets is None
    assert src.encoding == expected_encoding
    assert src.format == "text"
    assert src.path == path
    assert "\ufffd" not in src.text and "\ufeff" not in src.text


def test_decode_function_direct():
    assert decode(PARA.encode("gb18030")) == (PARA, "gb18030")
    assert decode(b"") == ("", "utf-8")
    text, enc = decode("\ufeff".encode("utf-8") + "abc".encode("utf-8"))
    assert (text, enc) == ("abc", "utf-8-sig")


def test_utf8_bom_stripped(tmp_path):
    path = _write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + PARA.encode("utf-8"))
    src = read_path(path)
    assert not src.text.startswith("\ufeff")
    assert src.text[0] == "1"


def test_bom_stripped_even_under_explicit_utf8(tmp_path):
    path = _write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + PARA.encode("utf-8"))
    src = read_path(path, encoding="utf-8")
    assert src.text == PARA
    assert src.encoding == "utf-8"


def test_encoding_override(tmp_path):
    # Short GBK text that also happens to be valid Big5: the override must win.
    path = _write(tmp_path, "x.txt", PARA.encode("gbk"))
    src = read_path(path, encoding="gbk")
    assert src.text == PARA
    assert src.encoding == "gbk"
    # A UTF-8 file read as latin-1 decodes (wrongly but strictly): the override is obeyed.
    path2 = _write(tmp_path, "y.txt", "会议".encode("utf-8"))
    assert read_path(path2, encoding="latin-1").text == "会议".encode("utf-8").decode("latin-1")


def test_gbk_bytes_under_utf8_override_is_read_error(tmp_path):
    path = _write(tmp_path, "gbk.txt", PARA.encode("gbk"))
    with pytest.raises(ReadError) as exc:
        read_path(path, encoding="utf-8")
    msg = str(exc.value)
    assert "gbk.txt" in msg and "utf-8" in msg
    assert "\n" not in msg


def test_unknown_encoding_name_is_read_error(tmp_path):
    path = _write(tmp_path, "a.txt", b"abc")
    with pytest.raises(ReadError, match="unknown encoding"):
        read_path(path, encoding="no-such-codec")
    with pytest.raises(ReadError):
        read_path(path, encoding="rot13")  # a str-to-str codec, not a text encoding


def test_undecodable_is_read_error_without_replacement(tmp_path):
    # Invalid as UTF-8 and GB18030 (0xFF is never a lead byte) and no NULs.
    data = bytes([0x81, 0xFF, 0x30, 0xFF]) * 50 + b"\xfe\xfe\xff"
    path = _write(tmp_path, "bad.txt", data)
    try:
        src = read_path(path)
    except ReadError as e:
        msg = str(e)
        assert "bad.txt" in msg and "\n" not in msg
    else:  # charset-normalizer may find a legacy single-byte codec; never replacement chars
        assert "\ufffd" not in src.text
        assert src.raw.encode(src.encoding) == data


def test_undecodable_message_mentions_encoding_option(monkeypatch):
    class _NoGuess:
        def best(self):
            return None

    import charset_normalizer

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: _NoGuess())
    with pytest.raises(ReadError) as exc:
        decode(b"\xff\xfa\x81\xff" * 20, name="file.txt")
    assert str(exc.value) == (
        "file.txt: cannot decode as UTF-8, GB18030 or any detected encoding (try --encoding)"
    )


def test_binary_png_is_read_error(tmp_path):
    path = _write(tmp_path, "picture.txt", _png_bytes())
    with pytest.raises(ReadError, match="looks like a binary file"):
        read_path(path)


def test_binary_without_magic_is_read_error(tmp_path):
    data = bytes(range(256)) * 8  # many NULs, all control bytes, not UTF-16
    path = _write(tmp_path, "blob.txt", data)
    with pytest.raises(ReadError, match="binary"):
        read_path(path)


def test_missing_file_is_read_error(tmp_path):
    path = str(tmp_path / "nope.txt")
    with pytest.raises(ReadError) as exc:
        read_path(path)
    msg = str(exc.value)
    assert "nope.txt" in msg and "No such file" in msg and "\n" not in msg


def test_directory_is_read_error(tmp_path):
    with pytest.raises(ReadError) as exc:
        read_path(str(tmp_path))
    assert "directory" in str(exc.value).lower()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_is_read_error(tmp_path):
    path = _write(tmp_path, "secret.txt", b"abc")
    os.chmod(path, 0)
    try:
        with pytest.raises(ReadError, match="Permission denied"):
            read_path(path)
    finally:
        os.chmod(path, 0o600)


def test_empty_file(tmp_path):
    path = _write(tmp_path, "empty.txt", b"")
    src = read_path(path)
    assert src.text == "" and src.raw == "" and src.offsets is None
    md = read_path(_write(tmp_path, "empty.md", b""))
    assert md.text == "" and list(md.offsets) == [0]


def test_control_chars_become_spaces_same_length(tmp_path):
    text = "会议\x00召开\x07。\t第二\x1b段\r\n结束\x0c"
    path = _write(tmp_path, "ctl.txt", text.encode("utf-8"))
    src = read_path(path)
    assert len(src.text) == len(text)
    assert src.text == "会议 召开 。\t第二 段\r\n结束 "
    assert src.offsets is None and src.raw == src.text
    assert "\r\n" in src.text  # CRLF kept for the engine to normalise


def test_utf8_with_stray_nul_is_text(tmp_path):
    text = PARA + "\x00" + PARA
    src = read_path(_write(tmp_path, "nul.txt", text.encode("utf-8")))
    assert src.text == PARA + " " + PARA


def test_from_text_and_to_raw_identity():
    src = from_text("\ufeff会议\x01召开")
    assert src.text == "会议 召开" and src.offsets is None and src.path is None
    assert src.format == "text"
    assert src.to_raw(0, 2) == (0, 2)
    assert src.to_raw(3, 99) == (3, 5)


def test_read_stdin(monkeypatch):
    class _Stdin:
        buffer = io.BytesIO(PARA.encode("gb18030"))

    monkeypatch.setattr(sys, "stdin", _Stdin())
    src = read_stdin()
    assert src.text == PARA and src.path is None and src.encoding == "gb18030"


def test_read_stdin_markdown(monkeypatch):
    class _Stdin:
        buffer = io.BytesIO("# 标题\n\n**会议**召开。".encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", _Stdin())
    src = read_stdin(input_format="markdown")
    assert src.format == "markdown" and src.text == "标题\n会议召开。"


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize(
    "name, fmt",
    [("a.md", "markdown"), ("a.MARKDOWN", "markdown"), ("a.html", "html"), ("a.htm", "html"),
     ("a.txt", "text"), ("a", "text"), ("a.doc.txt", "text")],
)
def test_format_from_extension(tmp_path, name, fmt):
    src = read_path(_write(tmp_path, name, "会议".encode("utf-8")))
    assert src.format == fmt


def test_input_format_overrides_extension(tmp_path):
    path = _write(tmp_path, "notes.txt", "# 标题\n\n正文".encode("utf-8"))
    assert read_path(path).text == "# 标题\n\n正文"
    src = read_path(path, input_format="markdown")
    assert src.format == "markdown" and src.text == "标题\n正文"
    with pytest.raises(ReadError, match="unknown input format"):
        read_path(path, input_format="pdf")


def test_markdown_basic(tmp_path):
    path = _write(tmp_path, "r.md", "# 标题\n\n**会议**召开。".encode("utf-8"))
    src = read_path(path)
    assert src.format == "markdown"
    assert src.raw == "# 标题\n\n**会议**召开。"
    assert src.text == "标题\n会议召开。"
    _assert_offsets(src)
    assert src.to_raw(src.text.index("会议"), src.text.index("会议") + 2) == (8, 10)


def test_markdown_rich_document():
    raw = (
        "\ufeff# 东城区委统战工作会议\r\n\r\n"
        "9月29日,中共东城区委**统战工作会议**召开。\r\n"
        "区委书记[孙新军](http://example.com/a \"t\")强调:\r\n\r\n"
        "- 一要*提高*站位;\n"
        "- 二要压实责任 & 担当\n\n"
        "1. 第一项\n2. 第二项\n\n"
        "> 引用的`代码`段落\n\n"
        "| 项目 | 内容 |\n|---|---|\n| 统战 | 工作 |\n\n"
        "```text\n原样保留\n```\n\n"
        "![图](pic.png)图后文字\n\n"
        "<p>嵌入的 <b>HTML</b></p>\n\n"
        "结尾\\*号\n"
    )
    src = from_text(raw, "markdown")
    lines = src.text.split("\n")
    assert lines == [
        "东城区委统战工作会议",
        "9月29日,中共东城区委统战工作会议召开。",
        "区委书记孙新军强调:",
        "一要提高站位;",
        "二要压实责任 & 担当",
        "第一项",
        "第二项",
        "引用的代码段落",
        "项目 内容",
        "统战 工作",
        "原样保留",
        "图后文字",
        "嵌入的 HTML",
        "结尾*号",
    ]
    assert "http" not in src.text and "#" not in src.text and "**" not in src.text
    _assert_offsets(src)


def test_markdown_to_raw_span_covers_source_text():
    src = from_text("前言\n\n## 会议**召开**了\n", "markdown")
    i = src.text.index("召开")
    rs, re_ = src.to_raw(i, i + 2)
    assert src.raw[rs:re_] == "召开"
    rs, re_ = src.to_raw(src.text.index("会议"), len(src.text))
    assert src.raw[rs:re_] == "会议**召开**了"


# ------------------------------------------------------------------ html

HTML = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>东城区委统战工作会议召开 &amp; 部署</title>
<meta name="PubDate" content="2022-09-30 16:04">
<meta name="ContentSource" content="东城区委统战部">
<script type="text/javascript">var secret = "脚本内容"; if (a < b) {}</script>
<style>p { color: red }</style>
</head>
<body>
<div class="article">
  <h1>东城区委统战工作会议召开</h1>
  <p>9月29日,中共东城区委统战工作会议召开。区委书记孙新军强调:
     一要提高站位&amp;担当,二要&#21387;实责任。</p>
  <p>第二段<br>换行&nbsp;后</p>
  <table><tr><td>项目</td><td>内容</td></tr><tr><td>统战</td><td>工作</td></tr></table>
  <noscript>请启用脚本</noscript>
  <ul><li>第一</li><li>第二</li></ul>
</div>
</body></html>
"""


def test_html_document(tmp_path):
    path = _write(tmp_path, "page.html", HTML.encode("utf-8"))
    src = read_path(path)
    assert src.format == "html"
    lines = src.text.split("\n")
    assert lines[0] == "东城区委统战工作会议召开 & 部署"  # title, entity decoded
    assert lines[1] == "2022-09-30 16:04"  # meta publication date, alone on its line
    assert lines[2] == "东城区委统战部"  # meta source
    assert "东城区委统战工作会议召开" in lines
    assert "9月29日,中共东城区委统战工作会议召开。区委书记孙新军强调: 一要提高站位&担当,二要压实责任。" in lines
    assert "第二段" in lines and "换行\xa0后" in lines
    assert "项目 内容" in lines and "统战 工作" in lines
    assert "第一" in lines and "第二" in lines
    assert "脚本内容" not in src.text and "secret" not in src.text
    assert "color" not in src.text and "请启用脚本" not in src.text
    assert "<" not in src.text and "&amp;" not in src.text
    assert "" not in lines  # runs of blank lines collapsed
    # offsets: every kept char maps to itself in raw, except decoded entities, which map
    # to the '&' that starts them
    offs = src.offsets
    assert len(offs) == len(src.text) + 1 and offs[-1] == len(src.raw)
    assert all(a <= b for a, b in zip(offs, offs[1:]))
    for i, ch in enumerate(src.text):
        if ch == "\n":
            continue
        r = src.raw[offs[i]]
        # collapsed whitespace (source line breaks inside <p>) maps to a whitespace char;
        # the space separating table cells maps to the '<' of the next <td>
        assert (r == ch or (r == "&" and ch in "&\xa0\u538b")
                or (ch == " " and (r.isspace() or src.raw.startswith("<td>", offs[i])))), (i, ch, r)
    amp = src.text.index("站位&") + 2
    assert src.raw.startswith("&amp;", offs[amp])
    assert src.to_raw(amp, amp + 1) == (offs[amp], offs[amp] + len("&amp;"))


def test_html_offsets_exact_without_entities():
    raw = ("<html><head><title>会议召开</title><meta property=\"article:published_time\" "
           "content=\"2022-09-30\"></head><body><p>正文<b>加粗</b>内容</p><script>x()</script>"
           "<div>下一段</div></body></html>")
    src = from_text(raw, "html")
    assert src.text == "会议召开\n2022-09-30\n正文加粗内容\n下一段"
    _assert_offsets(src)


def test_html_missing_head_close_and_svg_title():
    raw = "<html><head><title>标题</title><p>正文<svg><title>图标</title></svg>结束</p>"
    src = from_text(raw, "html")
    assert src.text == "标题\n正文结束"
    _assert_offsets(src)


def test_html_gb18030_file(tmp_path):
    page = "<html><head><title>会议</title></head><body><p>" + PARA + "</p></body></html>"
    src = read_path(_write(tmp_path, "gbk.htm", page.encode("gb18030")))
    assert src.encoding == "gb18030"
    assert src.text.split("\n")[0] == "会议"
    assert PARA.split("\n")[0] in src.text


# ------------------------------------------------------------------ module hygiene

def test_no_chinese_string_literals_in_module():
    import ast

    tree = ast.parse(open(reader.__file__, encoding="utf-8").read())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                docstrings.add(doc)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value not in docstrings:
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in node.value), node.value


def test_import_is_cheap():
    code = ("import sys, extractor.source; "
            "print([m for m in ('markdown_it', 'charset_normalizer', 'html.parser') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(reader.__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_permission_error_is_read_error(monkeypatch):
    def denied(path, flags, *a, **k):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(reader.os, "open", denied)  # reader opens with os.open (O_NONBLOCK)
    with pytest.raises(ReadError) as exc:
        read_path("/some/report.txt")
    assert str(exc.value) == "/some/report.txt: cannot open (Permission denied)"


# ------------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = list("会议召开。,ab 1\n\r\t#*_-+>|`[]()!<>/&;=\"'\\") + [
    "<p>", "</p>", "<br>", "&amp;", "&#20013;", "```", "| a | b |\n|---|---|\n",
    "<script>", "</script>", "<title>", "</title>", "<td>", "\u3000", "\xa0",
]
_MARKUP = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_MARKUP, st.sampled_from(["markdown", "html"]))
def test_offsets_invariants_on_arbitrary_markup(raw, fmt):
    src = from_text(raw, fmt)
    offs = src.offsets
    assert len(offs) == len(src.text) + 1
    assert offs[-1] == len(src.raw)
    assert all(0 <= a <= b for a, b in zip(offs, offs[1:]))
    for a, b in ((0, len(src.text)), (0, len(src.text) // 2), (len(src.text) // 3, len(src.text))):
        rs, re_ = src.to_raw(a, b)
        assert 0 <= rs <= re_ <= len(src.raw)


_HAN_TEXT = st.text(alphabet=st.sampled_from(sorted(set(PARA) - {"\n"}) + list("\n\r\t ")),
                    min_size=12, max_size=120).filter(lambda t: sum(ch > "\u4e00" for ch in t) >= 10)


@settings(max_examples=300, deadline=None)
@given(_HAN_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-32"]))
def test_decode_round_trip_property(text, enc):
    got, used = decode(text.encode(enc))
    assert got == text
    assert used == enc


def test_from_text_lone_surrogate_replaced_same_length():
    src = from_text("会\udc80议")
    assert src.text == "会\ufffd议"


def test_docx_zip_is_binary(tmp_path):
    import zipfile

    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:t>" + PARA + "</w:t>")
    with pytest.raises(ReadError, match="report.docx: looks like a binary file"):
        read_path(str(path))
