"""Hostile links: nothing a link carries is echoed as live Markdown or chart HTML, and hosted mode
(PLAYGROUND_HOSTED=1) caps costly controls and hides server paths."""

import json
import re

import pytest

from playground import hosting

from .apptest import open_page


def _clean(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rendered_markdown(at) -> list[str]:
    """Every Markdown source the page sends: markdown, captions and alerts."""
    return [str(e.value) for e in [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success]]


def _live(markdown: str) -> list[str]:
    """Markdown/HTML constructs left once backslash escapes are taken out."""
    text = re.sub(r"\\.", "", markdown)
    return [token for token in ("](", "![", "<a", "<img", "://") if token in text]


@pytest.mark.parametrize("lesson_id,params", [
    ("l05", {"seed": "[Log in again](http://127.0.0.1:9/p)"}),
    ("l05", {"budget": "![t](http://127.0.0.1:9/pixel.png)"}),
    ("l05", {"[x](http://127.0.0.1:9/k)": "1", "preset": "![p](http://127.0.0.1:9/q.png)"}),
])
def test_a_refused_link_value_is_never_rendered_as_a_link_or_an_image(lesson_id, params):
    at = _clean(open_page(lesson_id, params))
    notice = " ".join(w.value for w in at.warning)
    assert "ignored" in notice
    assert "127\\.0\\.0\\.1" in notice  # shown, literally
    for markdown in _rendered_markdown(at):
        assert not _live(markdown), markdown


@pytest.mark.slow  # a HEAVY page (tests/app/apptest.py)
@pytest.mark.xdist_group("l15")  # in the worker that already built l15's models
def test_hosted_mode_caps_costly_controls_from_a_link_and_says_so(monkeypatch):
    monkeypatch.setenv(hosting.ENV_VAR, "1")
    at = _clean(open_page("l15", {"epochs": "10"}))
    assert at.session_state["epochs"] == 6 and at.slider(key="epochs").max == 6
    notice = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "epochs lowered to 6" in notice
    assert any("Hosted server" in c.value and "Epochs ≤ 6" in c.value for c in at.caption)
    # the CLIP folder box is not shown at all, and a link cannot set it
    assert not [t for t in at.text_input if t.key == "clip_path"]
    assert any("not available on this shared server" in c.value for c in at.caption)


@pytest.mark.slow  # a HEAVY page (tests/app/apptest.py)
@pytest.mark.xdist_group("l03")  # in the worker that already built l03's models
def test_hosted_mode_caps_the_ann_index_settings(monkeypatch):
    monkeypatch.setenv(hosting.ENV_VAR, "1")
    at = _clean(open_page("l03", {"M": "64", "efc": "200", "n": "1000000", "d": "128"}))
    assert (at.session_state["M"], at.session_state["efc"]) == (32, 80)
    assert (at.session_state["n"], at.session_state["d"]) == (100_000, 64)
    assert at.select_slider(key="n").options[-1] == "100,000"


@pytest.mark.slow  # a HEAVY page (tests/app/apptest.py)
@pytest.mark.xdist_group("l15")  # in the worker that already built l15's models
def test_local_mode_never_sets_a_server_path_from_a_link():
    at = _clean(open_page("l15", {"clip_path": "/etc"}))
    assert [t for t in at.text_input if t.key == "clip_path"][0].value == ""
    assert "clip_path (not a setting of this page)" in " ".join(w.value for w in at.warning).replace("\\", "")
    assert not at.error


@pytest.mark.slow  # a HEAVY page (tests/app/apptest.py)
@pytest.mark.xdist_group("l15")  # in the worker that already built l15's models
def test_a_prompt_template_from_a_link_reaches_the_chart_title_only_as_text():
    at = _clean(open_page("l15", {"template": '<a href="http://127.0.0.1:9/">{}</a>',
                                  "view": "Zero-shot classification"}))
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    zero_shot = [t for t in titles if t.startswith("Zero-shot")]
    assert zero_shot and "&lt;a href" in zero_shot[0] and "<a" not in zero_shot[0]


def test_a_400_digit_count_on_lesson_6_is_a_message():
    at = _clean(open_page("l06", {"srm_counts": "9" * 400 + ",1"}))
    assert any("400\\-digit count" in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.slow  # a HEAVY page (tests/app/apptest.py)
@pytest.mark.xdist_group("l10")  # in the worker that already built l10's models
def test_hosted_mode_hides_the_local_model_folder_on_lesson_10(monkeypatch):
    monkeypatch.setenv(hosting.ENV_VAR, "1")
    at = _clean(open_page("l10", {"model_path": "/etc"}, typed={"model_path": "/etc"}))
    assert not [t for t in at.text_input if t.key == "model_path"]
    assert any("not available on this shared server" in c.value for c in at.caption)
    assert not any("model folder" in e.value for e in at.error)  # the typed path was never read
