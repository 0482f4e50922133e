"""``needs dictionary [--format markdown|csv]``: print the data dictionary."""

from __future__ import annotations

import argparse
import sys

from needs.reference.schema import data_dictionary, data_dictionary_markdown


def add_parser(commands) -> None:
    parser = commands.add_parser("dictionary", help="print the data dictionary")
    parser.add_argument("--format", choices=("markdown", "csv"), default="markdown", help="(default: markdown)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.format == "csv":
        data_dictionary().to_csv(sys.stdout, index=False)
    else:
        print(data_dictionary_markdown())
    return 0
