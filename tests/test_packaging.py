"""The wheel carries what the planner reads at run time: samples, templates, prices
(issue 14 item 8: an installed wheel had no samples)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_wheel_opens_its_samples(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(ROOT), "--no-deps", "-w", str(tmp_path)], check=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "planner/data/samples/a-single-basement.geojson",
        "planner/data/samples/b-two-levels.requests.csv",
        "planner/data/prices.csv",
        "planner/templates/notice_zh.txt",
        "planner/templates/sheet_notes_zh.txt",
    ):
        assert needed in names, needed
    target = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    code = (
        "import planner.samples as s, planner.readers as r; p = s.sample_path('b');"
        f"assert str(p).startswith({str(target)!r}), p;"
        "site = r.read_site(p, requests=s.sample_requests_path('b'));"
        "print(len(site.requests))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
