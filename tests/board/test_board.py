"""Rendering the board as of a lesson: layering, highlighting, live numbers, escaping."""

from __future__ import annotations

import re

from playground import board
from playground.systems import SYSTEMS


def _nodes(dot: str) -> set[str]:
    return set(re.findall(r'^\s*"(\w+)" \[label=', dot, flags=re.M))


def _node_line(dot: str, component: str) -> str:
    return next(line.strip() for line in dot.splitlines() if line.strip().startswith(f'"{component}" [label='))


def test_earlier_layers_plain_this_lesson_highlighted_later_absent():
    rec = SYSTEMS["recsys"]
    b = board.as_of(rec, "l03")
    dot = board.to_dot(b)
    assert _nodes(dot) == {"objective", "event_log", "pit_join", "feature_store", "two_tower", "ann_index"}
    assert b.new == {"two_tower", "ann_index"}
    assert _node_line(dot, "ann_index").startswith('"ann_index" [label=<<B>NEW: ANN candidate index</B>')
    assert "fillcolor" in _node_line(dot, "ann_index")
    store = _node_line(dot, "feature_store")  # an earlier layer: plain, no style
    assert "<B>Feature store</B>" in store and "NEW" not in store and "fillcolor" not in store
    assert "ranker" not in _nodes(dot)  # lesson 4 is later
    # an arrow is drawn only between boxes on the board
    assert '"two_tower" -> "ann_index" [label="item vectors"' in dot and '"ann_index" -> "ranker"' not in dot


def test_live_numbers_on_boxes_and_arrows_and_whole_system():
    rag = SYSTEMS["rag"]
    b = board.as_of(rag, "l10", {"llm": "2 GPUs · 1,234 tokens/s", "prompt_builder>llm": "2,048 tokens"})
    dot = board.to_dot(b)
    assert '<FONT COLOR="#1d4ed8">2 GPUs · 1,234 tokens/s</FONT>' in _node_line(dot, "llm")
    assert 'label="2,048 tokens"' in dot
    assert "rag_eval" not in _nodes(dot)
    full = board.as_of(rag, None)
    assert not full.new and _nodes(board.to_dot(full)) == set(rag.ids)


def test_quotes_and_newlines_cannot_break_the_source():
    b = board.as_of(SYSTEMS["recsys"], "l03", {"ann_index": 'say "hi" <b>&\n next',
                                               "two_tower>ann_index": 'a "b"\\'})
    dot = board.to_dot(b)
    assert "say &quot;hi&quot; &lt;b&gt;&amp;</FONT><BR/>" in _node_line(dot, "ann_index")
    assert 'label="a \\"b\\"\\\\"' in dot
    mermaid = board.to_mermaid(b)
    assert "say #quot;hi#quot;" in mermaid and "<br/> next" in mermaid
    assert dot.count("{") == dot.count("}")


def test_mermaid_has_the_same_boxes_and_arrows():
    b = board.as_of(SYSTEMS["ads"], "l12")
    mermaid = board.to_mermaid(b)
    assert mermaid.startswith("flowchart LR")
    assert mermaid.count("-->") == len(b.flows) == len(SYSTEMS["ads"].flows)
    for comp, _ in b.components:
        assert re.search(rf"^\s*{comp.id}\[", mermaid, flags=re.M)
    assert "class auction,off_policy_eval,propensity_log new" in mermaid


def test_loop_closing_arrows_do_not_pull_the_layout():
    dot = board.to_dot(board.as_of(SYSTEMS["recsys"], "l07"))
    assert '"retrain" -> "two_tower" [label="new model", color="#b45309", penwidth=2.2, constraint=false' in dot
    assert '"pit_join" -> "two_tower";' in dot  # an earlier layer's arrow: plain, unlabelled


def test_svg_export_lays_out_every_box_of_the_board():
    rec = SYSTEMS["recsys"]
    b = board.as_of(rec, "l03", {"ann_index": "HNSW · recall@10 0.96"})
    svg = board.to_svg(b).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count('class="node"') == len(_nodes(board.to_dot(b)))
    assert "ANN candidate index" in svg and "recall@10 0.96" in svg


def test_svg_export_of_a_source_graphviz_refuses_is_a_clear_error(monkeypatch):
    import pytest

    monkeypatch.setattr(board, "to_dot", lambda b, html=True: "digraph { a -> }")
    with pytest.raises(ValueError, match="Graphviz could not draw"):
        board.to_svg(board.as_of(SYSTEMS["recsys"], "l03"))
