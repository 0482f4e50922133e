"""Arguments shared by several commands, each declared once with its default in the help."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from needs.inputs.limits import DEFAULT_LIMITS
from needs.reference.categories import ACCOMMODATION_TYPES, COE_DEFAULT_TYPES
from needs.reference.constants import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    DEFAULT_SUPPRESS_BELOW,
    DEFAULT_TARGET_TURNAWAY,
)
from needs.settings import DEFAULT_OUT, RunSettings

AREA_RULE = "area_code in dataset.yaml, else the data's only tier-one area with population"
PERIOD_RULE = "the latest financial year in which a referral is dated"


def add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", type=Path, default=None, help="data folder (default: the embedded demonstration data)"
    )


def add_area_and_period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--area", default=None, help=f"tier-one area code (default: {AREA_RULE})")
    parser.add_argument("--period", default=None, help=f"financial year, e.g. 2023-24 (default: {PERIOD_RULE})")


def add_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=int, default=None, help=f"seed of every random draw (default: {DEFAULT_SEED})"
    )


def add_assessment_options(parser: argparse.ArgumentParser) -> None:
    """The options of the assessment itself: disclosure, intervals, benchmark, target."""
    parser.add_argument(
        "--suppress-below",
        type=int,
        default=None,
        help=f"hide counts from 1 to this number minus one (default: {DEFAULT_SUPPRESS_BELOW})",
    )
    parser.add_argument(
        "--confidence", type=float, default=None, help=f"confidence level (default: {DEFAULT_CONFIDENCE})"
    )
    parser.add_argument(
        "--coe-types",
        nargs="+",
        default=None,
        metavar="TYPE",
        help="accommodation types counted towards the Council of Europe benchmark "
        f"(default: {' '.join(COE_DEFAULT_TYPES)}; choices: {' '.join(ACCOMMODATION_TYPES.codes)})",
    )
    parser.add_argument(
        "--target-turnaway",
        type=float,
        default=None,
        help=f"target share turned away for lack of space (default: {DEFAULT_TARGET_TURNAWAY})",
    )


def add_limits(parser: argparse.ArgumentParser) -> None:
    """``--limit NAME=VALUE`` (repeatable): raise a limit on what is read from the data folder."""
    defaults = ", ".join(f"{name}={getattr(DEFAULT_LIMITS, name):_}" for name in DEFAULT_LIMITS.names())
    parser.add_argument(
        "--limit",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help="raise a limit on what is read from the data files, repeatable, e.g. --limit rows=10_000_000 "
        f"(defaults: {defaults})",
    )


def add_out_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, help=f"output folder (default: {DEFAULT_OUT}/ in the working folder)"
    )


def announce(asked: RunSettings, resolved: RunSettings) -> RunSettings:
    """Say on standard error which area and period were chosen when none was asked for."""
    if asked.area is None:
        print(f"needs: area {resolved.area}, chosen by the rule: {AREA_RULE}", file=sys.stderr)
    if asked.period is None:
        print(f"needs: period {resolved.period}, the latest in the data", file=sys.stderr)
    return resolved
