"""Numbered lists: sequences, item ends, nesting, directive cues, attribution."""


def points(engine, text):
    return [(p.marker, p.lead) for p in engine.summarize(text).points]


HEAD = "9月1日,县委召开工作会议。"


def test_yi_yao_list_with_speaker(engine):
    s = engine.summarize(HEAD + "县委书记王强强调:\n一要提高认识。要抓好学习。\n二要压实责任。\n三要严肃纪律。")
    assert [(p.marker, p.lead) for p in s.points] == [("一要", "提高认识"), ("二要", "压实责任"), ("三要", "严肃纪律")]
    assert {p.speaker for p in s.points} == {"王强"}
    assert s.points[0].clauses == ["要抓好学习"]


def test_yi_shi_yao_marker_and_items_without_sentence_end(engine):
    got = points(engine, HEAD + "县长李明要求,一是要提高认识,二是做好准备,三是狠抓落实。")
    assert got == [("一是", "要提高认识"), ("二是", "做好准备"), ("三是", "狠抓落实")]


def test_glued_marker(engine):
    got = points(engine, HEAD + "县长李明要求全镇上下一要统一思想;二要落实责任。")
    assert got == [("一要", "统一思想"), ("二要", "落实责任")]


def test_nested_list_is_not_points(engine):
    t = HEAD + "县长李明强调:\n(一)加强领导。具体是:1.建立台账。2.明确分工。\n(二)强化督查。"
    s = engine.summarize(t)
    assert [(p.marker, p.lead) for p in s.points] == [("(一)", "加强领导"), ("(二)", "强化督查")]
    assert [(i.marker, i.lead) for i in s.points[0].items] == [("1.", "建立台账"), ("2.", "明确分工")]


def test_agenda_and_assessment_are_not_points(engine):
    t = HEAD + "会议议程:\n1.听取工作汇报。\n2.审议有关文件。\n今年工作呈现三方面特点:一是增长快,二是质量好,三是效益高。"
    assert points(engine, t) == []


def test_two_speakers_two_lists(engine):
    t = HEAD + "书记王强强调,一是抓学习;二是抓落实。县长李明要求,一是保安全;二是促发展。"
    s = engine.summarize(t)
    assert [(p.marker, p.speaker) for p in s.points] == [("一是", "王强"), ("二是", "王强"), ("一是", "李明"), ("二是", "李明")]


def test_list_cut_off_by_end_of_text(engine):
    got = points(engine, HEAD + "书记王强强调,一要抓学习。二要抓落实,确保各项工作")
    assert got == [("一要", "抓学习"), ("二要", "抓落实,确保各项工作")]


def test_meeting_as_body_gives_no_speaker(engine):
    s = engine.summarize(HEAD + "县委书记王强主持会议。会议强调,一要抓学习;二要抓落实。")
    assert [p.speaker for p in s.points] == [None, None]
    assert s.speakers == []


def test_remarks_relayed_from_another_meeting_are_not_points(engine):
    t = ("3月29日,市委召开对台工作会议。市委副书记李建华出席会议并讲话。\n"
         "在市委常委会上,孙爱军书记强调,一要抓好经贸合作;二要促进文化交流。\n"
         "李建华指出,要加强领导。")
    s = engine.summarize(t)
    assert s.points == []
    assert [p.name for p in s.speakers] == ["李建华"]


def test_narrative_shouxian_is_not_a_list(engine):
    t = HEAD + "县委书记王强首先作了重要讲话。随后,与会人员进行了讨论。最后,县长李明作总结讲话。"
    assert points(engine, t) == []


def test_mixed_numbering_styles_continue_one_list(engine):
    t = HEAD + "院长胡敏要求,一是要提高认识。二是要突出重点。三、要统筹安排。"
    assert [m for m, _ in points(engine, t)] == ["一是", "二是", "三、"]


def test_max_gap_breaks_a_list(engine, tmp_path):
    from extractor import Engine
    (tmp_path / "gap.yaml").write_text(
        "rules:\n  - id: list.yi-shi\n    kind: list\n    priority: 60\n    max_gap: 20\n"
        "    marker: '(?P<num>[一二三])是'\n", encoding="utf-8")
    e = Engine.load(overlays=[tmp_path])
    near = HEAD + "县长李明要求,一是提高认识;二是做好准备。"
    far = HEAD + "县长李明要求,一是提高认识,把思想和行动统一到会议精神上来,切实增强责任感;二是做好准备。"
    assert [m for m, _ in points(e, near)] == ["一是", "二是"]
    assert points(e, far) == []


def test_budget_spent_while_reading_lists_keeps_those_read(engine, monkeypatch):
    """When the document's time budget runs out between two lists, the first list's points
    stay, the second is not read, and a warning says so (a long text cannot hang here)."""
    from extractor import lists as structure
    t = (HEAD + "县委书记王强强调:\n一要提高认识。\n二要压实责任。\n"
         "县长李明要求:\n一是加强领导。\n二是狠抓落实。")
    assert len(engine.summarize(t).points) == 4
    real = structure._speaker

    def speaker_then_expire(doc, ch, window, field):
        who = real(doc, ch, window, field)
        doc.deadline = float("-inf")     # the budget runs out while the first list is read
        return who
    monkeypatch.setattr(structure, "_speaker", speaker_then_expire)
    s = engine.summarize(t)
    # once the budget is spent no pattern runs (each call gets the budget left), so the
    # leads are no longer cut at their stop: the points themselves stay
    assert [(p.marker, p.lead.rstrip("。")) for p in s.points] == [("一要", "提高认识"), ("二要", "压实责任")]
    assert "document time budget spent while reading numbered lists" in s.warnings


