"""``needs pseudonymise INPUT --key KEYFILE --out OUTPUT``: household ids from identifying fields.

Run by each provider on its own machine: reads the provider's local sheet (CSV or XLSX, with the
limits of ``needs validate``), writes only the pseudonymised sheet (``household_id`` made with the
partnership key, the identifying fields dropped), and refuses (exit 2) when the output would hold
an identifying column, would replace the input or the key, or would be written to a folder that
holds the key, directly or in a folder below it (the folder of a return is the one that gets sent
on; a return may be written below the key's folder). ``needs pseudonymise
--new-key KEYFILE`` makes a partnership key (mode 0600, never overwriting a file). The key is never
printed or written anywhere else.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from needs.cli import options
from needs.errors import InputError
from needs.inputs.limits import DEFAULT_LIMITS
from needs.inputs.pseudonymise import (
    DEFAULT_FIELDS,
    is_demonstration_key,
    make_key,
    pseudonymised_table,
    read_key,
    read_local_sheet,
    sheet_provider,
    write_pseudonymised,
)
from needs.inputs.text_columns import _TABLE_NAMES
from needs.settings import check_writable_file


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "pseudonymise",
        help="make household ids from names, dates of birth and postcodes with the partnership key",
        description="Turn a provider's local sheet into the sheet it returns: household_id made with the "
        "partnership key from the agreed identifying fields, which are dropped. Run it on the provider's own "
        "machine. Or make a new partnership key with --new-key.",
    )
    parser.add_argument("input", nargs="?", type=Path, default=None, help="the local sheet (.csv or .xlsx)")
    parser.add_argument("--key", type=Path, default=None, help="the partnership key file")
    parser.add_argument(
        "--out", type=Path, default=None, help="the pseudonymised sheet to write (.csv or .xlsx)"
    )
    parser.add_argument(
        "--fields",
        default=",".join(DEFAULT_FIELDS),
        help=f"identifying fields the partnership agreed, comma-separated (default: {','.join(DEFAULT_FIELDS)})",
    )
    parser.add_argument(
        "--drop",
        default="",
        help="other identifying columns to leave out of the output, comma-separated (default: none)",
    )
    parser.add_argument(
        "--sheet", default=None, help="the workbook's sheet (default: its only sheet, else 'referrals')"
    )
    parser.add_argument(
        "--provider",
        default=None,
        help="the provider's name, written in the output workbook's About sheet (default: the name in the "
        "input workbook's About sheet, if any)",
    )
    parser.add_argument(
        "--new-key",
        type=Path,
        default=None,
        metavar="KEYFILE",
        help="make a new partnership key file and stop",
    )
    options.add_limits(parser)
    parser.set_defaults(run=run)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def run(args: argparse.Namespace) -> int:
    if args.new_key is not None:
        if args.input is not None or args.key is not None or args.out is not None:
            raise InputError("--new-key makes a key and nothing else: give it alone")
        path = make_key(args.new_key)
        print(
            f"Wrote a new partnership key to {path} (readable by you only). Give it to each provider by a "
            "secure route, never in an email with data; make a new one next financial year."
        )
        return 0
    missing = [
        name for name, value in (("INPUT", args.input), ("--key", args.key), ("--out", args.out)) if not value
    ]
    if missing:
        raise InputError(f"give {', '.join(missing)} (or --new-key KEYFILE to make a key)")
    source, key_path, out = Path(args.input), Path(args.key), Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"--out {out}: give a file name ending .csv or .xlsx")
    if out.exists() and (out.resolve() == source.resolve() or out.resolve() == key_path.resolve()):
        raise InputError(f"--out {out}: this is the input or the key; give a new file name")
    if _inside(key_path, out.parent):
        raise InputError(
            f"--out {out}: its folder ({out.parent}) holds the key ({key_path}); write the pseudonymised "
            "sheet to a folder without the key, so that the key is never sent with it"
        )
    check_writable_file(out, "--out")
    key = read_key(key_path)
    if os.name == "posix" and key_path.stat().st_mode & 0o077 and not is_demonstration_key(key):
        print(
            f"needs: warning: the key file {key_path} can be read by other users of this computer; "
            f"make it private with: chmod 600 {key_path}",
            file=sys.stderr,
        )
    if is_demonstration_key(key):
        print(
            "needs: warning: this is the published DEMONSTRATION key: anyone can recompute these ids from "
            "names; use it only for examples and tests, never for real records",
            file=sys.stderr,
        )
    limits = DEFAULT_LIMITS.raised(getattr(args, "limit", None) or ())
    raw = read_local_sheet(source, limits, sheet=args.sheet)
    fields, drop = _names(args.fields), _names(args.drop)
    table = pseudonymised_table(raw, key, fields, drop)
    sheet = _TABLE_NAMES.get(str(args.sheet or "").strip().lower(), "referrals")
    provider = args.provider or sheet_provider(source, limits)
    write_pseudonymised(table, out, sheet, provider)
    left_out = [column for column in raw.frame.columns if column not in table.columns]
    print(
        f"Wrote {len(table):,} rows with household_id to {out}; left out: {', '.join(left_out)}. "
        "The key and the identifying fields were not written."
    )
    return 0
