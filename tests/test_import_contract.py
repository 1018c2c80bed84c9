"""The engine must run headless: nothing under core/ may load Textual or tui."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import core

FORBIDDEN = ("textual", "tui")


def _core_modules() -> list[str]:
    names = ["core"]
    for module in pkgutil.walk_packages(core.__path__, prefix="core."):
        names.append(module.name)
    return names


def test_core_modules_found():
    modules = _core_modules()
    assert "core.ledger" in modules
    assert len(modules) > 5


def test_core_never_imports_textual_or_tui():
    modules = _core_modules()
    script = (
        "import importlib, sys, json\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in %r)\n"
        "print(json.dumps(loaded))\n" % (FORBIDDEN,)
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"core loaded UI modules: {result.stdout.strip()}"
