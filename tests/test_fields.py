"""Meeting name and date normalisation."""
import pytest

from extractor.values import to_int


@pytest.mark.parametrize("s,n", [("29", 29), ("二十九", 29), ("十二", 12), ("十", 10), ("二〇二二", 2022),
                                 ("一百零五", 105), ("２０２３", 2023), ("三十一", 31)])
def test_numerals(engine, s, n):
    assert to_int(s, engine.book.numerals) == n


def meeting(engine, text):
    s = engine.summarize(text)
    return (s.meeting.value if s.meeting else None), (s.meeting_date.value if s.meeting_date else None)


def test_org_convenes_meeting_joins_org_and_name(engine):
    assert meeting(engine, "9月1日,市委召开常委会议,研究部署工作。") == ("市委常委会议", "--09-01")


def test_self_reference_is_left_out(engine):
    assert meeting(engine, "9月1日,我区召开安全生产工作会议。")[0] == "安全生产工作会议"


def test_person_convener_is_left_out(engine):
    assert meeting(engine, "9月1日,副区长陈静朋召开应对强降雨工作会议。")[0] == "应对强降雨工作会议"


def test_hao_full_width_and_chinese_numeral_dates(engine):
    assert meeting(engine, "发布时间:2023-03-09\n\n３月８号上午,县政府召开常务会议。")[1] == "2023-03-08"
    assert meeting(engine, "二〇二二年九月二十九日,区委召开常委会议。")[1] == "2022-09-29"


def test_year_across_new_year_from_publication_date(engine):
    t = "会议报道\n发布时间:2023-01-02\n\n12月30日,县委召开常委会议,研究部署工作。"
    assert meeting(engine, t)[1] == "2022-12-30"


def test_dateline_is_not_the_meeting_date(engine):
    t = "新华社北京7月31日电 7月30日,中共中央政治局召开会议,分析研究经济形势。"
    assert meeting(engine, t) == ("中共中央政治局会议", "--07-30")


def test_future_meeting_in_a_notice_is_not_a_meeting(engine):
    s = engine.summarize("关于召开调度会的通知\n各单位:\n指挥部定于3月25日召开第六次调度会,现就有关事项通知如下:\n一、会议时间:3月25日\n二、会议地点:第一会议室")
    assert s.meeting is None and s.meeting_date is None and s.points == []


def test_dates_of_other_meetings_are_ignored(engine):
    t = "发布时间:2023-05-12\n\n5月11日,县委召开常委会议,传达学习5月8日全省工作会议精神,部署6月20日召开的全县大会筹备工作。"
    assert meeting(engine, t) == ("县委常委会议", "2023-05-11")


def test_dateline_with_month_and_day_takes_a_year_printed_elsewhere(engine):
    s = engine.summarize("中新网10月27日电 2019年全省安全生产工作会议27日在福州召开。")
    assert s.published.value == "2019-10-27"
    s = engine.summarize("红网时刻常德9月27日讯 9月26日,县委召开调度会。")
    assert s.published is None and s.meeting_date.value == "--09-26"


def test_field_rules_that_cannot_win_are_not_tried_and_change_nothing(engine):
    """A field rule below one that already gave the field is skipped (its value could not
    win); the summary is the same as with every rule tried, which explain and rule tests do."""
    from .conftest import SAMPLES
    from extractor.source import read_path
    skipped_somewhere = False
    for path in sorted(SAMPLES.glob("*.txt")):
        text = read_path(str(path)).text
        fast, full = engine.run(text), engine.run(text, every_rule=True)
        assert fast.summary.to_dict(explain=True) == full.summary.to_dict(explain=True), path.name
        skipped_somewhere |= any(rid.startswith("meeting.") and rid not in fast.fired for rid in full.fired)
    assert skipped_somewhere


def test_remarks_made_at_another_meeting_end_with_their_sentence(engine):
    # a sentence-scoped relayed cue: 李强 spoke at the provincial meeting, not this one;
    # 王明, later in the same paragraph, spoke here
    s = engine.summarize("3月5日,县政府召开常务会议,传达学习全省经济工作会议精神。"
                         "省长李强在全省经济工作会议上强调,要稳增长。县长王明主持会议并强调,要抓好落实。")
    assert [p.name for p in s.speakers] == ["王明"]


def test_a_unquoted_stray_quote_is_dropped_from_a_meeting_name(engine):
    assert meeting(engine, "9月1日,市委召开“不忘初心牢记使命主题教育总结会议。")[0] == "市委不忘初心牢记使命主题教育总结会议"


def test_relative_day_counts_from_the_publication_date(engine):
    assert meeting(engine, "发布日期:2024-03-01\n昨日下午,县委召开常委会议。")[1] == "2024-02-29"
    assert meeting(engine, "昨日下午,县委召开常委会议。")[1] is None      # no publication date


def test_relative_day_normaliser():
    from extractor.values import relative_day
    offsets = {"昨日": -1, "今天": 0}
    assert relative_day("昨日", offsets, "2024-01-01") == "2023-12-31"
    assert relative_day("今天", offsets, "2024-01-01") == "2024-01-01"
    assert relative_day("前年", offsets, "2024-01-01") is None
    assert relative_day("昨日", offsets, None) is None
    assert relative_day("昨日", offsets, "--01-01") is None


def test_the_headline_names_the_meeting_only_when_the_body_does_not(engine):
    body_silent = "县委召开常委会议\n3月5日上午,县委书记王明主持会议,传达学习全国两会精神,研究部署有关工作。"
    assert meeting(engine, body_silent) == ("县委常委会议", "--03-05")
    body_names = "县委召开常委会议\n3月5日,县政府召开常务会议,县长王明主持会议,研究部署有关工作。"
    assert meeting(engine, body_names)[0] == "县政府常务会议"


def test_the_meeting_named_only_by_a_labelled_headline_is_read_from_it(engine):
    """A headline read from a `标题:` line starts mid-line: the title-scope rules look at the
    headline's start (\\G), not at a line start (^), so it names the meeting as a bare
    headline line does."""
    body = "\n发布时间:2026-12-01\n\n12月1日,县委书记王明主持并讲话,要求抓好落实,做好各项工作。\n"
    bare = engine.summarize("县委召开常委扩大会议" + body)
    labelled = engine.summarize("标题:县委召开常委扩大会议" + body)
    assert labelled.title.value == bare.title.value == "县委召开常委扩大会议"
    assert labelled.meeting.value == bare.meeting.value == "县委常委扩大会议"


def test_a_year_in_the_meeting_name_printed_in_full_width_digits_dates_the_meeting(engine):
    # no publication date: the year comes from the meeting's name, whatever the digits' width
    for digits in ("2024", "２０２４"):
        s = engine.summarize(f"{digits}年全县安全生产工作会议召开\n"
                             f"5月15日,县委书记王明主持召开{digits}年全县安全生产工作会议。\n")
        assert s.meeting.value == f"{digits}年全县安全生产工作会议"
        assert s.meeting_date.value == "2024-05-15", digits
