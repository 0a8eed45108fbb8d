"""The ``planner`` command line.

``planner validate SITE [--requests CSV]`` reads and checks a site and prints a summary.
Refused input prints one clear message on stderr and exits 2; a bug exits 1.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TextIO, get_args

from planner import __version__
from planner.costs import Prices
from planner.errors import PlannerError, printable
from planner.i18n import Lang
from planner.limits import Deadline, Limits
from planner.placement import PlacementMode
from planner.plan import Plan, PlanOptions, TrunkMode, make_plan
from planner.privacy import mask_text
from planner.progress import reporting, stage, terminal
from planner.project import project_of
from planner.projection import Units
from planner.readers import (
    DEFAULT_MAX_BYTES,
    answers,
    convert,
    kind_of,
    read_site,
    site_from_conversion,
)
from planner.readers.base import read_bytes
from planner.routing import RoutingMode
from planner.sheets import Paper, SheetOptions
from planner.site import Site
from planner.workers import available_cpus, start_early
from planner.writers import FORMATS, check_out, write_outputs

_DEFAULTS = PlanOptions()
_SHEET = SheetOptions()
"""The choices' defaults, from the option models themselves."""

EXIT_OK = 0
EXIT_BUG = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130
"""Ctrl-C, as shells report SIGINT (128 + 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan private EV chargers in a residential garage "
        "(one meter box per fire compartment).",
    )
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress (a bar on a terminal, plain lines otherwise)",
    )
    quiet.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what was read, planned and written, with timings, on stderr (-vv: per "
        "compartment too)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help=quiet._actions[0].help)
    parser.add_argument("-v", "--verbose", action="count", default=0, help=quiet._actions[1].help)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _validate_parser(sub, quiet)
    _convert_parser(sub, quiet)
    _plan_parser(sub, quiet)
    _batch_parser(sub, quiet)
    return parser


def _validate_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], quiet: argparse.ArgumentParser
) -> None:
    """planner validate SITE."""
    validate = sub.add_parser(
        "validate", help="read a site, check it, print a summary", parents=[quiet]
    )
    validate.add_argument("site", help="site GeoJSON, DXF or DWG drawing, or IMDF folder/zip")
    validate.add_argument("--requests", metavar="CSV", help="requests CSV to merge")
    _max_mb(validate)
    _source_options(validate)


def _convert_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], quiet: argparse.ArgumentParser
) -> None:
    """planner convert FILE --to SITE."""
    conv = sub.add_parser(
        "convert",
        help="convert a DXF or DWG drawing or an IMDF map to a site file",
        parents=[quiet],
    )
    conv.add_argument("file", help="DXF or DWG drawing, or IMDF folder/zip")
    conv.add_argument(
        "--answers",
        metavar="ANSWERS.toml",
        help="what the drawing does not say: [site], [levels.<id>], [compartments.<id>]",
    )
    for flag, example in (
        ("--set-site", "KEY=VALUE (e.g. community=和平小区)"),
        ("--set-level", "ID:KEY=VALUE (e.g. B1:floor=-1)"),
        ("--set-compartment", "ID:KEY=VALUE (e.g. B1-FQ1:capacity_kw=200)"),
    ):
        conv.add_argument(flag, action="append", default=[], metavar="ASSIGNMENT", help=example)
    conv.add_argument("--to", required=True, metavar="SITE.geojson", help="site file to write")
    _max_mb(conv)
    _source_options(conv)


def _plan_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], quiet: argparse.ArgumentParser
) -> None:
    """planner plan SITE --out DIR and its options."""
    plan = sub.add_parser(
        "plan", help="plan boxes, cables and decisions; write the outputs", parents=[quiet]
    )
    plan.add_argument("site", help="site GeoJSON, DXF or DWG drawing, or IMDF folder/zip")
    plan.add_argument("--requests", metavar="CSV", help="requests CSV to merge")
    plan.add_argument("--out", required=True, metavar="DIR", help="output folder")
    plan.add_argument(
        "--routing",
        choices=get_args(RoutingMode),
        help=f"{_DEFAULTS.routing} (default) or another; a project file's choice where not given",
    )
    plan.add_argument(
        "--placement",
        choices=get_args(PlacementMode),
        help="centre (default: on the structure face nearest the centroid; column is the same), "
        "centroid (free-standing) or min-cable",
    )
    plan.add_argument(
        "--managed", action="store_true", help="managed charging (智能有序充电): nothing deferred"
    )
    plan.add_argument(
        "--trunk",
        choices=get_args(TrunkMode),
        help="shared (default: one tray tree per compartment the cables follow) or none "
        "(each cable its own run)",
    )
    plan.add_argument(
        "--reserve",
        type=_reserve,
        metavar="none|all|SHARE",
        help="lay the tray and the bank out for this share of the unrequested spaces "
        "(车桩相随、适度超前), nearest the box first; default none",
    )
    plan.add_argument(
        "--prices",
        metavar="PRICES.csv",
        help="price table for the owners' estimates (item,spec,unit,price_cny,source); "
        "default: the bundled estimates",
    )
    plan.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="RULE=VALUE",
        dest="overrides",
        help="override one rule (repeatable)",
    )
    plan.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="comma-separated: " + ",".join(FORMATS) + " (default all)",
    )
    plan.add_argument("--notices", action="store_true", help="owner papers per request (notices/)")
    plan.add_argument(
        "--combined-notices",
        action="store_true",
        help="with the owner papers, also all of them in one notices/owner-papers.pdf with "
        "a bookmark per request, to print (implies --notices)",
    )
    plan.add_argument(
        "--qr",
        metavar="FILE",
        help="registration QR code (PNG/JPEG) for the owner notices (附件1 第2条); "
        "default: the notice names the scheme's service line",
    )
    plan.add_argument("--lang", choices=get_args(Lang), default=_SHEET.lang)
    plan.add_argument("--paper", choices=get_args(Paper), default=_SHEET.paper, help="sheet size")
    plan.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="threads planning the compartments and processes drawing the layout sheets "
        "(default: every core; the files are the same for any number)",
    )
    _max_mb(plan)
    _source_options(plan)


def _batch_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], quiet: argparse.ArgumentParser
) -> None:
    """planner batch MANIFEST --out DIR."""
    batch = sub.add_parser(
        "batch",
        help="plan every community of a manifest, each into its own folder, and summarise",
        parents=[quiet],
    )
    batch.add_argument(
        "manifest",
        help="CSV with the header community,site,requests,options (paths relative to it)",
    )
    batch.add_argument("--out", required=True, metavar="DIR", help="the city's output folder")
    batch.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run on this Dask cluster (default: a local process pool)",
    )
    batch.add_argument(
        "--workers", type=int, metavar="N", help="local processes (default: every core)"
    )
    batch.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="comma-separated, per community: " + ",".join(FORMATS) + " (default all)",
    )
    batch.add_argument("--notices", action="store_true", help="owner papers per request")
    _max_mb(batch)


def _max_mb(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-mb",
        type=_megabytes,
        default=None,
        help=f"largest input file in MB (default {DEFAULT_MAX_BYTES / 1e6:.0f}); the same as "
        "--limit max_bytes=...",
    )
    p.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="limits",
        help="raise or lower one input limit (repeatable): " + ", ".join(Limits.model_fields),
    )


def _reserve(text: str) -> str | float:
    """``--reserve``: none, all, or a share between 0 and 1."""
    if text in ("none", "all"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"'{text}': give none, all or a share such as 0.45")
    return value


def _megabytes(text: str) -> float:
    """``--max-mb``: a positive, finite number of megabytes."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of MB, e.g. 200") from None
    if not math.isfinite(value) or value <= 0 or value > 1e6:
        raise argparse.ArgumentTypeError(f"{text} MB: give a positive size up to 1000000 MB")
    return value


