"""components.shapes.across gives the shapes Plotly's add_hline / add_vline add to a subplot."""

import pytest
from plotly.subplots import make_subplots

from components import shapes


@pytest.mark.parametrize("rows, cols", [(1, 1), (4, 1), (1, 3), (2, 3)])
def test_lines_across_each_subplot_equal_plotlys_own(rows, cols):
    def grid():
        fig = make_subplots(rows=rows, cols=cols)
        for row in range(1, rows + 1):
            for col in range(1, cols + 1):
                fig.add_scatter(x=[0, 1], y=[0, 1], row=row, col=col)
        return fig

    plotly, ours = grid(), grid()
    cells = [(row, col) for row in range(1, rows + 1) for col in range(1, cols + 1)]
    for row, col in cells:
        plotly.add_hline(y=0.5 * row, line_dash="dash", line_color="red", row=row, col=col)
        plotly.add_vline(x=0.1 * col, line_color="orange", row=row, col=col)
    ours.update_layout(shapes=[line for row, col in cells for line in (
        shapes.across("y", 0.5 * row, row, col, cols, dash="dash", color="red"),
        shapes.across("x", 0.1 * col, row, col, cols, color="orange"))])
    assert plotly.layout.shapes == ours.layout.shapes
