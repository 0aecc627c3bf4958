import re

import pytest

from playground import course
from playground.scenario import Control, InvalidValue, chart_text, escape_md, scenario_markdown

def test_numeric_controls_parse_and_reject():
    ctl = Control("k", "k", "int", 1, 100)
    assert ctl.parse("10") == 10 and isinstance(ctl.parse("10"), int)
    for bad in ("0", "101", "1.5", "nan", "inf", "abc", ""):
        with pytest.raises(InvalidValue):
            ctl.parse(bad)
    flt = Control("a", "a", "float", 0.0, 1.0)
    assert flt.parse(flt.encode(1 / 3)) == pytest.approx(1 / 3)

def test_choice_multi_bool_text_round_trip():
    choice = Control("m", "m", "choice", options=("hnsw", "ivf", 32))
    assert choice.parse("ivf") == "ivf" and choice.parse("32") == 32
    with pytest.raises(InvalidValue):
        choice.parse("__import__('os')")
    multi = Control("s", "s", "multi", options=("a", "b", "c"))
    assert multi.parse(multi.encode(["a", "c"])) == ["a", "c"]
    assert multi.parse("") == []
    with pytest.raises(InvalidValue):
        multi.parse("a,z")
    flag = Control("t", "t", "bool")
    assert flag.parse(flag.encode(True)) is True and flag.parse("0") is False
    with pytest.raises(InvalidValue):
        flag.parse("maybe")
    text = Control("q", "q", "text")
    assert text.parse("<b>") == "<b>"
    with pytest.raises(InvalidValue):
        text.parse("x" * 501)

def test_escape_md_neutralises_markup():
    assert escape_md("<img src=x>") == "\\<img src=x\\>"
    assert escape_md("[a](javascript:x)") == "\\[a\\]\\(javascript:x\\)"

def test_scenario_markdown_lists_settings_numbers_and_formulas():
    md = scenario_markdown("3 · ANN", "?nlist=256", [("nlist", "256")], [("recall@10", "0.93")], [r"x^2"])
    assert md.startswith("# 3 · ANN")
    assert "- nlist: 256" in md and "- recall@10: 0.93" in md and "$$ x^2 $$" in md

def test_course_registry_is_consistent():
    ids = [lesson.id for lesson in course.LESSONS]
    assert len(ids) == len(set(ids)) == 18
    assert {lesson.part for lesson in course.LESSONS} == set(course.PARTS)
    slugs = [lesson.slug for lesson in course.LESSONS]
    assert len(set(slugs)) == len(slugs)
    for lesson in course.LESSONS:
        assert lesson.l4 and lesson.l5
        assert lesson.problem.strip() and lesson.breaks.strip()


@pytest.mark.parametrize("hostile", [
    "x\n# Heading\n<script>alert(1)</script>",
    "[Log in again](http://127.0.0.1:9/p)",
    "![t](http://127.0.0.1:9/pixel.png)",
    "see http://127.0.0.1:9/p or www.example.org or me@example.org",
    "`code` | table | $x$ *b* _i_ ~s~ &amp;",
])
def test_export_writes_link_values_as_inert_text(hostile):
    md = scenario_markdown("6 · A/B", "?q=x%0A%23", [("Users per arm", hostile)], [(hostile, "0.93")], ["x\n# y"])
    body = md.split("## Settings", 1)[1]
    assert [line for line in body.splitlines() if line.startswith("#")] == ["## Key numbers", "## The math"]
    unescaped = re.sub(r"\\.", "", body)  # what is left once backslash escapes are taken out
    for live in ("<", "](", "![", "://", "www.", "example.org", "`", "*", "_", "$x"):
        assert live not in unescaped.replace("$$", ""), live
    assert "- Users per arm: " in md and ": 0.93" in md  # numbers stay readable


def test_export_link_stays_one_code_span():
    md = scenario_markdown("T", "?a=`b`\n# c", [], [], [])
    assert "Scenario link: `?a=%60b%60%0A# c`" in md


def test_chart_text_shows_html_literally():
    assert chart_text('<a href="http://x">go</a> & <b>') == '&lt;a href="http://x"&gt;go&lt;/a&gt; &amp; &lt;b&gt;'
