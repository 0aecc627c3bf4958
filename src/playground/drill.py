"""The blank-whiteboard drill: grade a learner's board against the reference system of a prompt.

A learner's board is a side per component (``offline``, ``online`` or ``both``) and a set of
arrows. Grading marks each reference component present, misplaced (drawn on the wrong side) or
missing; names, for each missing one, what breaks (the course table, via
:attr:`playground.systems.Component.breaks`) and the lesson preset that reproduces it; scores each
step of the 6-step framework; and gives an L4-vs-L5 verdict.

Scoring convention: a component on the right side earns 1 point, on the wrong side 0.5, missing 0;
a component the reference draws on ``both`` sides is right on any side. A step's score is its
points over its reference components. A reference arrow counts as drawn in either direction.
The verdict is L5 when the board earns at least :data:`L5_OVERALL` of all points, no gradable
step is below :data:`L5_STEP` and at least :data:`L5_FLOWS` of the reference arrows are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground import course, framework
from playground.scenario import escape_md
from playground.board import Board, drawn
from playground.systems import CATALOGUE, PROMPT_SYSTEMS, SYSTEMS, Component, Flow

POINTS = {"present": 1.0, "misplaced": 0.5, "missing": 0.0}
L5_OVERALL, L5_STEP, L5_FLOWS = 0.8, 0.6, 0.5
SIDE_KEYS = {"offline": "off", "online": "on", "both": "both"}  # page control per side


@dataclass(frozen=True)
class Mark:
    """One reference component and how the learner's board has it."""

    component: Component
    status: str
    drawn_side: str | None

    @property
    def sandbox(self) -> str:
        """Relative link to the lesson sandbox with the preset that reproduces the failure."""
        lesson = course.lesson(self.component.lesson)
        return f"{lesson.slug[3:]}?preset={self.component.preset}"


@dataclass(frozen=True)
class StepScore:
    """Points earned on one framework step (``possible == 0``: nothing of it is drawn on a board)."""

    step: framework.Step
    earned: float
    possible: float

    @property
    def share(self) -> float | None:
        """Earned over possible (0 … 1), or None when the step has no reference component."""
        return self.earned / self.possible if self.possible else None


@dataclass(frozen=True)
class Review:
    """The graded board."""

    prompt: str
    marks: tuple[Mark, ...]
    extras: tuple[Component, ...]
    flows_drawn: int
    flows_total: int
    steps: tuple[StepScore, ...]

    @property
    def overall(self) -> float:
        """All points earned over all points possible (0 … 1)."""
        return sum(POINTS[m.status] for m in self.marks) / len(self.marks)

    @property
    def flow_share(self) -> float:
        """Reference arrows drawn over reference arrows (0 … 1)."""
        return self.flows_drawn / self.flows_total if self.flows_total else 1.0

    @property
    def shortfalls(self) -> tuple[str, ...]:
        """Why the board is not yet L5 (empty when it is)."""
        out = []
        if self.overall < L5_OVERALL:
            out.append(f"{self.overall:.0%} of the reference points (L5 needs {L5_OVERALL:.0%})")
        out += [f"step {s.step.name}: {s.share:.0%} (L5 needs {L5_STEP:.0%})"
                for s in self.steps if s.share is not None and s.share < L5_STEP]
        if self.flow_share < L5_FLOWS:
            out.append(f"{self.flows_drawn} of {self.flows_total} connections drawn "
                       f"(L5 needs {L5_FLOWS:.0%})")
        return tuple(out)

    @property
    def verdict(self) -> str:
        """``"L5"`` or ``"L4"``."""
        return "L4" if self.shortfalls else "L5"


def board_sides(off=(), on=(), both=()) -> dict[str, str]:
    """Component id -> side from the three side lists of the page (unknown ids are dropped).

    A component listed on several sides counts on the first of offline, online, shared.
    """
    sides: dict[str, str] = {}
    for side, ids in (("offline", off), ("online", on), ("both", both)):
        for cid in ids:
            if cid in CATALOGUE:
                sides.setdefault(cid, side)
    return sides


def parse_flow(text: str) -> tuple[str, str] | None:
    """``"src>dst"`` -> ``(src, dst)`` when both are known components, else None."""
    src, sep, dst = text.partition(">")
    return (src, dst) if sep and src in CATALOGUE and dst in CATALOGUE and src != dst else None


def flow_options() -> list[str]:
    """Every arrow a learner can draw, as ``"src>dst"``."""
    return [f"{a}>{b}" for a in CATALOGUE for b in CATALOGUE if a != b]


