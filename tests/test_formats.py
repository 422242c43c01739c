"""Summaries people read and share: the JSON Schema of the output, CommonMark, YAML, CSV, HTML."""
import csv
import io
import json
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser

import pytest
import yaml
from markdown_it import MarkdownIt

from extractor.tables import PEOPLE_COLUMNS, POINTS_COLUMNS, record, to_yaml
from extractor.model import Evidence, Item, Person, Point, Summary, Value
from extractor.output_schema import ERROR_RECORD_SCHEMA, OUTPUT_SCHEMA, _validate, validate
from extractor.source import read_path
from extractor.report_html import Span, highlight, to_html

from .conftest import ROOT, SAMPLES

CASES = sorted(p.stem for p in SAMPLES.glob("*.txt"))
SEED = SAMPLES / "county_committee_chrome.txt"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8")


@pytest.fixture(scope="module")
def summaries(engine):
    out = {}
    for name in CASES:
        src = read_path(str(SAMPLES / f"{name}.txt"))
        out[name] = (src, engine.summarize_source(src))
    return out


def _md():
    return MarkdownIt("commonmark", {"html": False}).enable("table")


# -- the JSON Schema of the output ---------------------------------------------------------------

def test_output_schema_is_a_valid_draft_2020_12_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(OUTPUT_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(ERROR_RECORD_SCHEMA)


@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
@pytest.mark.parametrize("name", CASES)
def test_every_sample_validates(summaries, name, explain):
    d = summaries[name][1].to_dict(explain)
    assert validate(d) == []
    # the built-in validator (used when jsonschema is not installed) agrees
    assert _validate(d, OUTPUT_SCHEMA, OUTPUT_SCHEMA, "$") == []
    # JSON Lines records carry a leading "file"
    assert validate(json.loads(json.dumps({"file": name, **d}))) == []


@pytest.mark.parametrize("check", [validate, lambda d: _validate(d, OUTPUT_SCHEMA, OUTPUT_SCHEMA, "$")],
                         ids=["validate", "builtin"])
def test_schema_rejects_what_to_dict_never_produces(summaries, check):
    good = summaries["paren_numbered_nested"][1].to_dict(True)
    bad_cases = []
    d = json.loads(json.dumps(good)); d["meeting_date"] = "2023/10/16"; bad_cases.append(d)
    d = json.loads(json.dumps(good)); d["hosts"][0].pop("roles"); bad_cases.append(d)
    d = json.loads(json.dumps(good)); d["attendees"].append({"name": "x"}); bad_cases.append(d)
    d = json.loads(json.dumps(good)); d["points"][1]["items"][0]["evidence"]["span"] = [1]; bad_cases.append(d)
    d = json.loads(json.dumps(good)); d["points"][0]["extra"] = 1; bad_cases.append(d)
    d = json.loads(json.dumps(good)); d.pop("warnings"); bad_cases.append(d)   # evidence needs warnings
    d = json.loads(json.dumps(good)); d.pop("relayed"); bad_cases.append(d)
    for d in bad_cases:
        assert check(d), d
    assert check(good) == []
    assert validate({"file": "x", "error": "cannot open"}, ERROR_RECORD_SCHEMA) == []


def test_month_day_dates_are_allowed():
    d = Summary().to_dict()
    d["meeting_date"] = "--05-11"
    assert validate(d) == []


def test_summarize_schema_prints_it():
    r = run("schema")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == OUTPUT_SCHEMA
    r = run("--format", "json", "--explain", str(SEED))
    assert validate(json.loads(r.stdout)) == []


# -- Markdown: CommonMark with a table and a numbered list -------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_markdown_is_commonmark_with_table_and_numbered_list(summaries, name):
    s = summaries[name][1]
    tokens = _md().parse(s.to_markdown())
    types = [t.type for t in tokens]
    assert "table_open" in types
    rows = sum(1 for t in tokens if t.type == "tr_open") - 1  # the header row is empty
    assert rows >= 1
    assert types.count("heading_open") >= 1 and tokens[0].tag == "h1"
    if s.points:
        assert types.count("ordered_list_open") >= 1
        # one numbered item per point; sub-items (numbered or clauses) are bullets, never lists of their own
        top = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
        assert len(top) == len(s.points)
        bullets = [t for t in tokens if t.type == "list_item_open" and t.level == 3]
        assert len(bullets) == sum(len(p.items) + len(p.clauses) for p in s.points)
        html = _md().render(s.to_markdown())
        for p in s.points:
            assert p.lead.replace("\n", " ") in unescape(html)
            for sub in p.items:
                assert f"{sub.marker} {sub.lead}" in unescape(html)
    else:
        assert "ordered_list_open" not in types


def _ordered_lists(html_text):
    """Each top-level ordered list of rendered HTML as (start, number of items), in order,
    and the text of the paragraphs between them."""
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.lists, self.depth, self.paras, self.in_p = [], 0, [], False

        def handle_starttag(self, tag, attrs):
            if tag in ("ol", "ul"):
                if self.depth == 0 and tag == "ol":
                    self.lists.append([int(dict(attrs).get("start", 1)), 0])
                self.depth += 1
            elif tag == "li" and self.depth == 1:
                self.lists[-1][1] += 1
            elif tag == "p" and self.depth == 0:
                self.in_p = True
                self.paras.append("")

        def handle_endtag(self, tag):
            if tag in ("ol", "ul"):
                self.depth -= 1
            elif tag == "p":
                self.in_p = False

        def handle_data(self, data):
            if self.in_p:
                self.paras[-1] += data
    p = P()
    p.feed(html_text)
    return [tuple(x) for x in p.lists], p.paras


def test_two_speakers_get_two_lists_each_from_one(summaries):
    """Each speaker's points are a list of their own under the speaker's label: the second label
    is a paragraph (not folded into the first list's last item) and numbering starts at 1 again."""
    s = summaries["two_speakers_lists"][1]
    assert [p.speaker for p in s.points] == ["林振华"] * 3 + ["陈雪梅"] * 2
    lists, paras = _ordered_lists(_md().render(s.to_markdown()))
    assert lists == [(1, 3), (1, 2)]
    label = s.labels["speaker_of_points"]
    assert [p for p in paras if p.startswith(label)] == [f"{label}: 林振华", f"{label}: 陈雪梅"]
    # the HTML page shows the same two lists, and the badges in its source text number alike
    page = to_html(s, summaries["two_speakers_lists"][0].raw)
    assert _ordered_lists(page)[0] == [(1, 3), (1, 2)]
    badges = re.findall(r'data-field="points"[^>]*data-label="([^"]*)"', page)
    pl = s.labels["points"]
    assert badges == [f"{pl} 1", f"{pl} 2", f"{pl} 3", f"{pl} 1", f"{pl} 2"]


def _ev(rule="r"):
    return Evidence(rule, 0, 1, "x")


def test_markdown_sub_items_nest_under_point_ten_and_markers_stay_text():
    pts = [Point(marker=f"{i}.", number=i, lead=f"lead {i}", text="", evidence=_ev(),
                 items=[Item(marker="1)", number=1, lead="sub", text="", evidence=_ev())],
                 speaker="S")
           for i in range(1, 13)]
    s = Summary(title=Value("T", _ev()), meeting=Value("M", _ev()), points=pts)
    tokens = _md().parse(s.to_markdown())
    top = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    subs = [t for t in tokens if t.type == "list_item_open" and t.level == 3]
    assert len(top) == 12 and len(subs) == 12
    assert [t.type for t in tokens].count("ordered_list_open") == 1
    html = _md().render(s.to_markdown())
    assert "<li>1) sub</li>" in html and "<li>10. lead 10" in html


def test_markdown_cannot_be_injected():
    evil = '<script>alert(1)</script> [x](javascript:alert(1)) **b** &amp; | `c` # h'
    s = Summary(title=Value(evil, _ev()), meeting=Value(evil, _ev()),
                hosts=[Person(evil, [evil], _ev())],
                points=[Point(marker="-", number=1, lead=evil, text="", evidence=_ev(), speaker=evil,
                              clauses=["+ " + evil])])
    md = s.to_markdown()
    html = _md().render(md)
    assert "<script" not in html and "<a " not in html and "<strong>b" not in html and "<code>" not in html
    assert unescape(html).count(evil) >= 4
    tokens = _md().parse(md)
    assert sum(1 for t in tokens if t.type == "tr_open") == 3  # header, meeting, hosts: '|' escaped
    assert [t.type for t in tokens].count("bullet_list_open") == 1


# -- YAML -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
@pytest.mark.parametrize("name", CASES)
def test_yaml_round_trips_and_is_readable(summaries, name, explain):
    s = summaries[name][1]
    d = s.to_dict(explain)
    y = record("yaml", name, d, s.labels)
    assert yaml.safe_load(y) == d
    assert "\\u" not in y and "\\x" not in y          # Chinese as is
    assert list(yaml.safe_load(y)) == list(d)          # keys in the JSON order
    if s.title:
        assert f"title: {s.title.value}\n" in y         # one line, not wrapped
    for p in d["points"]:
        if "\n" in p["text"].rstrip("\n"):
            assert re.search(r"^  text: \|[-+]?$", y, re.M)


def test_yaml_literal_blocks_and_long_lines():
    d = {"a": "line one\nline two\n", "b": "x" * 300 + " " + "y" * 300}
    y = to_yaml(d)
    assert "a: |\n  line one\n  line two\n" in y
    assert "b: " + "x" * 300 + " " + "y" * 300 + "\n" in y
    assert yaml.safe_load(y) == d


def test_yaml_cli_one_and_several(tmp_path):
    r = run(str(SEED), "--format", "yaml")
    assert r.returncode == 0, r.stderr
    d = yaml.safe_load(r.stdout)
    assert "file" not in d and validate(d) == []
    missing = tmp_path / "missing.txt"
    r = run(str(SEED), str(missing), str(SAMPLES / "gb18030_report.txt"), "--format", "yaml", "-j", "1")
    assert r.returncode == 1
    docs = list(yaml.safe_load_all(r.stdout))
    assert [x["file"] for x in docs] == [str(SEED), str(missing), str(SAMPLES / "gb18030_report.txt")]
    assert "error" in docs[1] and validate(docs[1], ERROR_RECORD_SCHEMA) == []
    assert validate(docs[0]) == [] and validate(docs[2]) == []


# -- CSV ------------------------------------------------------------------------------------------

def _rows(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", CASES)
def test_csv_people_and_points(summaries, name):
    s = summaries[name][1]
    people = _rows(record("csv", name, s.to_dict(), s.labels))
    assert people[0] == list(PEOPLE_COLUMNS)
    want = [[name, part, p.name, s.labels["role_separator"].join(p.roles) if part != "attendee" else ""]
            for part, ps in (("host", s.hosts), ("speaker", s.speakers), ("attendee", s.attendees))
            for p in ps]
    assert people[1:] == want
    points = _rows(record("csv-points", name, s.to_dict(), s.labels))
    assert points[0] == list(POINTS_COLUMNS)
    want = []
    for i, p in enumerate(s.points, 1):
        want.append([name, str(i), p.marker, p.lead, p.speaker or ""])
        want += [[name, f"{i}.{j}", q.marker, q.lead, p.speaker or ""] for j, q in enumerate(p.items, 1)]
    assert points[1:] == want
    # --explain: the evidence of each row
    ex = _rows(record("csv-points", name, s.to_dict(True), s.labels))
    assert ex[0] == list(POINTS_COLUMNS) + ["rule", "start", "end"]
    if s.points:
        assert ex[1][5:] == [s.points[0].evidence.rule, str(s.points[0].evidence.start),
                             str(s.points[0].evidence.end)]


def test_csv_cli_one_header_for_several_files(tmp_path):
    missing = tmp_path / "missing.txt"
    files = [str(missing), str(SEED), str(SAMPLES / "gb18030_report.txt")]
    r = run(*files, "--format", "csv", "-j", "2")
    assert r.returncode == 1 and "missing.txt" in r.stderr
    rows = _rows(r.stdout)
    assert rows[0] == list(PEOPLE_COLUMNS) and rows.count(list(PEOPLE_COLUMNS)) == 1
    assert {row[0] for row in rows[1:]} == set(files[1:])
    r = run(*files[1:], "--format", "csv-points", "--explain")
    rows = _rows(r.stdout)
    assert rows[0] == list(POINTS_COLUMNS) + ["rule", "start", "end"]
    assert all(len(row) == 8 for row in rows)
    out = tmp_path / "people.csv"
    assert run(str(SEED), "--format", "csv", "-o", str(out)).returncode == 0
    assert _rows(out.read_text(encoding="utf-8"))[1][:3] == [str(SEED), "host", "蒋立群"]


# -- HTML -----------------------------------------------------------------------------------------

VOID = {"meta", "br", "img", "hr", "input", "link"}


class _Checker(HTMLParser):
    """Tag balance, the text of the source section, and the text inside each mark."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.in_pre, self.pre = [], [], False, []
        self.marks: list[list] = []  # [attrs, text] of marks open now and closed
        self.open_marks: list[list] = []
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") or (v and "url(" in v)]
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "pre" and a.get("class") == "text":
            self.in_pre = True
        if tag == "mark":
            m = [a, ""]
            self.marks.append(m)
            self.open_marks.append(m)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "pre":
            self.in_pre = False
        if tag == "mark":
            self.open_marks.pop()

    def handle_data(self, data):
        if self.in_pre:
            self.pre.append(data)
            for m in self.open_marks:
                m[1] += data


def _check(page):
    c = _Checker()
    c.feed(page)
    c.close()
    assert c.errors == [] and c.stack == []
    return c


@pytest.mark.parametrize("name", CASES)
def test_html_report_highlights_every_value(summaries, name):
    src, s = summaries[name]
    page = to_html(s, src.raw, name=name)
    c = _check(page)
    assert "".join(c.pre) == src.raw                    # the source text, whole and unchanged
    assert c.urls == [] and "@import" not in page       # no external assets
    assert "Noto Sans CJK SC" in page
    d = s.to_dict(explain=True)
    want = []
    for f in Summary.SCALARS:
        if f in d["evidence"]:
            want.append((f, d["evidence"][f]))
    for f in ("hosts", "speakers", "attendees", "relayed"):
        want += [(f, e) for e in d["evidence"][f]]
    want += [("points", p["evidence"]) for p in d["points"]]
    want += [("items", i["evidence"]) for p in d["points"] for i in p.get("items", [])]
    got: dict[tuple, str] = {}
    for a, text in c.marks:
        key = (a["data-field"], a["data-span"], a["title"])
        got[key] = got.get(key, "") + text
    for f, e in want:
        key = (f, f"{e['span'][0]}-{e['span'][1]}", e["rule"])
        assert key in got, key
        assert got[key] == e["text"].strip()
    # a label badge on the last piece of every span, and a legend entry for every field shown
    labelled = {(a["data-field"], a["data-span"]) for a, _ in c.marks if "data-label" in a}
    assert labelled == {(k[0], k[1]) for k in got}
    for f in {k[0] for k in got}:
        assert f'class="key f-{f}"' in page and f".f-{f} {{ background:" in page
    # the summary on top, rendered from the Markdown
    top = page.split('<section class="source">')[0]
    assert "<table>" in top and ("<ol>" in top) == bool(s.points)


def test_highlight_splits_crossing_spans_and_escapes():
    text = "a<b>&c \"d\" e'f"
    spans = [Span(0, 6, "hosts", "r<1>", "H"), Span(3, 10, "speakers", 'r"2', "S"),
             Span(3, 10, "attendees", "r3", "A&"), Span(8, 8, "meeting", "empty", "M"),
             Span(5, 99, "meeting", "outside", "M"), Span(1, 14, "points", "p", "P 1")]
    out = highlight(text, spans)
    c = _check(f'<pre class="text">{out}</pre>')
    assert "".join(c.pre) == text
    assert "<b" not in out and "&lt;" in out and "&amp;" in out
    pieces: dict[str, str] = {}
    for a, t in c.marks:
        pieces[a["title"]] = pieces.get(a["title"], "") + t
    assert pieces == {"r<1>": text[0:6], 'r"2': text[3:10], "r3": text[3:10], "p": text[1:14]}
    assert sum(1 for a, _ in c.marks if "data-label" in a) == 4


def test_html_source_text_cannot_inject(engine, tmp_path):
    f = tmp_path / "evil.txt"
    f.write_text(SEED.read_text(encoding="utf-8").replace("青禾县人民政府", "<script>alert(1)</script>")
                 + "\n<img src=x onerror=alert(1)>\n", encoding="utf-8")
    r = run(str(f), "--format", "html")
    assert r.returncode == 0, r.stderr
    assert "<script" not in r.stdout and "<img" not in r.stdout
    assert "&lt;script&gt;" in r.stdout
    _check(r.stdout)


def test_html_of_markdown_input_highlights_the_markup_on_request(tmp_path, engine):
    text = SEED.read_text(encoding="utf-8").replace("蒋立群", "**蒋立群**")
    f = tmp_path / "report.md"
    f.write_text(text, encoding="utf-8")
    src = read_path(str(f))
    s = engine.summarize_source(src)
    for page in (to_html(s, src.raw), to_html(s, src, markup=True)):
        c = _check(page)
        assert "".join(c.pre) == src.raw
        hosts = [t for a, t in c.marks if a["data-field"] == "hosts"]
        assert hosts and "**" in hosts[0]
    c = _check(to_html(s, src))                          # default: the text as read
    assert "".join(c.pre) == src.text and "**" not in "".join(c.pre)
    hosts = [t for a, t in c.marks if a["data-field"] == "hosts"]
    assert hosts and hosts[0].endswith("蒋立群")


HTML_REPORT = """<!DOCTYPE html><html><head><title>松岭区新闻网</title><style>p{margin:0}</style></head>
<body><h1>松岭区召开2024年春季森林防火工作会议</h1>
<p>3月18日上午,松岭区召开2024年春季森林防火工作会议。区委副书记、区长<b>陈雪梅</b>主持会议并讲话。</p>
<p>陈雪梅强调:</p><p>一要迅速传达会议精神,层层压实工作责任。</p><p>二要加强督导检查,立即整改到位。</p>
</body></html>
"""


def test_html_of_html_input_shows_the_text_as_read(tmp_path, engine):
    """The source pane of an HTML input is the text the engine read, not its tags; every
    highlight is the value's text there, data-span still the evidence's span in the file."""
    f = tmp_path / "report.html"
    f.write_text(HTML_REPORT, encoding="utf-8")
    src = read_path(str(f))
    s = engine.summarize_source(src)
    c = _check(to_html(s, src))
    shown = "".join(c.pre)
    assert shown == src.text and "<p>" not in shown and "&lt;" not in shown
    got = {}
    for a, t in c.marks:
        got[(a["data-field"], a["data-span"])] = got.get((a["data-field"], a["data-span"]), "") + t
    ev = s.hosts[0].evidence
    assert got[("hosts", f"{ev.start}-{ev.end}")].endswith("陈雪梅")
    assert got[("meeting_date", "-".join(map(str, (s.meeting_date.evidence.start, s.meeting_date.evidence.end))))] == "3月18日"
    assert [t for (fld, _), t in got.items() if fld == "points"] == [
        "一要迅速传达会议精神,层层压实工作责任。", "二要加强督导检查,立即整改到位。"]
    # the command line: the text by default, the markup with --show-markup
    r = run(str(f), "--format", "html")
    assert r.returncode == 0 and "&lt;p&gt;" not in r.stdout
    r = run(str(f), "--format", "html", "--show-markup")
    assert r.returncode == 0 and "&lt;p&gt;" in r.stdout
    r = run(str(f), "--show-markup")
    assert r.returncode == 2 and "--show-markup" in r.stderr


def test_date_evidence_covers_the_whole_date(summaries):
    """A highlighted date is the whole date, 日 included; the values are unchanged."""
    src, s = summaries["county_committee_chrome"]
    assert s.meeting_date.value == "2023-05-11" and s.meeting_date.evidence.text == "5月11日"
    src, s = summaries["fullwidth_yishi"]
    assert s.meeting_date.evidence.text == "２０２３年３月５日"
    assert s.published.evidence.text == "２０２３年３月６日"
    for name, (src, s) in summaries.items():
        for v in (s.meeting_date, s.published):
            if v is not None and not v.value.startswith("--"):
                # ends where the date ends: after its day, and after 日/号 when it has one
                assert not src.raw[v.evidence.end:].startswith(("日", "号")), name


def test_html_cli(tmp_path):
    out = tmp_path / "report.html"
    r = run(str(SEED), "--format", "html", "-o", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "f-hosts" in page
    r = run(str(SEED), str(SEED), "--format", "html")
    assert r.returncode == 2 and r.stderr.count("\n") == 1


def test_help_documents_the_formats():
    text = " ".join(run("--help").stdout.split())
    for f in ("yaml", "csv: the people table", "csv-points: the points table", "html", "summarize schema"):
        assert f in text


def test_readme_documents_the_formats():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Output formats" in readme and "docs/report.png" in readme
    assert (ROOT / "docs" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_date_without_a_year_reads_as_a_date(engine):
    """JSON keeps ISO --MM-DD; Markdown and HTML print the rules' month-day words and say
    that the year is not given (the words come from the labels, not from the code)."""
    text = "7月31日下午,某县召开安全生产工作会议。县长王大明主持会议并讲话。"
    s = engine.summarize(text)
    assert s.meeting_date.value == "--07-31"
    assert s.to_dict()["meeting_date"] == "--07-31"
    labels = engine.book.labels
    words = labels["month_day"].format(month=7, day=31)
    assert words == "7月31日"
    md = s.to_markdown()
    assert "--07-31" not in md
    assert f"| {words} ({labels['year_not_given']}) |" in md
    page = to_html(s, text)
    summary_part = page.split('<section class="source">')[0]
    assert words in summary_part and labels["year_not_given"] in summary_part
    assert "--07-31" not in summary_part
    # a full date is printed as it is
    s2 = engine.summarize("2023年7月31日下午,某县召开安全生产工作会议。县长王大明主持会议。")
    assert "| 2023-07-31 |" in s2.to_markdown()