def _limits(args: argparse.Namespace) -> Limits:
    given = list(args.limits)
    if args.max_mb is not None:
        if any(t.partition("=")[0].strip() == "max_bytes" for t in given):
            raise PlannerError(
                "--max-mb and --limit max_bytes both set the largest input. Fix: give one."
            )
        given.append(f"max_bytes={int(args.max_mb * 1e6)}")
    return Limits().with_overrides(given)


def _source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", metavar="MAP.toml", help="layer map for DXF and DWG drawings")
    p.add_argument("--level", metavar="ID", help="IMDF: the level to read; DXF/DWG: its id")
    p.add_argument("--units", choices=get_args(Units), help="DXF/DWG units (else $INSUNITS)")


def _read(args: argparse.Namespace, site: str) -> Site:
    with stage(f"reading {Path(site).name}"):
        return read_site(
            site,
            requests=args.requests,
            layers=args.layers,
            units=args.units,
            level=args.level,
            limits=_limits(args),
        )


def _convert(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        raise PlannerError(f"'{path}' does not exist. Fix: check the path.")
    kind = kind_of(path.name, is_dir=path.is_dir())
    limits = _limits(args)
    data: str | Path | bytes = path
    if not path.is_dir():
        data = read_bytes(path, what="input", max_bytes=limits.max_bytes)
    conv = convert(
        data,
        name=path.name,
        kind=kind,
        layers=args.layers,
        units=args.units,
        level=args.level,
        limits=limits,
    )
    given = [answers.load_answers(args.answers)] if args.answers else []
    given.append(answers.assignments(args.set_site, args.set_level, args.set_compartment))
    answers.apply_answers(conv, answers.merge(*given))
    site_from_conversion(conv, limits=limits)  # must read as a site: refuse it here otherwise
    target = Path(args.to)
    partial = target.with_name(f".{target.name}.partial")
    try:  # all or nothing: a failed write leaves no half file under the target's name
        partial.write_bytes(conv.to_bytes())
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PlannerError(
            f"--to: cannot write '{target}' ({exc.strerror}). Fix: choose a "
            "folder you may write to."
        ) from None
    _say(conv.report())
    _say(f"wrote {target}")
    return EXIT_OK


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


@contextmanager
def _logging(verbose: int) -> Iterator[None]:
    """The planner's logs on stderr for this command: none by default, INFO with -v,
    DEBUG with -vv, and with them what the DXF reader (ezdxf) recovered in a damaged
    drawing (personal numbers are masked where they are logged)."""
    if not verbose:
        yield
        return
    logger = logging.getLogger("planner")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("planner: %(levelname)s %(name)s: %(message)s"))
    old = logger.level
    logger.addHandler(handler)
    logging.getLogger("ezdxf").addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logging.getLogger("ezdxf").removeHandler(handler)
        logger.setLevel(old)


