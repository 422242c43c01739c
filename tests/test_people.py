"""People with roles: hosts, speakers and attendees from the shipped rules."""


def people(engine, text, field):
    return [p.to_dict() for p in getattr(engine.summarize(text), field)]


def test_roles_split_and_name(engine):
    t = "9月29日,某区委工作会议召开。区委副书记、区长周金星主持会议。"
    assert people(engine, t, "hosts") == [{"name": "周金星", "roles": ["区委副书记", "区长"]}]


def test_role_with_quoted_enumeration_is_one_role(engine):
    t = "3月2日,某镇召开部署会。镇“三城同创、文明创建”领导小组组长王丽华主持会议。"
    assert people(engine, t, "hosts") == [{"name": "王丽华", "roles": ["镇“三城同创、文明创建”领导小组组长"]}]


def test_attended_and_spoke_vs_chaired_and_spoke(engine):
    t = "5月6日,某县召开工作会议。县委书记李建国出席会议并讲话,县长赵明主持会议并讲话。"
    s = engine.summarize(t)
    assert [p.name for p in s.attendees] == ["李建国"]
    assert [p.name for p in s.hosts] == ["赵明"]
    assert [p.name for p in s.speakers] == ["李建国", "赵明"]


def test_relaying_and_instructions_do_not_make_speakers(engine):
    t = ("5月6日,某县召开工作会议。会议传达了省委书记周强的批示精神。县委常委、宣传部长林海宣读了表彰决定。"
         "会议强调,要做好工作。县委书记李建国指出,要抓好落实。")
    s = engine.summarize(t)
    assert [p.name for p in s.speakers] == ["李建国"]


def test_title_after_name_is_not_a_role_and_tongzhi_dropped(engine):
    t = "5月6日,某县召开工作会议。会议由荣维聪主席主持。县委书记李建国同志强调,要抓好落实。"
    s = engine.summarize(t)
    assert [p.to_dict() for p in s.hosts] == [{"name": "荣维聪", "roles": []}]
    assert [p.to_dict() for p in s.speakers] == [{"name": "李建国", "roles": ["县委书记"]}]


def test_fullest_roles_win_for_a_person_named_twice(engine):
    t = ("5月6日,某县召开工作会议。县委副书记、县长赵明主持会议。"
         "赵明强调,要抓好落实。")
    s = engine.summarize(t)
    assert [p.to_dict() for p in s.speakers] == [{"name": "赵明", "roles": ["县委副书记", "县长"]}]


def test_entrusted_chair(engine):
    t = "5月6日,某县召开工作会议。受县委书记李建国委托,县委副书记陈小红主持会议。"
    assert people(engine, t, "hosts") == [{"name": "陈小红", "roles": ["县委副书记"]}]


def test_groups_are_not_attendees(engine):
    t = "5月6日,某县召开工作会议。各乡镇主要负责同志、县直各部门负责人参加会议。"
    assert people(engine, t, "attendees") == []


def test_people_read_once_per_span_and_the_memo_stays_small(engine):
    """Several rules capture the same people; each span is read once, and a long text does
    not keep every span it named (memory), yet every mention is still found."""
    from extractor.people import _READ, _READ_MAX
    one = "区委书记孙新军主持会议。区委副书记、区长周金星强调,要抓好落实。副区长王强出席。"
    doc = engine.run("9月29日,某区召开工作会议。" + one)
    persons = [(p.field, p.name, p.roles) for p in doc.persons]
    assert ("hosts", "孙新军", ["区委书记"]) in persons
    assert ("mentioned", "周金星", ["区委副书记", "区长"]) in persons
    assert ("speakers", "周金星", ["区委副书记", "区长"]) in persons
    assert len(doc.cache[_READ]) < len(persons)       # shared between the rules
    n = 400
    big = engine.run("9月29日,某区召开工作会议。" + "\n".join([one] * n))
    assert len(big.persons) == n * len(persons)
    assert len(big.cache[_READ]) <= _READ_MAX


# --------------------------------------------------------------------------- refs (他, 周书记)

def test_pronoun_stands_for_the_person_named_last_before_it(engine):
    """A bare name (no rule reads it there) counts as the last naming; the names of a
    list of several people do not (他 is one person)."""
    t = ("11月9日,市委书记郑国华到高新区调研。市领导钱伟、冯雪陪同调研。\n"
         "郑国华先后来到产业园、创新中心,了解企业研发情况。他强调,要坚持创新驱动发展战略。")
    s = engine.summarize(t)
    assert [p.to_dict() for p in s.speakers] == [{"name": "郑国华", "roles": ["市委书记"]}]
    assert [p.name for p in s.attendees] == ["钱伟", "冯雪"]
    ev = s.speakers[0].evidence    # from the last naming to the word standing for it
    assert ev.rule == "speaker.pronoun" and t[ev.start:ev.end] == "郑国华先后来到产业园、创新中心,了解企业研发情况。他"


