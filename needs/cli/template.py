"""``needs template [--out FILE] [--tables ...] [--data DIR --provider NAME]``: the data-collection workbook.

Without ``--data`` the workbook holds every table (or ``--tables``); with ``--data DIR --provider
NAME`` it is one provider's workbook made from the council's data folder: only the sheets the
provider fills, drop-downs of its services and of the council's area codes, its name filled in
(:func:`needs.inputs.template.write_provider_template`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from needs.cli import options
from needs.errors import InputError
from needs.inputs.limits import DEFAULT_LIMITS
from needs.inputs.load import load
from needs.inputs.template import PROVIDER_TABLES, write_provider_template, write_template
from needs.reference.schema import TABLES
from needs.settings import check_writable_file

DEFAULT_TEMPLATE = Path("needs-data-template.xlsx")


def add_parser(commands) -> None:
    parser = commands.add_parser("template", help="write the Excel data-collection template for providers")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"(default: {DEFAULT_TEMPLATE}, or needs-data-<provider>.xlsx with --provider)",
    )
    parser.add_argument(
        "--tables",
        nargs="+",
        choices=list(TABLES),
        default=None,
        help="only these tables, e.g. services referrals (default: every table; with --provider: "
        f"{' '.join(PROVIDER_TABLES)})",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the council's data folder, to make one provider's workbook (with --provider)",
    )
    parser.add_argument(
        "--provider",
        default=None,
        help="the provider, as the services table names it (with --data; default: none, the blank template)",
    )
    options.add_limits(parser)
    parser.set_defaults(run=run)


def _file_name(provider: str) -> Path:
    slug = "-".join("".join(char if char.isalnum() else " " for char in provider.lower()).split())
    return Path(f"needs-data-{slug or 'provider'}.xlsx")


def run(args: argparse.Namespace) -> int:
    if (args.data is None) != (args.provider is None):
        raise InputError("give --data DIR and --provider NAME together (or neither, for the blank template)")
    if args.provider is None:
        out = check_writable_file(args.out or DEFAULT_TEMPLATE, "--out")
        path = write_template(out, args.tables)
        print(f"Wrote the data collection template to {path}")
        return 0
    out = check_writable_file(args.out or _file_name(args.provider), "--out")
    dataset = load(args.data, limits=DEFAULT_LIMITS.raised(getattr(args, "limit", None) or ()))
    path = write_provider_template(out, dataset, args.provider, args.tables)
    print(f"Wrote the data collection workbook for {args.provider} to {path}")
    return 0
