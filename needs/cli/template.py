"""``needs template [--out FILE] [--tables ...]``: the provider data-collection workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from needs.inputs.template import write_template
from needs.reference.schema import TABLES
from needs.settings import check_writable_file

DEFAULT_TEMPLATE = Path("needs-data-template.xlsx")


def add_parser(commands) -> None:
    parser = commands.add_parser("template", help="write the Excel data-collection template for providers")
    parser.add_argument("--out", type=Path, default=DEFAULT_TEMPLATE, help=f"(default: {DEFAULT_TEMPLATE})")
    parser.add_argument(
        "--tables",
        nargs="+",
        choices=list(TABLES),
        default=None,
        help="only these tables, e.g. services referrals (default: every table)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_writable_file(args.out, "--out")
    path = write_template(args.out, args.tables)
    print(f"Wrote the data collection template to {path}")
    return 0
