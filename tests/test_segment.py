SEED_LIKE = """点击右上角微信好友

朋友圈

正在阅读:某区委工作会议召开
首页> 地方频道> 要闻 > 正文

某区委工作会议召开

来源:某区人民政府2022-09-30 16:04

  9月29日,某区委工作会议召开。区委书记王大明强调,要做好各项工作,确保取得实效。

[ 责编:李四 ]

相关阅读

3月1日,另一个县召开常务会议,县长张三主持会议并讲话。
"""


def test_chrome_title_metadata_and_body(engine):
    doc = engine.run(SEED_LIKE, until="segment")
    body = doc.text[doc.body.start:doc.body.end]
    assert body.lstrip().startswith("9月29日")
    assert "相关阅读" not in body and "张三" not in body
    assert any("朋友圈" == ln.text for ln in doc.chrome)
    s = engine.summarize(SEED_LIKE)
    assert s.title.value == "某区委工作会议召开"
    assert s.published.value == "2022-09-30"
    assert s.source.value == "某区人民政府"


def test_related_reading_never_leaks(engine):
    s = engine.summarize(SEED_LIKE)
    names = [p.name for p in s.hosts + s.speakers + s.attendees]
    assert "张三" not in names
    assert s.meeting.value == "某区委工作会议"


def test_text_without_structure_gives_empty_summary(engine):
    s = engine.summarize("今天天气晴朗,气温适宜,适合户外活动。")
    assert s.is_empty()
    assert s.to_dict()["points"] == []


def test_empty_and_whitespace(engine):
    for text in ("", "   \n\n  ", "\x00\x01"):
        d = engine.summarize(text).to_dict()
        assert d["title"] is None and d["hosts"] == [] and d["points"] == []


import pytest


@pytest.mark.parametrize("text", [
    "青山县人民检察院工作报告\n各位代表:现在,我代表县人民检察院向大会报告工作。一是依法打击犯罪。二是服务大局。",
    "青山镇2024年安全生产工作要点\n为做好全年工作,县长王明要求:一是加强组织领导。二是强化隐患排查。",
    "全县经济工作会议将于3月10日召开\n全县经济工作会议定于3月10日召开,县委书记王明将出席会议并讲话。",
    "青山县2023年工作总结\n2023年,全县召开各类会议120余次,县长李华多次主持召开专题会议,研究部署重点工作。"
    "一是经济稳中向好;二是民生持续改善。",
])
def test_plans_work_reports_and_announcements_get_no_meeting_people_or_points(engine, text):
    s = engine.summarize(text)
    assert s.title is not None
    assert (s.meeting, s.meeting_date, s.hosts, s.speakers, s.attendees, s.points) == (None, None, [], [], [], [])


def test_a_plan_named_in_a_meeting_headline_is_still_a_report(engine):
    s = engine.summarize("县政府常务会议审议2024年工作计划\n3月5日,县长王明主持召开县政府常务会议,审议工作计划。")
    assert s.meeting.value == "县政府常务会议"
    assert [p.name for p in s.hosts] == ["王明"]


def test_a_headline_followed_by_metadata_on_its_line_is_the_title(engine):
    s = engine.summarize("县委召开常委会议 发布时间:2024-03-05 来源:县委办\n"
                         "3月5日,县委召开常委会议,县委书记王明主持会议,研究部署有关工作。")
    assert (s.title.value, s.published.value, s.source.value) == ("县委召开常委会议", "2024-03-05", "县委办")


def test_a_metadata_label_line_is_no_title(engine):
    s = engine.summarize("作者:张三 时间:2024-03-05\n坚守底线确保稳定\n"
                         "3月5日,县委召开常委会议,县委书记王明主持会议,研究部署有关工作。")
    assert s.title.value == "坚守底线确保稳定"


def test_a_source_line_above_a_page_footer_is_read(engine):
    # the 来源 line closes the article; the page's footer lines follow, unmarked
    report = ("市政协召开主席会议\n发布日期:2020-09-23 08:51\n\n"
              "9月22日上午,市政协十三届三十四次主席会议召开。市政协主席周桂萍主持会议并讲话。\n\n"
              "周桂萍要求,市政协各委室要对照年度工作要点,对全年工作进行梳理,确保圆满完成全年工作任务。\n\n"
              "来源:青山日报\n")
    footer = ("版权所有:青山市人民政府办公室\n地址:青山市人民路1号 邮编:100000\n"
              "网站标识码:1234567890 京ICP备12345678号\n技术支持:青山科技有限公司\n")
    for text in (report, report + footer):
        s = engine.summarize(text)
        assert s.source is not None and s.source.value == "青山日报"


