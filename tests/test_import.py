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


def test_the_data_formats_do_not_load_the_drawing() -> None:
    """``--formats geojson,csv`` plans and writes without matplotlib, fpdf2 or PDFium (their
    import alone cost half a second and 60 MB of the 5,000-stall plan)."""
    code = (
        "import sys, tempfile, pathlib;"
        "from planner.plan import make_plan; from planner.readers import read_site;"
        "from planner.samples import sample_path; from planner.writers import write_outputs;"
        "out = pathlib.Path(tempfile.mkdtemp()) / 'o';"
        "write_outputs(make_plan(read_site(sample_path('c'))), out, formats=['geojson', 'csv']);"
        "bad = [m for m in ('matplotlib', 'fpdf', 'pypdfium2', 'pikepdf') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
