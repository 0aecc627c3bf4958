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
    """A cap is for a control that retrains or rebuilds: one the generic fuzzer leaves alone."""
    from pathlib import Path

    from bench.pages import LEFT_ALONE

    app = Path(__file__).resolve().parents[1] / "app"
    for lesson_id, caps in hosting.LIMITS.items():
        source = (app / course.lesson(lesson_id).page_file).read_text()
        for key in caps:
            assert f'("{key}", ' in source, (lesson_id, key)  # declared on the page
            assert key in LEFT_ALONE[lesson_id], (lesson_id, key)


def test_config_drift_lists_what_the_running_server_lacks():
    expected = {"server": {"maxUploadSize": 5, "allowedHosts": ["localhost"]}, "client": {"showErrorDetails": "none"}}
    same = {"server.maxUploadSize": 5, "server.allowedHosts": ["playground.example.org"], "client.showErrorDetails": "none"}
    assert hosting.config_drift(expected, same.get) == []  # the operator's own host names are fine
    default = {"server.maxUploadSize": 200, "server.allowedHosts": [], "client.showErrorDetails": "full"}
    drift = hosting.config_drift(expected, default.get)
    assert drift == ["server.maxUploadSize is 200, not 5",
                     "server.allowedHosts is empty: any Host header is served (DNS rebinding)",
                     "client.showErrorDetails is 'full', not 'none'"]


def test_a_hosted_server_started_outside_the_repository_refuses_to_serve(tmp_path):
    """Started elsewhere, Streamlit does not find .streamlit/config.toml: the entry point says so."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = ("from streamlit.testing.v1 import AppTest\n"
              f"at = AppTest.from_file({str(root / 'app' / 'streamlit_app.py')!r}, default_timeout=60).run()\n"
              "print('ERRORS:', [e.value for e in at.error], 'EXC:', [e.value for e in at.exception])\n")
    env = dict(os.environ, PLAYGROUND_HOSTED="1", PYTHONPATH=f"{root / 'src'}{os.pathsep}{root / 'app'}")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert "started without the playground's settings" in out.stdout, out.stdout + out.stderr[-2000:]
    assert "server.maxUploadSize is 200, not 5" in out.stderr
