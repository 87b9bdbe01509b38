"""The package stays readable: no module of analysis/ grows past 600 lines."""

from __future__ import annotations

from tests.conftest import ROOT

MAX_LINES = 600


def test_no_module_is_over_600_lines():
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in (ROOT / "analysis").rglob("*.py")}
    assert len(sizes) > 30  # the walk found the package
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
