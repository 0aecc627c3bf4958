"""Scenario state of a page. Declared controls: each widget's spec, and how a value from a link or a preset is checked.

A link or a preset only ever carries strings that are parsed against the declared spec of the
widget they target. A value that does not parse or is out of range is rejected with a reason;
nothing is evaluated, and text values are only ever shown through Streamlit's escaped widgets.

This module is also the one place where text from a visitor or a link is made inert before it
reaches Markdown (:func:`escape_md`, :func:`inert_line` for the export) or a plotly chart's
title or labels, which plotly renders as a subset of HTML (:func:`chart_text`).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 500


class InvalidValue(ValueError):
    """A value from a link or a preset that the control cannot take."""


@dataclass(frozen=True)
class Preset:
    """A named scenario for one lesson page.

    Parameters
    ----------
    name : str
        Short identifier used in links (``?preset=name``); lowercase, no spaces.
    label : str
        Button text shown to the learner.
    description : str
        One sentence saying what the learner should see when the preset is applied.
    values : dict
        Widget key -> value. Keys must be controls the page declares.
    """

    name: str
    label: str
    description: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Control:
    """Spec of one widget the page declared.

    ``kind`` is one of ``int``, ``float``, ``choice``, ``multi``, ``bool``, ``text``.
    """

    key: str
    label: str
    kind: str
    lo: float | None = None
    hi: float | None = None
    options: tuple = ()

    def parse(self, raw: Any) -> Any:
        """Turn a link/preset value into a value the widget accepts, or raise InvalidValue."""
        text = raw if isinstance(raw, str) else _to_text(raw)
        if self.kind in ("int", "float"):
            try:
                number = float(text)
            except ValueError as err:
                raise InvalidValue(f"not a number: {text[:40]!r}") from err
            if not math.isfinite(number):
                raise InvalidValue("not a finite number")
            if not (self.lo <= number <= self.hi):
                raise InvalidValue(f"outside {self.lo:g} … {self.hi:g}")
            if self.kind == "int":
                if number != int(number):
                    raise InvalidValue("not a whole number")
                return int(number)
            return number
        if self.kind == "bool":
            low = text.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise InvalidValue("not true/false")
        if self.kind == "choice":
            for option in self.options:
                if str(option) == text:
                    return option
            raise InvalidValue("not one of the options")
        if self.kind == "multi":
            parts = [p for p in text.split(",") if p != ""] if text else []
            chosen = []
            for part in parts:
                match = [o for o in self.options if str(o) == part]
                if not match:
                    raise InvalidValue(f"{part[:40]!r} is not one of the options")
                chosen.append(match[0])
            return chosen
        if self.kind == "text":
            if len(text) > MAX_TEXT:
                raise InvalidValue(f"longer than {MAX_TEXT} characters")
            return text
        raise InvalidValue(f"unknown control kind {self.kind}")

    def encode(self, value: Any) -> str:
        """The link form of a widget value (inverse of :meth:`parse`)."""
        return _to_text(value)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def scenario_markdown(
    title: str,
    link: str,
    settings: list[tuple[str, str]],
    numbers: list[tuple[str, str]],
    formulas: list[str],
) -> str:
    """Render a page's current scenario as a Markdown revision note.

    Parameters
    ----------
    title : str
        Lesson title.
    link : str
        Query string that restores the scenario (``?key=value&...``).
    settings : list of (label, value)
        The widgets' current values.
    numbers : list of (label, value)
        The key numbers shown on the page.
    formulas : list of str
        LaTeX of the formulas shown in "The math", with the current numbers substituted.

    Every label and value is written as inert text (:func:`inert_line`): a value set from a link
    cannot add a heading, a link, an image or HTML to the note. The link is percent-encoded and
    shown as code; formulas come from the page's own numbers and are kept on one line.
    """
    link = link.replace("`", "%60").replace("\n", "%0A").replace("\r", "%0D")
    lines = [f"# {inert_line(title)}", "", f"Scenario link: `{link}`", "", "## Settings", ""]
    lines += [f"- {inert_line(label)}: {inert_line(value)}" for label, value in settings] or ["- (defaults)"]
    lines += ["", "## Key numbers", ""]
    lines += [f"- {inert_line(label)}: {inert_line(value)}" for label, value in numbers] or ["- (none)"]
    lines += ["", "## The math", ""]
    lines += [f"$$ {_one_line(formula).replace('$$', '')} $$" for formula in formulas] or ["(none)"]
    return "\n".join(lines) + "\n"


# Characters that open Markdown or HTML; "/" breaks GFM's bare-URL autolinks ("://").
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$&/")
_INLINE_SPECIAL = _MD_SPECIAL - set("+-.")


def _escape(text: str, special: set[str]) -> str:
    return "".join("\\" + ch if ch in special else ch for ch in text)


def escape_md(text: str) -> str:
    """Escape Markdown and HTML-significant characters so user text is shown literally."""
    return _escape(text, _MD_SPECIAL)


def inert_line(text: str) -> str:
    """One line of inert Markdown for a value that never starts a line (the export's values).

    Newlines and other whitespace runs become one space (no new heading, list or block can
    start), and every character that opens inline Markdown, HTML or an autolink is
    backslash-escaped. Dots, dashes and plus signs, which only act at the start of a line, stay
    readable ("0.93"), except a dot before a letter (``www.example.org`` would autolink).
    """
    return re.sub(r"\.(?=[A-Za-z])", r"\\.", _escape(_one_line(text), _INLINE_SPECIAL))


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def chart_text(text: str) -> str:
    """Text for a plotly title, label or hover text: plotly renders ``<a>``, ``<b>``, ``<br>``...
    as HTML, so ``<``, ``>`` and ``&`` become entities and are shown literally."""
    return html.escape(str(text), quote=False)
