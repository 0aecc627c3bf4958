"""Hosted mode: one setting switches it on; costly controls are capped; link values above a cap are lowered."""

import pytest

from playground import course, hosting


def test_one_environment_variable_switches_hosted_mode_on():
    assert not hosting.is_hosted({})
    for on in ("1", "true", "YES", " on "):
        assert hosting.is_hosted({hosting.ENV_VAR: on})
    for off in ("", "0", "false", "no", "later"):
        assert not hosting.is_hosted({hosting.ENV_VAR: off})


def test_limits_apply_only_when_hosted_and_name_real_lessons():
    assert hosting.limit("l03", "n", hosted=False) is None
    assert hosting.limit("l03", "n", hosted=True) == 100_000
    assert hosting.limit("l03", "k", hosted=True) is None  # uncapped control
    ids = {lesson.id for lesson in course.LESSONS}
    assert set(hosting.LIMITS) <= ids


def test_cap_range_keeps_the_type_and_lowers_the_default():
    assert hosting.cap_range(167, 16, None) == (167, 16)
    assert hosting.cap_range(167, 16, 40) == (40, 16)
    assert hosting.cap_range(167, 100, 40) == (40, 40)
    assert isinstance(hosting.cap_range(167, 100, 40.0)[0], int)
    assert hosting.cap_range(10, 6, 40) == (10, 6)  # a cap above the range changes nothing


def test_cap_options_drops_larger_numbers_and_keeps_a_valid_default():
    sizes = [10_000, 30_000, 100_000, 300_000, 1_000_000]
    assert hosting.cap_options(sizes, 1_000_000, None) == (sizes, 1_000_000)
    assert hosting.cap_options(sizes, 30_000, 100_000) == ([10_000, 30_000, 100_000], 30_000)
    assert hosting.cap_options(sizes, 1_000_000, 100_000) == ([10_000, 30_000, 100_000], 100_000)
    assert hosting.cap_options(["0.07", "auto"], "auto", 1) == (["0.07", "auto"], "auto")  # text kept
    with pytest.raises(ValueError, match="leaves no option"):
        hosting.cap_options([200, 400], 200, 100)


@pytest.mark.parametrize("raw,options,cap,expected", [
    ("1000000", [10_000, 30_000, 100_000], 100_000, "100000"),
    ("64", [4, 8, 16, 32], 32, "32"),
    ("32", [4, 8, 16, 32], 32, None),      # at the cap: parsed as usual
    ("167", None, 40, "40"),               # numeric range
    ("abc", None, 40, None),               # not a number: refused by the parser instead
    ("nan", None, 40, None),
    ("1e309", None, 40, "40"),             # inf is above any cap
    ("1000000", [10_000], None, None),     # local mode
])
def test_link_values_above_a_cap_are_lowered_to_it(raw, options, cap, expected):
    assert hosting.clamp_link_value(raw, options, cap) == expected


def test_every_cap_names_a_costly_control_of_its_page():
    from pathlib import Path

    app = Path(__file__).resolve().parents[1] / "app"
    for lesson_id, caps in hosting.LIMITS.items():
        source = (app / course.lesson(lesson_id).page_file).read_text()
        for key in caps:
            declared = [line for line in source.splitlines() if f'("{key}", ' in line and "page." in line]
            assert declared, (lesson_id, key)
            # the control is marked costly on the same or the next declaration lines
            start = source.index(declared[0])
            assert "costly=True" in source[start:start + 400], (lesson_id, key)