def test_list_after_a_pronoun_belongs_to_the_person_it_stands_for(engine):
    t = ("5月6日,某县召开工作会议。县委书记李建国出席会议。\n"
         "他要求:一要提高认识;二要压实责任。")
    s = engine.summarize(t)
    assert [p.name for p in s.speakers] == ["李建国"]
    assert [p.marker for p in s.points] == ["一要", "二要"]


def test_pronoun_with_nobody_named_near_gives_no_speaker(engine):
    far = ("5月6日,某县召开工作会议。县委书记李建国出席会议。\n会议听取了工作汇报。\n"
           "会议审议了有关文件。\n他强调,要抓好落实。")
    assert engine.summarize(far).speakers == []
    assert engine.summarize("5月6日,某县召开工作会议。他们表示,要抓好落实。").speakers == []


def test_surname_and_title_stand_for_the_person_with_that_surname(engine):
    t = ("5月6日,某社区召开巡逻队工作会议。会议由社区党总支书记周艳主持,民警王刚参加会议。\n"
         "会上,大家回顾了去年的工作。\n讨论热烈。\n周书记说,今年要扩大巡逻范围。")
    s = engine.summarize(t)
    assert [p.to_dict() for p in s.speakers] == [{"name": "周艳", "roles": ["社区党总支书记"]}]
    # a surname picks its person out of a list of several
    listed = "5月6日,某县召开工作会议。县领导王明、李强、张华出席会议。\n王局长强调,要抓好落实。"
    assert [p.name for p in engine.summarize(listed).speakers] == ["王明"]
    # no one named before has the surname: nobody
    assert engine.summarize("5月6日,某县召开工作会议。县长王平主持会议。孙书记强调,要抓好落实。").speakers == []


def test_ref_captures_in_a_rule_file_of_ones_own(tmp_path):
    """The engine's side of `ref`: any person rule may capture it, and
    settings.persons.ref_paragraphs sets how far back it looks."""
    from extractor import Engine
    (tmp_path / "ref.yaml").write_text(
        "settings:\n  persons:\n    ref_paragraphs: 1\n"
        "rules:\n  - id: speaker.that-one\n    kind: person\n    field: speakers\n"
        "    pattern: '(?P<ref>此人)说'\n", encoding="utf-8")
    e = Engine.load(overlays=[tmp_path])
    same = "5月6日,某县召开工作会议。县长王平出席会议。此人说,要抓好落实。"
    assert [(p.name, p.evidence.rule) for p in e.summarize(same).speakers] == [("王平", "speaker.that-one")]
    other = "5月6日,某县召开工作会议。县长王平出席会议。\n此人说,要抓好落实。"
    assert e.summarize(other).speakers == []       # one paragraph: its own only


def test_pronoun_stands_for_the_subject_of_the_nearest_clause_naming_someone(engine):
    """In 'X listened to chairman Y's briefing. He stressed' he is X, though Y is named last;
    in 'chaired by A, B attended and spoke. He stressed' he is B (the nearer clause)."""
    visit = ("11月9日,市委书记郑国华到华星公司调研。公司董事长王明陪同。\n"
             "在公司展厅,郑国华听取了董事长王明的介绍。他强调,要坚持创新驱动。")
    s = engine.summarize(visit)
    assert [p.name for p in s.speakers] == ["郑国华"]
    assert [p.name for p in s.attendees] == ["王明"]
    meeting = "5月6日,某县召开工作会议。会议由县长王平主持,县委书记李建国出席。他强调,要抓好落实。"
    assert [p.name for p in engine.summarize(meeting).speakers] == ["李建国"]


def test_a_proxy_in_brackets_after_a_person_attends_too(engine):
    s = engine.summarize("3月1日,市商会召开会长例会。刘伯明会长、李云常务副会长(蒋晓星)、吴开副会长参加了会议。")
    assert [p.name for p in s.attendees] == ["刘伯明", "李云", "蒋晓星", "吴开"]


def test_a_unit_with_no_title_before_a_name_gives_a_person_without_roles(engine):
    s = engine.summarize("3月1日,市工商联召开会议。市工商联副主席周显、市工商联宣教处吕佳出席会议。")
    assert [(p.name, p.roles) for p in s.attendees] == [("周显", ["市工商联副主席"]), ("吕佳", [])]


def test_a_name_joined_by_he_to_a_group_of_office_holders_is_kept(engine):
    # 钱二和各乡镇党委书记 reads as roles alone as a whole; split at 和 it names 钱二
    s = engine.summarize("3月5日,县委召开常委会议。县领导李刚、赵强、钱二和各乡镇党委书记出席会议。")
    assert [p.name for p in s.attendees] == ["李刚", "赵强", "钱二"]
