"""``needs synth --out DIR``: write a synthetic dataset folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from needs.cli import options
from needs.errors import InputError
from needs.reference.constants import DEFAULT_SEED
from needs.settings import check_writable_folder
from needs.synth.folders import synthetic_dataset, write_dataset


def add_parser(commands) -> None:
    parser = commands.add_parser("synth", help="generate a synthetic dataset folder")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument(
        "--national", action="store_true", help="every tier-one area in England (default: the example's areas)"
    )
    parser.add_argument(
        "--referrals",
        type=int,
        default=None,
        help="number of referral records (default: 100,000 with --national, else from population and prevalence)",
    )
    options.add_seed(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.referrals is not None and args.referrals < 1:
        raise InputError(f"--referrals must be a whole number of at least 1, got {args.referrals}")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed must be a whole number of at least 0, got {args.seed}")
    check_writable_folder(args.out, "--out")
    started = time.perf_counter()
    seed = DEFAULT_SEED if args.seed is None else args.seed
    tables, metadata = synthetic_dataset(national=args.national, n_referrals=args.referrals, seed=seed)
    write_dataset(tables, args.out, metadata)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {len(tables['referrals']):,} referrals and {len(tables) - 1} other tables to {args.out} "
        f"in {elapsed:.1f}s"
    )
    return 0
