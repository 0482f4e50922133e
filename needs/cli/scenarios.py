"""``needs scenarios compare FILE ...``: compare commissioning scenarios with the baseline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from needs.cli import options
from needs.errors import InputError
from needs.inputs.load import load
from needs.outputs.files import atomic_write_csv
from needs.scenarios.comparison import compare
from needs.scenarios.display import format_table
from needs.scenarios.spec import load_scenarios
from needs.settings import RunSettings


def add_parser(commands) -> None:
    parser = commands.add_parser("scenarios", help="commissioning scenarios")
    subcommands = parser.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND", parser_class=type(parser))
    subcommands.required = True
    compare_parser = subcommands.add_parser("compare", help="compare scenarios with the baseline")
    compare_parser.add_argument("files", nargs="+", type=Path, help="scenario YAML files")
    options.add_data(compare_parser)
    options.add_area_and_period(compare_parser)
    compare_parser.add_argument(
        "--csv", type=Path, default=None, help="also write the comparison as CSV (default: none)"
    )
    compare_parser.add_argument(
        "--draws", type=int, default=0, help="Monte Carlo draws for intervals (default: 0, none)"
    )
    options.add_seed(compare_parser)
    options.add_limits(compare_parser)
    compare_parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Scenario files are checked before the data are loaded, so a bad one fails fast (exit 2)."""
    if args.draws < 0:
        raise InputError(f"--draws: expected a whole number >= 0, found {args.draws}")
    settings = RunSettings.from_options(
        data_dir=args.data,
        area=args.area,
        period=args.period,
        scenarios=args.files,
        seed=args.seed,
        limits=getattr(args, "limit", None),
    )
    scenarios = load_scenarios(settings.scenarios, limits=settings.read_limits)
    settings.check_files()
    dataset = load(settings.data_dir, limits=settings.read_limits)
    settings = options.announce(settings, settings.resolve(dataset))
    table = compare(
        dataset, settings.area, settings.period, scenarios, draws=args.draws, seed=settings.seed
    )
    title = f"Scenarios for {table.attrs.get('area_name', settings.area)} ({settings.area}), {settings.period}"
    if dataset.demonstration:
        title += " - demonstration data"
    print(title)
    print(format_table(table))
    if args.csv is not None:
        atomic_write_csv(table, Path(args.csv))
        print(f"Wrote {args.csv}", file=sys.stderr)
    return 0
