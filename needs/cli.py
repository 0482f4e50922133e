"""The ``needs`` command line.

Exit codes: 0 success, 2 bad input (data, arguments, scenario files), 1 anything else.
Errors are printed as plain messages; set ``NEEDS_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from needs.errors import NeedsError
from needs.schema import TABLES

#: The embedded default dataset (Leicestershire, demonstration data).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT / "data" / "example"
DEFAULT_AREA = "E10000018"
DEFAULT_PERIOD = "2023-24"
DEFAULT_REPORTS = Path("reports")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 already
        self.print_usage(sys.stderr)
        self.exit(2, f"needs: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from needs import __version__

    parser = _Parser(
        prog="needs", description="Safe-accommodation needs assessment toolkit (DA Act 2021 Part 4)."
    )
    parser.add_argument("--version", action="version", version=f"needs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    validate = commands.add_parser("validate", help="check a data folder and list every problem")
    validate.add_argument(
        "folder", nargs="?", type=Path, default=DEFAULT_DATA, help="data folder (default: the example)"
    )

    dictionary = commands.add_parser("dictionary", help="print the data dictionary")
    dictionary.add_argument("--format", choices=("markdown", "csv"), default="markdown")

    report = commands.add_parser("report", help="render the assessment report to HTML")
    report.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default: the example)")
    report.add_argument(
        "--area", default=None, help=f"tier-one area code (default: {DEFAULT_AREA} for the example)"
    )
    report.add_argument("--period", default=DEFAULT_PERIOD, help="financial year, e.g. 2023-24")
    report.add_argument("--out", type=Path, default=DEFAULT_REPORTS, help="output folder (default: reports/)")
    report.add_argument(
        "--scenario", type=Path, action="append", default=[], help="scenario YAML file (repeatable)"
    )
    report.add_argument("--suppress-below", type=int, default=None, help="disclosure threshold (default 5)")
    report.add_argument("--confidence", type=float, default=None, help="confidence level (default 0.95)")
    report.add_argument(
        "--coe-types",
        nargs="+",
        default=None,
        help="accommodation types counted towards the Council of Europe benchmark",
    )
    report.add_argument(
        "--target-turnaway", type=float, default=None, help="target turn-away rate (default 0.05)"
    )
    report.add_argument("--timestamp", action="store_true", help="print the rendering time in the report")
    report.add_argument("--all-areas", action="store_true", help="render one report per tier-one area")
    report.add_argument("--workers", type=int, default=None, help="parallel workers for --all-areas")
    report.add_argument("--scheduler", default=None, help="Dask scheduler address for --all-areas")

    scenarios = commands.add_parser("scenarios", help="commissioning scenarios")
    scenario_commands = scenarios.add_subparsers(
        dest="scenario_command", metavar="SUBCOMMAND", parser_class=_Parser
    )
    scenario_commands.required = True
    compare = scenario_commands.add_parser("compare", help="compare scenarios with the baseline")
    compare.add_argument("files", nargs="+", type=Path, help="scenario YAML files")
    compare.add_argument("--data", type=Path, default=DEFAULT_DATA)
    compare.add_argument("--area", default=None)
    compare.add_argument("--period", default=DEFAULT_PERIOD)
    compare.add_argument("--csv", type=Path, default=None, help="also write the comparison as CSV")
    compare.add_argument("--draws", type=int, default=0, help="Monte Carlo draws for intervals (0 = none)")
    compare.add_argument("--seed", type=int, default=20211001)

    annual_return = commands.add_parser("return", help="the annual MHCLG return as XLSX and CSV")
    annual_return.add_argument("--data", type=Path, default=DEFAULT_DATA)
    annual_return.add_argument("--area", default=None)
    annual_return.add_argument("--period", default=DEFAULT_PERIOD)
    annual_return.add_argument(
        "--out", type=Path, default=None, help="XLSX file (default: reports/<area>-<period>-return.xlsx)"
    )

    template = commands.add_parser("template", help="write the Excel data-collection template for providers")
    template.add_argument("--out", type=Path, default=Path("needs-data-template.xlsx"))
    template.add_argument(
        "--tables",
        nargs="+",
        choices=list(TABLES),
        default=None,
        help="only these tables (e.g. services referrals)",
    )

    synth = commands.add_parser("synth", help="generate a synthetic dataset folder")
    synth.add_argument("--out", type=Path, required=True)
    synth.add_argument("--national", action="store_true", help="every tier-one area in England")
    synth.add_argument("--referrals", type=int, default=None, help="number of referral records")
    synth.add_argument("--seed", type=int, default=20211001)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from needs.io import cli_validate

        return cli_validate(args)
    if args.command == "dictionary":
        from needs.schema import data_dictionary, data_dictionary_markdown

        if args.format == "csv":
            data_dictionary().to_csv(sys.stdout, index=False)
        else:
            print(data_dictionary_markdown())
        return 0
    if args.command == "report":
        if args.all_areas:
            from needs.parallel import cli_report_all

            return cli_report_all(args)
        from needs.report import cli_report

        return cli_report(args)
    if args.command == "scenarios":
        from needs.scenarios import cli_compare

        return cli_compare(args)
    if args.command == "return":
        from needs.annual_return import cli_return

        return cli_return(args)
    if args.command == "template":
        from needs.template import cli_template

        return cli_template(args)
    if args.command == "synth":
        from needs.synth import cli_synth

        return cli_synth(args)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except NeedsError as error:
        print(f"needs: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("needs: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # last resort: a clear message, not a traceback
        if os.environ.get("NEEDS_DEBUG"):
            raise
        print(f"needs: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        print("needs: set NEEDS_DEBUG=1 to see the details", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
