"""Conventions read from the source: no float() and no builtin round() in product code.

Rounding happens only in `salesdesk.core.money` (Decimal.quantize, half-up); a float is never
an amount. Tests and migrations are not product code.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "salesdesk"
FORBIDDEN_CALLS = {"float", "round"}


def product_sources() -> list[Path]:
    files = [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.relative_to(ROOT).parts and "migrations" not in p.relative_to(ROOT).parts and not p.name.startswith("test_")
    ]
    assert files, "no product sources found"
    return files


def forbidden_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            found.append((node.lineno, node.func.id))
    return found


def test_the_scanner_finds_what_it_should():
    assert forbidden_calls("x = float('1.5')\ny = round(x, 2)\nz = Decimal('1').quantize(q)\n") == [(1, "float"), (2, "round")]


@pytest.mark.parametrize("path", product_sources(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_float_or_round_in_product_code(path):
    calls = forbidden_calls(path.read_text(encoding="utf-8"))
    assert not calls, f"{path.relative_to(ROOT.parent)}: {', '.join(f'{name}() on line {line}' for line, name in calls)}"
