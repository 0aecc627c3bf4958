"""Lines across a subplot, as plain shape dicts for one ``fig.update_layout(shapes=[...])``.

Plotly's ``add_hline`` / ``add_vline`` with ``row=`` validate the figure's whole layout for every
line: on lesson 7's four-row detector figure its eight lines took about 40 ms of a 290 ms rerun.
:func:`across` gives the same shape ``add_hline`` / ``add_vline`` would add (a test compares them).
"""

from __future__ import annotations


def across(axis: str, at: float, row: int = 1, col: int = 1, cols: int = 1, **line) -> dict:
    """A line across subplot (``row``, ``col``) of a ``cols``-column grid at ``at`` on ``axis``:
    ``"y"`` a horizontal line at y = ``at``, ``"x"`` a vertical one at x = ``at``; ``line`` are
    its ``line`` properties (``color``, ``dash``, ``width``)."""
    n = (row - 1) * cols + col
    x, y = ("x", "y") if n == 1 else (f"x{n}", f"y{n}")
    if axis == "y":
        return dict(type="line", xref=f"{x} domain", x0=0, x1=1, yref=y, y0=at, y1=at, line=line)
    return dict(type="line", xref=x, x0=at, x1=at, yref=f"{y} domain", y0=0, y1=1, line=line)
