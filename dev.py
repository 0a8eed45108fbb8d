"""Set up and run the project with nothing but Python 3.11+ and pip.

    python3 dev.py app    # set everything up, then open the app on a bundled sample site
    python3 dev.py test   # set everything up, then lint, type-check and run the whole suite

The first run makes ``.venv`` and installs the project with its dev extra; later runs reinstall
only when ``pyproject.toml`` changed. Extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".dev-installed"


def run(*cmd: str | os.PathLike[str]) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def setup() -> None:
    """Create the virtual environment and install the project into it when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    if (
        not PY.exists()
        or subprocess.call([PY, "-m", "pip", "--version"], stdout=subprocess.DEVNULL) != 0
    ):
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError):
            # Debian's Python without python3-venv: virtualenv from PyPI does the same job
            if run(sys.executable, "-m", "pip", "install", "--user", "virtualenv") != 0:
                sys.exit("cannot create .venv: install python3-venv or virtualenv")
            if run(sys.executable, "-m", "virtualenv", VENV) != 0:
                sys.exit("cannot create .venv with virtualenv")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip") != 0:
        sys.exit("pip could not upgrade itself")
    if run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]") != 0:
        sys.exit("installing the project failed (see pip's message above)")
    STAMP.write_text(digest)


def app(args: list[str]) -> int:
    """Open the planner's app (Streamlit) on the bundled sample site."""
    return run(PY, "-m", "streamlit", "run", ROOT / "app.py", *args)


def test(args: list[str]) -> int:
    """Lint, type-check, then run the whole test suite (pytest's summary comes last)."""
    for cmd in (
        (PY, "-m", "ruff", "check", "."),
        (PY, "-m", "ruff", "format", "--check", "."),
        (PY, "-m", "mypy"),
    ):
        if run(*cmd) != 0:
            return 1
    workers = ["-n", "auto"] if (os.cpu_count() or 1) > 1 else []
    return run(PY, "-m", "pytest", *workers, *args)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("app", "test", "setup"):
        print(__doc__)
        return 2
    setup()
    if sys.argv[1] == "app":
        return app(sys.argv[2:])
    if sys.argv[1] == "test":
        return test(sys.argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
