"""The floor the plan is measured against: read a site file and build all its geometries.

    python bench/floor.py SITE.geojson

Plain json and one vectorised shapely call, no planner code: whatever the planner does
beyond this is its own cost (issue 15). Prints the number of geometries built.
"""

import json
import sys
from pathlib import Path

import shapely

doc = json.loads(Path(sys.argv[1]).read_bytes())
geoms = shapely.from_geojson(
    [json.dumps(feat["geometry"]) for feat in doc["features"] if feat.get("geometry")]
)
print(len(geoms))
