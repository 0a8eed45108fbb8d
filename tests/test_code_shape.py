"""The code's shape a newcomer can rely on (issue 17 item 2): no function in planner/ or
app.py over 80 lines (ruff's C90 keeps each one's branching in hand)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 80


def test_no_function_is_over_80_lines() -> None:
    long = []
    for path in [*sorted((ROOT / "planner").rglob("*.py")), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []
