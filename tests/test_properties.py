"""Property tests (issue 5): whatever the text, the engine does not raise and its output is
consistent.

(a) Arbitrary text, mostly built from the stuff reports are made of (Han characters, the words
    the rules look for, list markers, dates, full- and half-width punctuation, line breaks),
    sometimes any Unicode at all:
    * ``engine.summarize`` never raises;
    * every evidence span (``to_dict(explain=True)['evidence']`` and each point's and nested
      item's ``evidence``) lies inside the text and ``text[start:end]`` is its ``text``;
    * each person's name occurs in the text of its own evidence span;
    * the JSON output validates against ``extractor.output_schema.OUTPUT_SCHEMA``.
(b) Mutations of ``samples/*.txt``: truncation, page chrome inserted between lines, punctuation
    width swapped, whitespace doubled or turned into CRLF -- never raises, spans valid; a width
    swap or CRLF line ends give the same summary up to the width of characters in the values
    (compared after NFKC and whitespace removal).

Bounded: ``max_examples=60`` per property (JIYAO_PROPERTY_EXAMPLES=N for a longer hunt), no
deadline (a single example may hit the regex timeouts on a slow machine).
"""
from __future__ import annotations

import json
import os
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor import Engine
from extractor.source import from_text, read_path

from .conftest import SAMPLES