def _batch(args: argparse.Namespace) -> int:
    from planner.batch import run_batch, terminal_progress  # noqa: PLC0415 - batch only

    if args.workers is not None and args.workers < 1:
        raise PlannerError("--workers: at least 1. Fix: give a number of processes.")
    result = run_batch(
        Path(args.manifest),
        Path(args.out),
        formats=_formats(args.formats),
        notices=args.notices,
        scheduler=args.scheduler,
        workers=args.workers,
        limits=_limits(args),
        progress=None if args.quiet else terminal_progress(),
    )
    n = len(result.rows)
    _say(
        f"{n} communities: {len(result.ran)} planned now, {len(result.skipped)} unchanged "
        f"(skipped), {len(result.failed)} failed; summary in {Path(args.out) / 'city_summary.csv'}"
    )
    for community, message in result.failed.items():
        _say(f"  failed {printable(community)}: {message}")
    return EXIT_OK  # it ran: the failures are recorded, one bad community stops nothing


def _validate(args: argparse.Namespace) -> int:
    site = _read(args, args.site)
    _say(summary(site))
    return EXIT_OK


def _formats(text: str) -> list[str]:
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise PlannerError(
            f"--formats: unknown format(s) {', '.join(unknown)}. Fix: use any "
            "of " + ",".join(FORMATS) + "."
        )
    return wanted


def plan_table(plan: Plan) -> str:
    """The summary table per compartment, as printed by ``planner plan``."""
    head = (
        f"{'level':<6} {'compartment':<12} {'plan':>4} {'pend':>4} {'defr':>4} {'blck':>4} "
        f"{'conn kW':>8} {'dem kW':>8} {'cap kW':>8} {'spare':>5} {'boxes':>5} "
        f"{'cable m':>8}"
    )
    lines = [head, "-" * len(head)]
    for s in plan.compartments:
        cap = "?" if s.capacity_kw is None else f"{s.capacity_kw:g}"
        spare = "?" if s.spare_chargers is None else str(s.spare_chargers)
        c = s.counts
        lines.append(
            f"{s.level:<6} {s.id:<12} {c['planned']:>4} {c['pending']:>4} {c['deferred']:>4} "
            f"{c['blocked']:>4} {s.connected_kw:>8.1f} {s.demand_kw:>8.2f} {cap:>8} "
            f"{spare:>5} {s.boxes:>5} {s.cable_m:>8.1f}"
        )
    for lv, counts in plan.unassigned.items():
        lines.append(
            f"{lv:<6} {'(none)':<12} {counts['planned']:>4} {counts['pending']:>4} "
            f"{counts['deferred']:>4} {counts['blocked']:>4}"
        )
    total = plan.counts()
    lines.append(
        f"requests: {len(plan.requests)} (" + ", ".join(f"{n} {k}" for k, n in total.items()) + ")"
    )
    return "\n".join(lines)


