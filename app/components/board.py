"""Show a board (playground.board) with Streamlit's own Graphviz chart, plus its text exports.

``st.graphviz_chart`` lays the DOT source out in the browser; the SVG download is laid out on the
server only when it is clicked (Graphviz compiled to WebAssembly, no system Graphviz).
"""

from __future__ import annotations

import streamlit as st

from playground import board as bd

LEGEND = ("Boxes with **NEW** (amber) are what this lesson adds; grey boxes are earlier layers; "
          "later lessons are not drawn yet. Numbers are the current scenario's.")


def show_board(board: bd.Board, file_stem: str, heading: str, caption: str | None = None,
               folded: bool = False) -> None:
    """The board at full width, then DOT and Mermaid downloads (``caption``: the legend by default);
    ``folded``: inside a collapsed expander titled ``heading`` (a lesson page's summary, kept out
    of the page's first screens)."""
    if folded:
        with st.expander(heading, expanded=False):
            _draw(board, file_stem, caption)
        return
    st.subheader(heading)
    _draw(board, file_stem, caption)


def _draw(board: bd.Board, file_stem: str, caption: str | None) -> None:
    st.caption(caption or LEGEND)
    dot = bd.to_dot(board)
    st.graphviz_chart(dot)
    svg, left, right, note = st.columns([1, 1, 1, 2])
    svg.download_button("Board as SVG", lambda: bd.to_svg(board), file_name=f"{file_stem}_board.svg",
                        mime="image/svg+xml", on_click="ignore", key=f"_svg_{file_stem}")
    left.download_button("Board as DOT", dot, file_name=f"{file_stem}_board.dot",
                         mime="text/vnd.graphviz", on_click="ignore", key=f"_dot_{file_stem}")
    right.download_button("Board as Mermaid", bd.to_mermaid(board), file_name=f"{file_stem}_board.mmd",
                          mime="text/plain", on_click="ignore", key=f"_mmd_{file_stem}")
    note.caption("SVG for slides and notes; DOT for any Graphviz tool; Mermaid pastes into a Markdown "
                 "note (GitHub renders it). The chart's full-screen button shows it large.")
