"""Pages do layout only: every page stays within LIMIT lines and does not import numpy (arithmetic
belongs in a tested core function, layout a page would repeat or that makes it long in
``app/components``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[2] / "app" / "lessons"
LIMIT = 150
"""Lines per page."""


def _pages() -> list[Path]:
    return sorted(PAGES.glob("[0-9][0-9]_*.py"))


def test_every_lesson_page_is_checked():
    assert len(_pages()) >= 18


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.stem)
def test_page_stays_within_the_line_limit(page: Path):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{page.name} has {lines} lines (limit {LIMIT}): move layout to a component, computations to the core"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.stem)
def test_page_does_not_import_numpy(page: Path):
    tree = ast.parse(page.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert "numpy" not in imported, f"{page.name} imports numpy: compute in a core function instead"