def grade(prompt: str, sides: dict[str, str], flows) -> Review:
    """Grade a board drawn for ``prompt``.

    Parameters
    ----------
    prompt : str
        One of :data:`playground.framework.PROMPTS`.
    sides : dict
        Component id -> side the learner drew it on.
    flows : iterable of (src, dst)
        The arrows the learner drew.
    """
    if prompt not in PROMPT_SYSTEMS:
        raise ValueError(f"unknown prompt {prompt[:60]!r}")
    system = SYSTEMS[PROMPT_SYSTEMS[prompt]]
    marks = []
    for comp in system.components:
        drawn = sides.get(comp.id)
        if drawn is None:
            status = "missing"
        elif comp.side == "both" or drawn == comp.side:
            status = "present"
        else:
            status = "misplaced"
        marks.append(Mark(comp, status, drawn))
    drawn_flows = {frozenset(f) for f in flows}
    hit = sum(frozenset((f.src, f.dst)) in drawn_flows for f in system.flows)
    steps = tuple(
        StepScore(step, sum(POINTS[m.status] for m in marks if m.component.step == step.key),
                  float(sum(m.component.step == step.key for m in marks)))
        for step in framework.STEPS)
    extras = tuple(CATALOGUE[c] for c in sides if c not in system.ids)
    return Review(prompt, tuple(marks), extras, hit, len(system.flows), steps)


def graded_board(review: Review, sides: dict[str, str], flows, title: str) -> Board:
    """The learner's board after grading: misplaced boxes flagged, missing ones added as dashed
    ghosts on their reference side with their reference arrows."""
    missing = [(m.component, m.component.side) for m in review.marks if m.status == "missing"]
    marks = {m.component.id: m.status for m in review.marks if m.status != "present"}
    ghosts = {c.id for c, _ in missing}
    reference = SYSTEMS[PROMPT_SYSTEMS[review.prompt]].flows
    return drawn(title, [(CATALOGUE[c], s) for c, s in sides.items()] + missing,
                 [Flow(a, b) for a, b in flows] + [f for f in reference if {f.src, f.dst} & ghosts], marks)


def review_markdown(review: Review, mermaid: str, base_url: str = "", notes: str = "") -> str:
    """The graded review as a Markdown note (the board as a Mermaid block; ``notes``, the
    learner's own text, escaped)."""
    lines = [f"# Whiteboard drill: {escape_md(review.prompt)}", ""]
    if notes.strip():
        lines += [f"Requirements stated: {escape_md(notes.strip())}", ""]
    lines += [
             f"**Verdict: {review.verdict}** · {review.overall:.0%} of the reference points · "
             f"{review.flows_drawn} of {review.flows_total} connections", "", "```mermaid", mermaid.rstrip(),
             "```", "", "## Score per step", ""]
    for s in review.steps:
        score = "not drawn on a board (the interviewer grades it)" if s.share is None else \
            f"{s.earned:g} / {s.possible:g} ({s.share:.0%})"
        lines.append(f"- {s.step.name}: {score}")
    lines += ["", "## Components", ""]
    for m in review.marks:
        line = f"- **{m.component.name}**: {m.status}"
        if m.status == "misplaced":
            line += f" (drawn {m.drawn_side}, belongs {m.component.side})"
        if m.status != "present":
            line += (f". Without it: {m.component.breaks}. Reproduce: {base_url}/{m.sandbox}")
        lines.append(line)
    if review.extras:
        lines += ["", "Not in the reference design: " + ", ".join(c.name for c in review.extras)]
    if review.shortfalls:
        lines += ["", "## Not yet L5", ""] + [f"- {item}" for item in review.shortfalls]
    return "\n".join(lines) + "\n"


def interview_verdict(review: Review, rubric: framework.Coverage) -> str:
    """The interviewer's call: L5 when the board is L5 and at least :data:`L5_OVERALL` of the
    rubric (the framework checklist of the prompt) was covered out loud, else L4."""
    return "L5" if review.verdict == "L5" and rubric.share >= L5_OVERALL else "L4"


def scorecard_markdown(review: Review, rubric: framework.Coverage, notes: str = "") -> str:
    """The interviewer's scorecard: per step, rubric items covered and board points, the
    probes left to ask, and the verdict. ``notes`` (free text) is escaped."""
    lines = [f"# Scorecard: {escape_md(review.prompt)}", "",
             f"**Verdict: {interview_verdict(review, rubric)}** · rubric covered {rubric.covered} of "
             f"{rubric.total} ({rubric.share:.0%}) · board {review.overall:.0%} ({review.verdict})", ""]
    for score in review.steps:
        skipped = rubric.skipped.get(score.step.name, ())
        board = "no boxes" if score.share is None else f"board {score.share:.0%}"
        lines += [f"## {score.step.name}", "",
                  f"- Rubric: {len(framework.checklist(review.prompt, score.step)) - len(skipped)} of "
                  f"{len(framework.checklist(review.prompt, score.step))} covered; {board}"]
        lines += [f"- Not covered: {item}" for item in skipped]
        lines += [f"- Probe: {m.component.probe} ({m.component.name}: {m.status})"
                  for m in review.marks if m.component.step == score.step.key and m.status != "present"]
        lines.append("")
    if notes.strip():
        lines += ["## Interviewer notes", "", escape_md(notes.strip()), ""]
    return "\n".join(lines)


def reference_values(prompt: str) -> dict:
    """Page control values that draw the reference board of ``prompt`` (for presets and tests)."""
    system = SYSTEMS[PROMPT_SYSTEMS[prompt]]
    values = {"prompt": prompt}
    for side, key in SIDE_KEYS.items():
        values[key] = [c.id for c in system.components if c.side == side]
    values["flows"] = [f"{f.src}>{f.dst}" for f in system.flows]
    return values
