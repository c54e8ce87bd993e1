"""姓氏笔画 order: stroke count, then 横竖撇点折 stroke by stroke (pipeline.rules.strokes)."""

from __future__ import annotations

from pipeline.rules.strokes import in_stroke_order, stroke_sort_key, strokes, unknown_characters


def ordered(*names: str) -> list[str]:
    return in_stroke_order(names, lambda n: n)


def test_classes_fold_cnchar_letters_into_five():
    assert strokes("石") == "13251"  # 横 撇 竖 横折 横
    assert strokes("官") == "44525151"  # 点 点 横钩(折) 竖 横折 横 横折 横
    assert strokes("丁") == "12"  # 横, 竖钩 counts as 竖
    assert strokes("𫠝") is None


def test_fewer_strokes_first():
    assert ordered("赵六", "丁一", "王五") == ["丁一", "王五", "赵六"]


def test_same_count_by_first_stroke_heng_shu_pie_dian_zhe():
    # five strokes each: 石 横, 申/田/史 竖, 白 撇, 冯 点, 司 折
    assert ordered("司", "白", "史", "石", "冯", "田", "申") == ["石", "申", "田", "史", "白", "冯", "司"]


def test_same_first_stroke_goes_on_to_the_next():
    # three strokes, first 横: 于 横横竖 before 万 横折撇; 上 starts with 竖
    assert ordered("上", "万", "于") == ["于", "万", "上"]


def test_same_surname_then_the_given_name():
    assert ordered("王建国", "王一", "王乙") == ["王一", "王乙", "王建国"]


def test_compound_surnames_and_separators():
    names = ordered("欧阳明", "上官云", "阿依古丽·买买提", "乌云其其格")
    assert names == ["上官云", "乌云其其格", "阿依古丽·买买提", "欧阳明"]
    assert stroke_sort_key("阿依古丽·买买提") == stroke_sort_key("阿依古丽买买提")


def test_unknown_characters_sort_last_and_are_named():
    assert ordered("张𫠝", "𫠝三", "龙") == ["龙", "张𫠝", "𫠝三"]
    assert unknown_characters("张𫠝") == ["𫠝"]


def test_equal_names_keep_the_tiebreak():
    items = [("王芳", "B"), ("王芳", "A")]
    assert in_stroke_order(items, lambda i: i[0], lambda i: i[1]) == [("王芳", "A"), ("王芳", "B")]


def test_public_lists_follow_strokes_not_the_ranking(tmp_path):
    """公示 rows and media numbering come from AwardeeList.public; the ranking stays internal."""
    from media_fixtures import awardee_list
    from media_fixtures import candidate as media_candidate

    from pipeline.media.entries import prepare_entries
    from pipeline.stages.publicity import notice_rows

    names = ["赵六", "丁一", "欧阳明", "石磊", "白雪"]
    people = [media_candidate(i, name=name) for i, name in enumerate(names)]
    awardees = awardee_list(tmp_path, len(people), candidates=people)
    assert [a.nominee.candidate.name for a in awardees.awardees] == names  # rank order
    public = ["丁一", "石磊", "白雪", "欧阳明", "赵六"]
    assert [a.nominee.candidate.name for a in awardees.public] == public
    assert [r.name for r in notice_rows(None, awardees)] == public  # type: ignore[arg-type]
    entries = prepare_entries(awardees)
    assert [(e.seq, e.name) for e in entries] == list(enumerate(public, start=1))
    assert entries[0].stem == "01-丁一"
