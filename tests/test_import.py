"""``import planner`` stays light: no Streamlit, no pyplot (checked in a fresh process)."""

import subprocess
import sys


def test_import_does_not_pull_ui_or_pyplot() -> None:
    code = (
        "import sys, planner, planner.cli, planner.samples;"
        "bad = [m for m in ('streamlit', 'matplotlib.pyplot') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