@pytest.mark.parametrize("text", [
    # cut off in the first paragraph, which opens with a date, a time of day and a comma
    "学校召开第四次党代会代表团第一次会议\n- 发布日期:2023-03-07 浏览次数:2079\n-\n"
    "3月7日下午2:30,学校9个代表团分别于指定地点召开第四次党代",
    # ... which opens with a byline
    "学校召开第四次党代会代表团第一次会议\n本报讯 (记者 徐芳) 在3月7日上午召开的学校第四次党代会代表团会议上,校党委",
    # no line reads as prose at all: the first line heads the text
    "学校召开第四次党代会代表团第一次会议\n来源:本站 时间:2023-03-07\n紧盯目标 压实责任 狠抓落实",
])
def test_a_text_cut_off_in_its_first_paragraph_keeps_its_headline(engine, text):
    s = engine.summarize(text)
    assert s.title is not None and s.title.value == "学校召开第四次党代会代表团第一次会议"


@pytest.mark.parametrize("line", ["浏览次数:123 发布日期:2024-03-06", "点击数:56  时间:2024-03-06"])
def test_a_view_count_line_that_prints_the_date_is_read_for_it(engine, line):
    s = engine.summarize("县委召开常委会议\n" + line + "\n"
                         "3月5日上午,县委书记王明主持召开县委常委会议,研究部署近期重点工作。\n")
    assert s.published is not None and s.published.value == "2024-03-06"
    assert s.title.value == "县委召开常委会议"


def test_a_date_and_time_line_above_the_article_is_no_body(engine):
    # 10:05:44 is a time, not a time and a colon that opens a clause (the first body line
    # opens with a date, a time of day and a comma)
    s = engine.summarize("2023-04-24 10:05:44_青山新闻网\n首页\n新闻中心\n"
                         "4月23日下午,第三届金华发展大会筹备工作战前动员会召开。市委副书记蔡永波强调,"
                         "要认真贯彻部署要求。王志强主持。\n")
    assert s.meeting is not None and s.meeting.value == "第三届金华发展大会筹备工作战前动员会"
    assert [p.name for p in s.hosts] == ["王志强"]


def test_a_column_label_above_a_headline_is_not_the_title(engine):
    s = engine.summarize("热点新闻\n坚守稳定安全底线确保社会大局持续稳定\n发布时间:2024-03-06\n"
                         "3月5日,县委书记王明主持召开县委常委会议,研究部署维稳工作,会议要求各地压实责任。\n")
    assert s.title.value == "坚守稳定安全底线确保社会大局持续稳定"


def test_a_headline_after_a_stripped_prefix_is_the_title(engine):
    # chrome.reading-prefix strips 正在阅读: ; the headline then starts mid-line, where the
    # title rules' search starts (\G), not at a line start (^)
    s = engine.summarize("正在阅读:县委召开常委会议\n发布时间:2024-03-06\n"
                         "3月5日上午,县委书记王明主持召开县委常委会议,研究部署近期重点工作。\n")
    assert s.title is not None and s.title.value == "县委召开常委会议"


@pytest.mark.parametrize("tail, published, source", [
    # related reading ends the article: its teasers' dates are other articles'
    ("相关新闻\n县政府召开常务会议 2024-03-01\n县人大召开主任会议 2024-02-28\n", None, None),
    # the editor's line ends it: the source line after it is still read, the teasers are not
    ("责任编辑:王小明\n来源:青山日报 2024-03-05\n相关新闻\n县政府召开常务会议 2024-03-01\n", "2024-03-05", "青山日报"),
    ("责任编辑:王小明\n相关新闻\n县政府召开常务会议 2024-03-01\n", None, None),
])
def test_related_reading_after_the_article_dates_nothing(engine, tail, published, source):
    s = engine.summarize("县委召开常委会议\n3月4日上午,县委书记王明主持召开县委常委会议,研究部署近期重点工作。"
                         "县委副书记李华出席会议。\n" + tail)
    assert (s.published.value if s.published else None) == published
    assert (s.source.value if s.source else None) == source
