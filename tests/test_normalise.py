from extractor.normalise import normalise


def test_full_width_folded_one_to_one():
    n = normalise("会议要求，第一，做好工作；（一）２０２２年")
    assert n.text == "会议要求,第一,做好工作;(一)2022年"
    assert n.offsets is None  # nothing removed: offsets are the identity
    assert n.original_slice(5, 7) == "第一"


def test_crlf_and_zero_width_keep_a_map_to_the_original():
    original = "甲\r\n乙\u200b丙"
    n = normalise(original)
    assert n.text == "甲\n乙丙"
    s, e = n.to_original(2, 4)
    assert original[s:e] == "乙\u200b丙"
    assert n.original_slice(0, 1) == "甲"


def test_ideographic_space_and_nbsp_become_spaces():
    assert normalise("\u3000\u3000会议\u00a0召开").text == "  会议 召开"


def test_unquote_drops_surrounding_and_stray_quotation_marks():
    from extractor.values import unquote
    assert unquote("“两会”精神传达会") == "“两会”精神传达会"          # a pair stays
    assert unquote("“主题教育总结会议”") == "主题教育总结会议"          # around the whole value
    assert unquote("市委“主题教育总结会议") == "市委主题教育总结会议"    # an opening mark never closed
    assert unquote("主题”教育“两会”会议") == "主题教育“两会”会议"      # a closing mark never opened
