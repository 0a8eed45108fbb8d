"""Writers: the plan as GeoJSON and report.json (more formats with the approval package)."""

from planner.writers.geojson import plan_features, write_plan_geojson, write_report

__all__ = ["plan_features", "write_plan_geojson", "write_report"]