def _plan(args: argparse.Namespace) -> int:
    formats = _formats(args.formats)
    if args.workers is not None and args.workers < 1:
        raise PlannerError("--workers: at least 1. Fix: give a number of processes.")
    inputs = [Path(args.site)] + ([Path(args.requests)] if args.requests else [])
    inputs += [Path(args.prices)] if args.prices else []
    if args.layers:
        inputs.append(Path(args.layers))
    if args.qr:
        from planner.papers import read_qr  # noqa: PLC0415 - fpdf2 only with --qr

        inputs.append(Path(args.qr))
        read_qr(args.qr)  # refused before the work, like the output folder
    check_out(Path(args.out), inputs)  # before the work, so a refused folder costs nothing
    workers = args.workers or available_cpus()
    notices = args.notices or args.combined_notices
    if workers > 1 and (notices or {"pdf", "png", "svg"} & set(formats)):
        start_early()  # the drawing workers' forkserver imports while the site is planned
    with _fewer_collections():
        plan = _planned(args, threads=workers)
    out = Path(args.out)
    with _kept_out_of_collections():
        written = write_outputs(
            plan,
            out,
            formats=formats,
            notices=notices,
            combined=args.combined_notices,
            lang=args.lang,
            paper=args.paper,
            qr=Path(args.qr) if args.qr else None,
            workers=workers,
        )
    _say(plan_table(plan))
    _say(
        f"wrote {len(written)} files to {out}: "
        + ", ".join(str(p.relative_to(out)) for p in written[:12])
        + (" ..." if len(written) > 12 else "")
    )
    return EXIT_OK


def _planned(args: argparse.Namespace, *, threads: int = 1) -> Plan:
    """The site of ``args`` read and planned with its options and rules, ``threads``
    compartments at a time."""
    prices = Prices.load(args.prices)
    site = _read(args, args.site)
    saved, saved_rules = project_of(site)  # a project file's choices; the defaults otherwise
    rules = saved_rules.with_overrides(args.overrides)
    given = {
        k: getattr(args, k)
        for k in ("routing", "placement", "trunk", "reserve")
        if getattr(args, k) is not None
    }
    options = saved.model_copy(update={**given, "managed": args.managed or saved.managed})
    return make_plan(site, rules, options=options, prices=prices, threads=threads)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """While the site is read and planned. Speed shaped this: CPython's cyclic collector
    runs a pass every 700 new objects by default, and its older generations keep
    rescanning the site's and the plan's hundreds of thousands of objects, which make no
    garbage cycles worth the early hunt; a pass every 50,000 (``gc.set_threshold``, the
    documented knob) takes a tenth off the 5,000-stall plan (``bench/RESULTS.md``). The
    previous thresholds come back afterwards (tests call ``main``)."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _kept_out_of_collections() -> Iterator[None]:
    """While the outputs are written: the site and the plan, made and no longer garbage,
    are frozen out of the collector's scans (``gc.freeze``), which then runs at its usual
    pace for what the writing makes. Drawings make cycles (matplotlib figures, PDF
    objects), and collecting them late cost the package 35 MB; rescanning the plan cost
    the writing its time. Unfrozen after the command."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _say(text: str, *, file: TextIO | None = None) -> None:
    """Print ``text`` for the terminal: control characters shown as escapes, personal
    numbers masked (a path, a file or a community's name can hold one)."""
    print(mask_text(printable(text))[0], file=file or sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = _parser().parse_args(argv)
    commands = {"validate": _validate, "plan": _plan, "convert": _convert, "batch": _batch}
    try:
        listener = None if args.quiet else terminal()
        logs = _logging(args.verbose)
        # one time budget for the whole command; a batch gives each community its own
        budget = Deadline.of(_limits(args)).active() if args.command != "batch" else nullcontext()
        with budget, reporting(listener), logs:
            return commands[args.command](args)
    except PlannerError as exc:
        _say(f"planner: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:  # outputs are staged, so nothing half-written is left
        said = (
            "the communities finished are kept; run the same command again to resume"
            if args.command == "batch"
            else "nothing was written"
        )
        _say(f"planner: interrupted; {said}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
