"""``needs report``: render one area's assessment, or every tier-one area's with ``--all-areas``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from needs.cli import options
from needs.errors import InputError
from needs.outputs.all_areas import render_all
from needs.outputs.report import render
from needs.settings import RunSettings


def add_parser(commands) -> None:
    parser = commands.add_parser("report", help="render the assessment report to HTML")
    options.add_data(parser)
    options.add_area_and_period(parser)
    options.add_out_dir(parser)
    parser.add_argument(
        "--scenario",
        type=Path,
        action="append",
        default=None,
        help="scenario YAML file, repeatable (default: none, and no scenarios section)",
    )
    options.add_assessment_options(parser)
    options.add_seed(parser)
    options.add_limits(parser)
    parser.add_argument(
        "--timestamp", action="store_true", help="print the rendering time in the report (default: off)"
    )
    parser.add_argument("--all-areas", action="store_true", help="render one report per tier-one area")
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel workers for --all-areas (default: the CPUs available)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="Dask scheduler address for --all-areas (default: a local process pool)"
    )
    parser.set_defaults(run=run)


def settings_from(args: argparse.Namespace) -> RunSettings:
    """The run's settings from the parsed arguments (``None``: the default)."""
    return RunSettings.from_options(
        data_dir=args.data,
        area=args.area,
        period=args.period,
        out_dir=args.out,
        scenarios=args.scenario,
        suppress_below=args.suppress_below,
        confidence=args.confidence,
        coe_types=args.coe_types,
        target_turnaway=args.target_turnaway,
        seed=args.seed,
        timestamp=args.timestamp or None,
        limits=getattr(args, "limit", None),
    )


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.all_areas:
        return _run_all(args, settings)
    print(render(settings))
    return 0


def _run_all(args: argparse.Namespace, settings: RunSettings) -> int:
    if settings.area is not None:
        raise InputError("--area and --all-areas cannot be used together")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.workers is not None and args.scheduler:
        raise InputError("--workers sets the local process pool; with --scheduler the cluster's workers are used")
    result = render_all(settings, workers=args.workers, scheduler=args.scheduler)
    total = len(result.rendered) + len(result.failed)
    print(f"Rendered {len(result.rendered)} of {total} area reports; index: {result.index}")
    if result.failed:
        print(f"needs: {len(result.failed)} of {total} area reports failed:", file=sys.stderr)
        for area, message in result.failed.items():
            print(f"  - {area} ({result.names[area]}): {message}", file=sys.stderr)
        return 1
    return 0
