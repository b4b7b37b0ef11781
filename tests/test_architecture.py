"""The core is headless: importing it must not pull in Textual or the UIs."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "tracker.models", "tracker.ledger", "tracker.queries", "tracker.horizons",
    "tracker.definitions", "tracker.db", "tracker.errors", "tracker.vocabulary",
    "tracker.probability", "tracker.serialize",
]


def test_core_imports_without_textual() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "for optional in ('tracker.scoring', 'tracker.claimfiles', 'tracker.reports'):\n"
        "    try:\n"
        "        importlib.import_module(optional)\n"
        "    except ModuleNotFoundError as error:\n"
        "        if error.name != optional: raise\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', "
        "'tracker.tui', 'tracker.cli')))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""


def test_importing_the_cli_does_not_import_textual() -> None:
    """Plain commands stay fast: Textual loads only when the app opens."""
    code = "import sys, tracker.cli.main; print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
