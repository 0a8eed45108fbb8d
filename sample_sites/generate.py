"""Rewrite the bundled sample sites: ``python sample_sites/generate.py``.

The drawing lives in :mod:`planner.samples` (built on :mod:`planner.synthetic`); this script
only writes the files. ``tests/test_samples.py`` fails when the files and the code disagree.
"""

from planner.samples import write_all

if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}")
