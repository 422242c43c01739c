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
    from extractor.mentions import _READ, _READ_MAX
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
