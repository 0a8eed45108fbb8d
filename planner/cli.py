"""The ``planner`` command line.

``planner validate SITE [--requests CSV]`` reads and checks a site and prints a summary.
Refused input prints one clear message on stderr and exits 2; a bug exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence

from planner.errors import PlannerError
from planner.readers import DEFAULT_MAX_BYTES, read_site
from planner.site import Site

EXIT_OK = 0
EXIT_BUG = 1
EXIT_REFUSED = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan private EV chargers in a residential garage "
        "(one meter box per fire compartment).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="read a site, check it, print a summary")
    validate.add_argument("site", help="site GeoJSON file")
    validate.add_argument("--requests", metavar="CSV", help="requests CSV to merge")
    validate.add_argument(
        "--max-mb",
        type=float,
        default=DEFAULT_MAX_BYTES / 1e6,
        help="largest input file in MB (default %(default).0f)",
    )
    return parser


def summary(site: Site) -> str:
    """A short text summary of a validated site."""
    lines = [
        f"site: {site.info.name}" + (f" ({site.info.community})" if site.info.community else "")
    ]
    frame = site.frame
    lines.append(
        f"coordinates: {frame.crs} projected to local metres"
        if frame.crs
        else f"coordinates: local plan in {frame.units}"
    )
    for lv in site.levels:
        view = site.on_level(lv.id)
        lines.append(
            f"level {lv.id}"
            + (f" {lv.name}" if lv.name else "")
            + f": floor {lv.floor if lv.floor is not None else '?'}, "
            f"{lv.garage_type or 'garage type not given'}, "
            f"{len(view.spaces)} spaces, {len(view.obstacles)} obstacles, {len(view.trays)} trays"
        )
        for c in view.compartments:
            cap = f", capacity {c.capacity_kw:g} kW" if c.capacity_kw is not None else ""
            lines.append(
                f"  compartment {c.id}"
                + (f" {c.name}" if c.name else "")
                + f": {c.polygon.area:,.1f} m²{cap}"
            )
    kinds = Counter(o.type for o in site.obstacles)
    lines.append(
        f"totals: {len(site.levels)} levels, {len(site.compartments)} compartments, "
        f"{len(site.spaces)} spaces, {len(site.obstacles)} obstacles ("
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + f"), "
        f"{len(site.trays)} trays, {len(site.requests)} requests"
    )
    lines.append(f"warnings: {len(site.warnings)}")
    lines.extend(f"  - {w}" for w in site.warnings)
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> int:
    site = read_site(args.site, requests=args.requests, max_bytes=int(args.max_mb * 1e6))
    print(summary(site))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
    except PlannerError as exc:
        print(f"planner: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_BUG  # pragma: no cover - argparse refuses unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
