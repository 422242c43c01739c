from extractor.normalise import normalise


def test_full_width_folded_one_to_one():
    n = normalise("会议要求，第一，做好工作；（一）２０２２年")
    assert n.text == "会议要求,第一,做好工作;(一)2022年"
    assert not n.cuts  # nothing removed: offsets are the identity
    assert n.original_slice(5, 7) == "第一"


def test_crlf_and_zero_width_keep_a_map_to_the_original():
    original = "甲\r\n乙\u200b丙"
    n = normalise(original)
    assert n.text == "甲\n乙丙"
    s, e = n.to_original(2, 4)
    assert original[s:e] == "乙\u200b丙"
    assert n.original_slice(0, 1) == "甲"


def test_ideographic_space_and_nbsp_become_spaces():
    assert normalise("会议\u3000\u00a0召开").text == "会议  召开"


def test_indentation_is_dropped_and_spans_still_map_to_the_text_as_read():
    # paragraphs of Chinese pages are indented with ideographic spaces (or spaces, or NBSP)
    original = "\u3000\u3000会议由王明主持。\r\n\u00a0\u00a0\u200b二、做好工作\n  \n三是"
    n = normalise(original)
    assert n.text == "会议由王明主持。\n二、做好工作\n\n三是"
    for i, ch in enumerate(n.text):
        s, e = n.to_original(i, i + 1)
        assert e == s + 1 and (original[s] == ch or (ch, original[s]) == ("\n", "\r")), i
    assert n.original_slice(0, 7) == "会议由王明主持"
    assert n.original_slice(9, 15) == "二、做好工作"
    assert n.to_original(len(n.text), len(n.text)) == (len(original), len(original))


def test_an_indented_line_gives_no_meeting_named_by_its_indentation():
    from extractor import Engine
    text = ("新学期第一次校务会议\n"
            "\u3000\u30008月25日上午，全体中层以上干部齐聚小会议室，参加新学期的第一次校务会议。\n"
            "\u3000\u3000会议由包伟强校长主持，包校长对新一届班子成员提出了要求。\n")
    s = Engine.load().summarize(text)
    assert s.meeting.value == "新学期的第一次校务会议"
    assert s.meeting.evidence.text == "新学期的第一次校务会议"


def test_crlf_line_ends_keep_a_map_of_one_entry_per_line_not_per_character():
    # a 10 MB file saved with \r\n line ends took 500 MB when every character had an entry
    import sys
    import tracemalloc
    line = "会议强调，要认真贯彻落实中央、省委决策部署，切实做好各项工作。"
    text = "\r\n".join([line] * 20000)
    tracemalloc.start()
    try:
        n = normalise(text)
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(n.cuts) == 19999
    assert kept < 2 * sys.getsizeof(text)
    assert n.original_slice(len(line) + 1, 2 * len(line) + 1) == line


def test_unquote_drops_surrounding_and_stray_quotation_marks():
    from extractor.values import unquote
    assert unquote("“两会”精神传达会") == "“两会”精神传达会"          # a pair stays
    assert unquote("“主题教育总结会议”") == "主题教育总结会议"          # around the whole value
    assert unquote("市委“主题教育总结会议") == "市委主题教育总结会议"    # an opening mark never closed
    assert unquote("主题”教育“两会”会议") == "主题教育“两会”会议"      # a closing mark never opened