MAX_EXAMPLES = int(os.environ.get("JIYAO_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])

SAMPLE_TEXTS = {p.stem: read_path(str(p)).text for p in sorted(SAMPLES.glob("*.txt"))}

_HAN = sorted({ch for t in SAMPLE_TEXTS.values() for ch in t if "\u4e00" <= ch <= "\u9fff"})
_PUNCT = list("，。：；、（）“”《》【】！？—…·,.:;!?()[]\"'-/ ") + ["\u3000", "\xa0", "\u200b"]
_DIGITS = list("0123456789０１２３４５６７８９")
_MARKERS = list("一二三四五六七八九十是要年月日号第首先其次最后") + ["\n", "\n", "\r\n", "\n\n", "\t"]
_WORDS = [
    "会议", "召开", "主持", "主持会议", "强调", "指出", "要求", "讲话", "出席", "参加会议", "列席",
    "区委书记", "县长", "副市长", "党委书记", "董事长", "同志", "在主持时强调", "传达", "批示", "精神",
    "一是", "二是", "三是", "一要", "二要", "(一)", "(二)", "（三）", "一、", "二、", "1.", "2.", "3、",
    "第一,", "第二,", "首先,", "其次,", "最后,", "2023年", "10月16日", "2024-01-02", "二〇二三年九月",
    "来源:", "发布时间:", "分享到:", "首页 > 新闻 > 正文", "[责任编辑:某某]", "相关阅读",
    "王明", "李小红", "钱佳颖", "、", ":", "。", "\n",
]
_ATOMS = st.one_of(st.sampled_from(_WORDS), st.sampled_from(_HAN), st.sampled_from(_PUNCT),
                   st.sampled_from(_DIGITS), st.sampled_from(_MARKERS))

# Sentences shaped like those of a report, so that the person, field and list rules fire.
_SURNAMES = list("王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武")
_ROLES = ["区委书记", "县委副书记、县长", "副区长", "市委常委、秘书长", "党委书记", "校长", "董事长、党委书记",
          "局长", "镇党委书记", "区人大常委会主任", "", "县领导", "副县长"]
_ORGS = ["江汀区", "青禾县", "市政府", "县委", "集团公司", "学校", "某街道", "县政府", "区委"]
_MEETINGS = ["常务会议", "工作会议", "安全生产工作会议", "座谈会", "动员会", "推进会", "专题会议", "党委(扩大)会议"]
_han = st.sampled_from(_HAN)
_name = st.tuples(st.sampled_from(_SURNAMES), st.lists(_han, min_size=1, max_size=2).map("".join)).map("".join)
_phrase = st.lists(_han, min_size=1, max_size=12).map("".join)
_sep = st.sampled_from([",", "，", ";", "；", "。", "、", ""])
_date = st.one_of(
    st.tuples(st.integers(1, 12), st.integers(1, 31)).map(lambda t: f"{t[0]}月{t[1]}日"),
    st.tuples(st.integers(1990, 2030), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]}年{t[1]}月{t[2]}日"),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 31)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
    st.sampled_from(["二〇二三年九月二十八日", "２０２３年３月５日", "12月29日", "2月30日"]),
)


def _list_of(markers: list[str]):
    return st.integers(1, len(markers)).flatmap(
        lambda n: st.tuples(*[st.tuples(_phrase, _sep) for _ in range(n)]).map(
            lambda items: "".join(m + "要" + p + s for m, (p, s) in zip(markers, items))))


_LISTS = st.one_of(
    _list_of(["一是", "二是", "三是", "四是"]), _list_of(["一要", "二要", "三要"]),
    _list_of(["\n(一)", "\n(二)", "\n(三)"]), _list_of(["\n（一）", "\n（二）", "\n（三）"]),
    _list_of(["\n1.", "\n2.", "\n3.", "\n4."]), _list_of(["1、", "2、", "3、"]),
    _list_of(["第一,", "第二,", "第三,"]), _list_of(["\n一、", "\n二、", "\n三、"]),
    _list_of(["首先,", "其次,", "最后,"]), _list_of(["一是", "三是", "二是"]),
)
_SENTENCES = st.one_of(
    st.tuples(_date, st.sampled_from(_ORGS), st.sampled_from(_MEETINGS)).map(lambda t: f"{t[0]},{t[1]}召开{t[2]}。"),
    st.tuples(st.sampled_from(_ROLES), _name).map(lambda t: f"{t[0]}{t[1]}主持会议。"),
    st.tuples(st.sampled_from(_ROLES), _name).map(lambda t: f"会议由{t[0]}{t[1]}主持。"),
    st.tuples(st.sampled_from(_ROLES), _name).map(lambda t: f"{t[0]}{t[1]}出席会议并讲话。"),
    st.tuples(st.sampled_from(_ROLES), st.lists(_name, min_size=1, max_size=5)).map(
        lambda t: f"{t[0]}{'、'.join(t[1])}出席会议。"),
    st.tuples(_name, st.sampled_from(["强调", "指出", "要求", "在主持时强调", "提出三点要求"]),
              st.sampled_from([":", "：", ",", ":\n"]), _LISTS).map("".join),
    st.tuples(st.sampled_from(["会议强调", "会议要求", "会议议程:"]), st.sampled_from([":", ","]), _LISTS).map("".join),
    st.tuples(st.sampled_from(["来源:", "信息来源：", "发布时间:", "发布日期:"]),
              st.one_of(_date, st.sampled_from(_ORGS))).map(lambda t: "\n" + "".join(t) + "\n"),
    st.tuples(_name, st.sampled_from(["传达了", "通报了", "汇报了"]), _phrase).map(lambda t: "".join(t) + "。"),
    st.tuples(st.sampled_from(_ORGS), st.sampled_from(_MEETINGS)).map(lambda t: "\n" + "".join(t) + "召开\n"),
    _phrase.map(lambda p: p + "。"),
)
REPORTISH = st.lists(st.one_of(_SENTENCES, _SENTENCES, _ATOMS), max_size=40).map("".join)
"""Report-shaped text: a few generated sentences (dates, meetings, people, lists) among noise."""
NOISE = st.lists(_ATOMS, max_size=300).map("".join)
ANY_TEXT = st.one_of(REPORTISH, REPORTISH, NOISE, st.text(max_size=400))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    try:
        from extractor.output_schema import OUTPUT_SCHEMA
    except ImportError:
        pytest.skip("extractor.output_schema is not there yet")
    return jsonschema.Draft202012Validator(OUTPUT_SCHEMA)


# ------------------------------------------------------------------ helpers

def evidence_of(d: dict) -> list[dict]:
    """Every evidence record of ``to_dict(explain=True)``."""
    out = []
    for v in d["evidence"].values():
        out.extend(v if isinstance(v, list) else [v])

    def walk(items):
        for it in items:
            out.append(it["evidence"])
            walk(it.get("items", []))
    walk(d["points"])
    return out


def check_summary(summary, text: str, validator=None) -> dict:
    d = summary.to_dict(explain=True)
    for ev in evidence_of(d):
        a, b = ev["span"]
        assert 0 <= a <= b <= len(text), ev
        assert text[a:b] == ev["text"], (ev, text[a:b])
    for field in ("hosts", "speakers", "attendees"):
        people = getattr(summary, field)
        assert len(d["evidence"][field]) == len(people)
        for p in people:
            assert p.name, (field, p)
            assert p.name in p.evidence.text, (field, p.name, p.evidence)
    summary.to_markdown()
    if validator is not None:
        for explain in (False, True):
            doc = json.loads(summary.to_json(explain))
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
            assert errors == [], errors
    return d


def canon(x):
    """Values with width folded (NFKC) and whitespace removed, evidence and warnings dropped."""
    if isinstance(x, dict):
        return {k: canon(v) for k, v in x.items() if k not in ("evidence", "warnings")}
    if isinstance(x, list):
        return [canon(v) for v in x]
    if isinstance(x, str):
        return "".join(unicodedata.normalize("NFKC", x).split())
    return x


# ------------------------------------------------------------------ (a) arbitrary text

@SETTINGS
@given(text=ANY_TEXT)
def test_arbitrary_text(engine, validator, text):
    check_summary(engine.summarize(text), text, validator)


@SETTINGS
@given(text=st.one_of(REPORTISH, NOISE), prefix=st.sampled_from(sorted(SAMPLE_TEXTS)))
def test_arbitrary_text_inside_a_report(engine, validator, text, prefix):
    """Noise spliced into the middle of a real report (so the rules actually fire around it)."""
    base = SAMPLE_TEXTS[prefix]
    mid = len(base) // 2
    doc = base[:mid] + text + base[mid:]
    check_summary(engine.summarize(doc), doc, validator)


# ------------------------------------------------------------------ (b) mutations of the samples

CHROME = ["分享到:", "微信", "微博", "QQ空间", "打印本页", "关闭窗口", "【字体:大 中 小】",
          "首页 > 新闻中心 > 正文", "当前位置:首页 > 政务要闻", "相关阅读:", "相关链接", "扫一扫在手机打开当前页",
          "浏览次数:1267", "上一篇:某县召开某会议", "下一篇:某区召开某会议"]

WIDTH = {"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"}
WIDTH.update({v: k for k, v in list(WIDTH.items())})

names = st.sampled_from(sorted(SAMPLE_TEXTS))


@SETTINGS
@given(name=names, data=st.data())
def test_truncated(engine, validator, name, data):
    text = SAMPLE_TEXTS[name]
    cut = data.draw(st.integers(0, len(text)), label="cut")
    doc = text[:cut]
    check_summary(engine.summarize(doc), doc, validator)


@SETTINGS
@given(name=names, data=st.data())
def test_chrome_lines_inserted(engine, validator, name, data):
    lines = SAMPLE_TEXTS[name].split("\n")
    inserts = data.draw(st.lists(st.tuples(st.integers(0, len(lines)), st.sampled_from(CHROME)),
                                 min_size=1, max_size=8), label="inserts")
    for at, line in sorted(inserts, reverse=True):
        lines.insert(at, line)
    doc = "\n".join(lines)
    check_summary(engine.summarize(doc), doc, validator)


@SETTINGS
@given(name=names, data=st.data())
def test_punctuation_width_swapped(engine, validator, name, data):
    text = SAMPLE_TEXTS[name]
    where = [i for i, ch in enumerate(text) if ch in WIDTH]
    flips = set(data.draw(st.lists(st.sampled_from(where), max_size=len(where)) if where else st.just([]),
                          label="flips"))
    if data.draw(st.booleans(), label="all"):
        flips = set(where)
    doc = "".join(WIDTH[ch] if i in flips else ch for i, ch in enumerate(text))
    want = canon(engine.summarize(text).to_dict())
    got = check_summary(engine.summarize(doc), doc, validator)
    assert canon(got) == want


@SETTINGS
@given(name=names, data=st.data())
def test_crlf_line_ends(engine, validator, name, data):
    text = SAMPLE_TEXTS[name]
    lone_cr = data.draw(st.booleans(), label="lone CR")
    doc = text.replace("\n", "\r" if lone_cr else "\r\n")
    want = canon(engine.summarize(text).to_dict())
    got = check_summary(engine.summarize(doc), doc, validator)
    assert canon(got) == want


@SETTINGS
@given(name=names, data=st.data())
def test_whitespace_changed(engine, validator, name, data):
    """Spaces and line breaks doubled at random places, some lines ending in CRLF, trailing
    blanks: the layout changes (paragraphs may split), so only robustness is checked."""
    text = SAMPLE_TEXTS[name]
    where = [i for i, ch in enumerate(text) if ch in " \n\u3000"]
    picks = set(data.draw(st.lists(st.sampled_from(where), max_size=40) if where else st.just([]),
                          label="doubled"))
    crlf = data.draw(st.booleans(), label="crlf")
    out = []
    for i, ch in enumerate(text):
        out.append(ch * 2 if i in picks else ch)
    doc = "".join(out)
    if crlf:
        doc = doc.replace("\n", "\r\n")
    doc += data.draw(st.sampled_from(["", " ", "\n\n\n", " \t\u3000\n"]), label="tail")
    check_summary(engine.summarize(doc), doc, validator)


@SETTINGS
@given(text=REPORTISH, fmt=st.sampled_from(["markdown", "html"]))
def test_markup_input(engine, text, fmt):
    """The generated text as Markdown or HTML: evidence points into the markup, inside it."""
    import html
    if fmt == "markdown":
        raw = "\n\n".join(text.split("\n"))
    else:
        raw = "<html><body>" + "".join(f"<p>{html.escape(ln)}</p>\n" for ln in text.split("\n")) + "</body></html>"
    src = from_text(raw, fmt)
    s = engine.summarize_source(src)
    for ev in evidence_of(s.to_dict(explain=True)):
        a, b = ev["span"]
        assert 0 <= a <= b <= len(src.raw) and src.raw[a:b] == ev["text"], ev