def test_list_with_no_speaker_is_not_given_an_attendee_of_an_earlier_paragraph(engine):
    # nobody is named as giving these requirements: an attendee named one paragraph
    # earlier did not introduce them (points.attribution_paragraphs)
    t = ("9月1日,县审计局召开审计进场会。区教育局局长吴平和被审计单位干部参加会议。\n"
         "会上宣读了审计通知书,并提出三项要求。一是强化认识。二是加强沟通。三是严明纪律。")
    s = engine.summarize(t)
    assert [p.marker for p in s.points] == ["一是", "二是", "三是"]
    assert {p.speaker for p in s.points} == {None}
    assert s.speakers == []


def test_surname_and_title_in_the_list_paragraph_introduce_the_list(engine):
    # 何校长 stands for 何宗平, named (as the host) in the paragraph before
    t = ("6月10日,中心学校召开校长会议。会议由中心学校校长何宗平主持。\n"
         "在会上,何校长安排部署了有关工作。要求学校一要加强安全工作。二要做好质量检测。")
    s = engine.summarize(t)
    assert {p.speaker for p in s.points} == {"何宗平"}
    assert [p.name for p in s.speakers] == ["何宗平"]


def test_a_list_goes_on_in_another_style_after_a_lone_first_item(engine):
    # 首先 (an ordinal word) opens the list, 第二要/第三要 continue it
    got = points(engine, HEAD + "党委书记王明强调,首先要统一思想;第二要压实责任;第三要狠抓落实。")
    assert got == [("首先", "要统一思想"), ("第二要", "压实责任"), ("第三要", "狠抓落实")]


def test_a_lone_first_item_with_no_continuation_is_no_list(engine):
    assert points(engine, HEAD + "党委书记王明首先传达了文件精神。会议要求,要抓好落实。") == []


def test_the_person_named_in_the_sentence_introducing_a_list_is_its_speaker(engine):
    # 王明 spoke before, but 李刚 introduces this list in its own sentence
    s = engine.summarize(HEAD + "县委书记王明主持会议并讲话。县长李刚对下一步工作进行安排:一是抓好春耕;"
                                "二是抓好防火;三是抓好安全。")
    assert {p.speaker for p in s.points} == {"李刚"}
    assert [p.name for p in s.speakers] == ["王明", "李刚"]


def test_an_agenda_announced_in_the_sentence_before_is_no_directive_list(engine):
    # the intro is the sentence before the list in its paragraph; the items report who did what
    s = engine.summarize(HEAD + "会议进行了三项议程。一是县委副书记李刚传达了全会精神。二是各乡镇汇报了工作。"
                                "三是县委书记赵强作总结讲话。")
    assert s.points == []
    assert [p.name for p in s.speakers] == ["赵强"]


def test_a_bare_name_read_with_roles_before_introduces_the_list_in_its_sentence(engine):
    # 鄢春燕 is read as host (with roles) first; her bare name opens the list's sentence
    s = engine.summarize("3月28日,东湖社区召开网格员工作例会,社区党委书记鄢春燕主持会议。\n"
                         "会上,鄢春燕对下阶段工作进行了安排:1.做好信息采集;2.开展隐患排查;3.加强纠纷调解。")
    assert {p.speaker for p in s.points} == {"鄢春燕"}
    assert [(p.name, p.roles) for p in s.speakers] == [("鄢春燕", ["社区党委书记"])]


def test_items_that_report_the_agenda_are_not_directives_inline_or_on_their_own_lines(engine):
    """An item-scope cue looks at the start of each item, right after its marker (the
    marker stands mid-line, so a `^` there never matched and agenda items were read as
    the chair's directives)."""
    t = HEAD + "县委书记王明主持会议并讲话。会议一是听取了县发改委工作汇报;二是审议了《实施方案》;三是通过了人事事项。"
    assert points(engine, t) == []
    t = HEAD + "县委书记王明主持会议并讲话。会议:\n一是听取了县发改委工作汇报;\n二是审议了《实施方案》;\n三是通过了人事事项。"
    assert points(engine, t) == []
    # directives in the same shape are still points
    t = HEAD + "县委书记王明主持会议并讲话。他强调,一是加强领导;二是压实责任;三是狠抓落实。"
    assert [m for m, _ in points(engine, t)] == ["一是", "二是", "三是"]


def test_a_list_of_problems_is_no_points_and_does_not_swallow_the_directives_after_it(engine):
    s = engine.summarize("县委召开常委会议\n3月5日上午,县委书记王明主持召开县委常委会议。会议听取了各乡镇工作汇报。"
                         "王明指出,当前工作存在三个问题:一是认识不到位;二是措施不得力;三是落实不够好。"
                         "王明要求,一要提高认识;二要压实责任。\n")
    assert [(p.marker, p.lead, p.speaker) for p in s.points] == [("一要", "提高认识", "王明"),
                                                                  ("二要", "压实责任", "王明")]


def test_a_list_of_the_items_a_meeting_passed_is_no_points(engine):
    s = engine.summarize("县委召开常委会议\n3月5日上午,县委书记王明主持召开县委常委会议。"
                         "会议审议通过了以下事项:1.《2024年工作要点》;2.《考核办法》;3.人事事项。\n")
    assert s.points == []
