"""``needs return``: the annual return to MHCLG as XLSX and CSV (unsuppressed: not for publication)."""

from __future__ import annotations

import argparse
from pathlib import Path

from needs.cli import options
from needs.inputs.load import load
from needs.outputs.annual_return import UNSUPPRESSED_NOTICE, build_return
from needs.outputs.return_workbook import default_output, write_return
from needs.settings import RunSettings, check_writable_file


def add_parser(commands) -> None:
    parser = commands.add_parser("return", help="the annual MHCLG return as XLSX and CSV")
    options.add_data(parser)
    options.add_area_and_period(parser)
    options.add_limits(parser)
    parser.add_argument(
        "--out", type=Path, default=None, help="XLSX file (default: reports/<area>-<period>-return.xlsx)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = RunSettings.from_options(
        data_dir=args.data, area=args.area, period=args.period, limits=getattr(args, "limit", None)
    )
    settings.check_files()
    if args.out is not None:
        check_writable_file(args.out, "--out")
    else:
        settings.check_out_dir()
    dataset = load(settings.data_dir, limits=settings.read_limits)
    settings = options.announce(settings, settings.resolve(dataset))
    area, period = settings.area, settings.period
    sections = build_return(dataset, area, period)
    out = args.out if args.out is not None else default_output(area, period, settings.out_dir)
    workbook, csv = write_return(sections, out, dataset=dataset, area=area, period=period)
    print(f"Wrote the {period} return for {dataset.area_name(area)} ({area}) to {workbook} and {csv}")
    print(UNSUPPRESSED_NOTICE)
    return 0
