"""Lesson 7's drifted stream: its cached simulation (shared by every tab) and the hero chart of
what moved (layout only; the numbers come from :mod:`playground.monitoring`)."""

from __future__ import annotations

from plotly.subplots import make_subplots

from components.cache import cached
from playground.monitoring import drift as dr
from playground.monitoring import retraining as rt

TRAIN_DAYS = 20
DAYS = 120


@cached()
def stream_and_scores(kind, pattern, magnitude, start, width, period, batch, seed):
    """The stream, the never-retrained model's daily scores and its daily error."""
    stream = dr.simulate_stream(kind=kind, pattern=pattern, magnitude=magnitude, start=start,
                                days=DAYS, batch=batch, width=width, period=period, seed=seed)
    score, error = rt.deployed(stream, TRAIN_DAYS)
    return stream, score, error


def stream_figure(stream: dr.Stream, error):
    """What moved in the stream, and what it did to the never-retrained model."""
    daily = stream.daily()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=daily.day, y=daily.mean_x1, name="mean of x1")
    fig.add_scatter(x=daily.day, y=daily.positive_rate, name="positive rate")
    fig.add_scatter(x=daily.day, y=error, name="deployed model's error", line_color="red")
    fig.add_scatter(x=daily.day, y=daily.best_error, name="best possible error", line_dash="dot",
                    line_color="grey")
    fig.add_scatter(x=daily.day, y=daily.intensity, name="drift intensity (right axis)", fill="tozeroy",
                    line_color="rgba(255,140,0,0.6)", fillcolor="rgba(255,165,0,0.15)", secondary_y=True)
    fig.add_vrect(x0=0, x1=TRAIN_DAYS - 1, fillcolor="green", opacity=0.08, annotation_text="training window")
    fig.update_layout(title="The stream: what moved, and what it did to the never-retrained model",
                      xaxis_title="day", height=360)
    fig.update_yaxes(title_text="drift intensity", range=[0, 1.05], tickvals=[0, 0.5, 1], showgrid=False,
                     secondary_y=True)
    return fig
