"""The blank-whiteboard drill: draw by clicks, grade, links to the failures, interviewer view."""

from __future__ import annotations

from playground import course

from .apptest import metric, open_page, texts
from .test_board_on_every_page import dot_of


def _add(at, component, side):
    at.selectbox(key="_pick").set_value(component)
    at.radio(key="_pick_side").set_value(side)
    at.button[[b.label for b in at.button].index("Add to the board")].click()
    return at.run()


def test_starts_blank_and_builds_a_board_by_clicks():
    at = open_page("drill")
    assert not at.exception
    assert '" [label=' not in dot_of(at)  # no boxes on a blank board
    at = _add(at, "feature_store", "both")
    at = _add(at, "ranker", "online")
    at = _add(at, "ranker", "offline")  # adding again moves it
    assert at.session_state["on"] == [] and at.session_state["off"] == ["ranker"]
    at.selectbox(key="_from").set_value("feature_store")
    at.selectbox(key="_to").set_value("ranker")
    at.button[[b.label for b in at.button].index("Connect")].click()
    at.run()
    assert not at.exception
    dot = dot_of(at)
    assert '"feature_store" -> "ranker"' in dot and "cluster_offline" in dot and "cluster_online" not in dot
    assert at.query_params["flows"] in ("feature_store>ranker", ["feature_store>ranker"])


def test_reference_board_grades_l5_with_full_marks():
    at = open_page("drill", {"preset": "reference", "graded": "1"})
    assert not at.exception
    assert metric(at, "Verdict") == "L5" and metric(at, "Reference points") == "100%"
    assert at.get("plotly_chart")
    assert not [w for w in at.warning if "Not yet L5" in w.value]


def test_model_first_board_names_the_failures_and_links_their_presets():
    at = open_page("drill", {"preset": "model_first", "graded": "1"})
    assert not at.exception and metric(at, "Verdict") == "L4"
    shown = texts(at)
    assert "ANN candidate index (FAISS)**: misplaced (you drew it offline; it runs online)" in shown
    assert course.lesson("l02").breaks in shown
    links = {f"{p.proto.page}?{p.proto.query_string}" for p in at.get("page_link")}
    assert "data_pipeline?preset=naive" in links  # the missing feature store: train/serve skew
    assert "retrieval_ann?preset=underprobed" in links  # the misplaced index
    assert "retrieval_ann?preset=naive" not in links  # the two-tower is drawn right: no link


def test_interviewer_view_from_one_link():
    params = {"preset": "reference", "view": "interviewer", "iv_s1_0": "1", "iv_s2_0": "1", "notes": "1B users"}
    at = open_page("drill", params)
    assert not at.exception
    assert metric(at, "Rubric covered").startswith("2 of ")
    assert metric(at, "Interviewer verdict") == "L4"  # a perfect board, but the rubric was skipped
    assert "Probe (Feature store" in texts(at)
    assert [d for d in at.get("download_button") if "scorecard" in d.proto.label.lower()]


def test_bad_board_link_is_a_notice_not_a_traceback():
    at = open_page("drill", {"on": "nope,<script>", "flows": "a>b"})
    assert not at.exception
    assert "ignored" in " ".join(w.value for w in at.warning)


def test_stage_shows_the_graded_review_with_its_verdict():
    at = open_page("drill", {"preset": "model_first", "stage": "1"})
    assert not at.exception
    assert [e for e in at.error if e.value.startswith("Board L4: ") and "not yet L5" in e.value]
    assert at.get("plotly_chart") and metric(at, "Verdict") == "L4"
