"""Show a board (playground.board) with Streamlit's own Graphviz chart, plus its text exports.

``st.graphviz_chart`` lays the DOT source out in the browser (no Graphviz on the server), so the
server can offer the diagram source (DOT, Mermaid) for download but not an SVG/PNG file.
"""

from __future__ import annotations

import streamlit as st

from playground import board as bd

LEGEND = ("Boxes with **NEW** (amber) are what this lesson adds; grey boxes are earlier layers; "
          "later lessons are not drawn yet. Numbers are the current scenario's.")


def show_board(board: bd.Board, file_stem: str, heading: str, caption: str = LEGEND) -> None:
    """The board at full width, then DOT and Mermaid downloads."""
    st.subheader(heading)
    st.caption(caption)
    dot = bd.to_dot(board)
    st.graphviz_chart(dot)
    left, right, note = st.columns([1, 1, 3])
    left.download_button("Board as DOT", dot, file_name=f"{file_stem}_board.dot",
                         mime="text/vnd.graphviz", on_click="ignore", key=f"_dot_{file_stem}")
    right.download_button("Board as Mermaid", bd.to_mermaid(board), file_name=f"{file_stem}_board.mmd",
                          mime="text/plain", on_click="ignore", key=f"_mmd_{file_stem}")
    note.caption("The diagram is drawn in your browser, so the server has no SVG to send: open the "
                 "DOT in any Graphviz tool, or paste the Mermaid into a Markdown note (GitHub "
                 "renders it). The chart's full-screen button shows it large.")
