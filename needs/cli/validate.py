"""``needs validate [FOLDER]``: check a data folder; print a summary, or every problem (exit 2)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from needs.cli import options
from needs.errors import DataValidationError, InputError
from needs.inputs.limits import DEFAULT_LIMITS
from needs.inputs.load import load, summary
from needs.reference.locations import example_data


def add_parser(commands) -> None:
    parser = commands.add_parser("validate", help="check a data folder and list every problem")
    parser.add_argument(
        "folder", nargs="?", type=Path, default=None, help="data folder (default: the embedded example)"
    )
    options.add_limits(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the folder; print a summary (0) or every problem (2). Nothing is written."""
    folder = args.folder if args.folder is not None else example_data()
    limits = DEFAULT_LIMITS.raised(getattr(args, "limit", None) or ())
    try:
        dataset = load(folder, limits=limits)
    except DataValidationError as error:
        errors = [issue for issue in error.issues if issue.severity == "error"]
        warnings = [issue for issue in error.issues if issue.severity == "warning"]
        lines = [f"needs: {len(errors)} problem{'s' if len(errors) != 1 else ''} found in {folder}:"]
        lines += [f"  - {issue}" for issue in errors]
        if warnings:
            lines.append(f"Warnings ({len(warnings)}):")
            lines += [f"  - {issue}" for issue in warnings]
        lines.append("Nothing was written. Fix these problems and run 'needs validate' again.")
        print("\n".join(lines), file=sys.stderr)
        return 2
    except InputError as error:
        print(f"needs: {error}", file=sys.stderr)
        return 2
    print(summary(dataset))
    return 0
