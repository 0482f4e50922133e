"""Benchmark: ``needs validate`` on a genuine million-row referrals file and on hostile files.

Run with ``python tests/benchmarks/bench_hostile_inputs.py [--rows N] [--keep DIR] [--only NAME ...]``.
Each case runs ``python -m needs.cli validate FOLDER`` in its own process and reports the
exit code, the wall time and the peak resident set size of that process (``os.wait4``), with
the first line of its message. The genuine cases are the example's referrals repeated to a
million rows (unique ``referral_id``, ``household_id`` suffixed by the copy) as CSV and as a
workbook (openpyxl write-only), beside the example's other tables. The hostile files are
those of ``tests/inputs/test_hostile_inputs.py``, some at full size (a 1 GB heading in the
shared strings, a million-row workbook and CSV with wrong headings).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "inputs")]

import test_hostile_inputs as hostile  # noqa: E402  (the builders of the hostile files)

ROOT = HERE.parent.parent
EXAMPLE = ROOT / "data" / "example"


# --- the genuine million rows -----------------------------------------------------------


def million_referrals(rows: int) -> pd.DataFrame:
    """The example's referrals repeated to ``rows`` rows, keys made unique per copy."""
    base = pd.read_csv(EXAMPLE / "referrals.csv", dtype=str, keep_default_na=False)
    copies = -(-rows // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).iloc[:rows]
    copy = (pd.RangeIndex(rows) // len(base)).astype(str)
    frame["referral_id"] = [f"R{i:07d}" for i in range(rows)]
    frame["household_id"] = frame["household_id"] + "-" + copy
    return frame


def example_without_referrals(folder: Path) -> Path:
    shutil.copytree(EXAMPLE, folder)
    (folder / "referrals.csv").unlink()
    return folder


def genuine_csv(folder: Path, frame: pd.DataFrame) -> list[str]:
    example_without_referrals(folder)
    frame.to_csv(folder / "referrals.csv", index=False)
    return []


def genuine_xlsx(folder: Path, frame: pd.DataFrame) -> list[str]:
    """The referrals as Excel saves them: text in the shared strings, cells referring to it
    (openpyxl's write-only mode writes inline strings, which openpyxl reads three times
    slower than Excel's files)."""
    example_without_referrals(folder)
    values = pd.concat([pd.Series(frame.columns), *(frame[c] for c in frame.columns)], ignore_index=True)
    strings = pd.Index(pd.unique(values[values != ""]))  # a blank cell is not written at all
    heading_codes = strings.get_indexer(frame.columns)
    column_codes = [strings.get_indexer(frame[c]) for c in frame.columns]  # -1: blank
    letters = [openpyxl.utils.get_column_letter(i + 1) for i in range(len(frame.columns))]

    def rows():
        cells = "".join(
            f'<c r="{letter}1" t="s"><v>{code}</v></c>'
            for letter, code in zip(letters, heading_codes, strict=True)
        )
        yield f'<row r="1">{cells}</row>'
        block = []
        for number, values in enumerate(zip(*column_codes, strict=True), start=2):
            cells = "".join(
                f'<c r="{letter}{number}" t="s"><v>{code}</v></c>'
                for letter, code in zip(letters, values, strict=True)
                if code >= 0
            )
            block.append(f'<row r="{number}">{cells}</row>')
            if len(block) == 10_000:
                yield "".join(block)
                block = []
        yield "".join(block)

    def shared():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for start in range(0, len(strings), 10_000):
            yield "".join(
                f"<si><t>{escape(str(text))}</t></si>" for text in strings[start : start + 10_000]
            ).encode()
        yield b"</sst>"

    dimension = f"A1:{letters[-1]}{len(frame) + 1}"
    hostile.write_workbook(folder / "referrals.xlsx", rows(), dimension=dimension, shared=shared())
    return []


# --- the hostile files ------------------------------------------------------------------


def minimal(folder: Path, without: tuple[str, ...] = ("referrals.csv",)) -> Path:
    shutil.copytree(hostile.FIXTURE, folder)
    for name in without:
        (folder / name).unlink()
    return folder


def laughs_yaml(folder: Path, _: object) -> list[str]:
    minimal(folder, ("dataset.yaml",))
    (folder / "dataset.yaml").write_text(hostile.billion_laughs())
    return []


def laughs_scenario(folder: Path, _: object) -> list[str]:
    minimal(folder, ())
    (folder.parent / "laughs.yaml").write_text(hostile.billion_laughs("description"))
    return ["scenarios", "compare", str(folder.parent / "laughs.yaml"), "--data", str(folder)]


def deep_yaml(folder: Path, _: object) -> list[str]:
    minimal(folder, ("dataset.yaml",))
    (folder / "dataset.yaml").write_text("title: " + "[" * 400_000 + "]" * 400_000 + "\n")
    return ["--limit", "yaml_bytes=1000000"]


def dimension(folder: Path, _: object) -> list[str]:
    minimal(folder)
    hostile.write_workbook(
        folder / "referrals.xlsx", [hostile.inline_row(["wrong", "headings"])], dimension="A1:XFD1048576"
    )
    return []


def heading_1gb(folder: Path, _: object) -> list[str]:
    minimal(folder)
    hostile.write_workbook(
        folder / "referrals.xlsx",
        ['<row><c t="s"><v>0</v></c></row>'],
        shared=hostile.shared_strings(hostile.repeated(b"A", 1 << 30)),
    )
    return []


def heading_900mb(folder: Path, _: object) -> list[str]:
    """Within the shared-strings limit: openpyxl reads it, the heading is refused unprinted."""
    minimal(folder)
    hostile.write_workbook(
        folder / "referrals.xlsx",
        ['<row><c t="s"><v>0</v></c></row>'],
        shared=hostile.shared_strings(hostile.repeated(b"A", 900_000_000)),
    )
    return []


def claims_6gb(folder: Path, _: object) -> list[str]:
    minimal(folder)
    path = hostile.write_workbook(
        folder / "referrals.xlsx", [hostile.inline_row(hostile.REFERRAL_HEADING.split(","))]
    )
    hostile.claim_size(path, "xl/worksheets/sheet1.xml", 3_000_000_000)
    hostile.claim_size(path, "xl/workbook.xml", 3_000_000_000)
    return []


def styles_30mb(folder: Path, _: object) -> list[str]:
    minimal(folder)
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    styles = [
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>',
        *hostile.repeated(xf, 30_000_000),
        b"</cellXfs></styleSheet>",
    ]
    hostile.write_workbook(
        folder / "referrals.xlsx",
        [hostile.inline_row(hostile.REFERRAL_HEADING.split(","))],
        extra={"xl/styles.xml": styles},
    )
    return []


def xlsx_padded_rows(folder: Path, _: object) -> list[str]:
    minimal(folder)
    body = b'<row><c t="n"><v>1</v></c><c r="XFD1"/></row>' * 1_000_000
    hostile.write_workbook(
        folder / "referrals.xlsx", [hostile.inline_row(hostile.REFERRAL_HEADING.split(",")), body]
    )
    return []


def xlsx_wrong_headings(folder: Path, _: object) -> list[str]:
    minimal(folder)
    body = b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 1_000_000
    hostile.write_workbook(folder / "referrals.xlsx", [hostile.inline_row(["a", "b"]), body])
    return []


def xlsx_over_rows(folder: Path, _: object) -> list[str]:
    minimal(folder)
    body = b"<row><c><v>1</v></c></row>" * 1_000_000
    hostile.write_workbook(
        folder / "referrals.xlsx", [hostile.inline_row(hostile.REFERRAL_HEADING.split(",")), body]
    )
    return ["--limit", "rows=100000"]


def csv_wrong_headings(folder: Path, _: object) -> list[str]:
    minimal(folder)
    (folder / "referrals.csv").write_bytes(b"a,b,c\n" + b"1,2,3\n" * 1_000_000)
    return []


def csv_over_rows(folder: Path, _: object) -> list[str]:
    minimal(folder)
    line = (hostile.FIXTURE / "referrals.csv").read_text().splitlines()[1]
    (folder / "referrals.csv").write_text(hostile.REFERRAL_HEADING + "\n" + (line + "\n") * 1_000_000)
    return ["--limit", "rows=100000"]


def csv_50000_columns(folder: Path, _: object) -> list[str]:
    minimal(folder)
    extra = ",".join(f"x{i}" for i in range(50_000))
    line = (hostile.FIXTURE / "referrals.csv").read_text().splitlines()[1]
    (folder / "referrals.csv").write_text(f"{hostile.REFERRAL_HEADING},{extra}\n{line}{',' * 50_000}\n")
    return []


def csv_heading_1gb(folder: Path, _: object) -> list[str]:
    minimal(folder)
    with open(folder / "referrals.csv", "wb") as handle:
        handle.write(b"referral_id,")
        for block in hostile.repeated(b"B", 1_000_000_000):
            handle.write(block)
        handle.write(b"\n1,2\n")
    return []


def not_utf8_name(folder: Path, _: object) -> list[str]:
    minimal(folder, ())
    shutil.move(folder / "referrals.csv", os.fsdecode(os.fsencode(folder) + b"/referrals\xff.csv"))
    return []


def link_to_passwd(folder: Path, _: object) -> list[str]:
    minimal(folder)
    (folder / "referrals.csv").symlink_to("/etc/passwd")
    return []


GENUINE: dict[str, Callable] = {"genuine-1M-csv": genuine_csv, "genuine-1M-xlsx": genuine_xlsx}
HOSTILE: dict[str, Callable] = {
    "billion-laughs-dataset.yaml": laughs_yaml,
    "billion-laughs-scenario": laughs_scenario,
    "yaml-nested-400k-deep": deep_yaml,
    "xlsx-dimension-XFD1048576": dimension,
    "xlsx-shared-strings-1GB-heading": heading_1gb,
    "xlsx-shared-strings-900MB-heading": heading_900mb,
    "xlsx-zip-claims-6GB": claims_6gb,
    "xlsx-styles-30MB": styles_30mb,
    "xlsx-1M-rows-padded-to-XFD": xlsx_padded_rows,
    "xlsx-1M-rows-wrong-headings": xlsx_wrong_headings,
    "xlsx-1M-rows-limit-100k": xlsx_over_rows,
    "csv-1M-rows-wrong-headings": csv_wrong_headings,
    "csv-1M-rows-limit-100k": csv_over_rows,
    "csv-50000-columns": csv_50000_columns,
    "csv-1GB-heading": csv_heading_1gb,
    "file-name-not-utf8": not_utf8_name,
    "symlink-to-/etc/passwd": link_to_passwd,
}


# --- measuring ------------------------------------------------------------------------


def measure(args: list[str], logs: Path) -> tuple[int, float, float, str]:
    """Run ``needs ARGS``; exit code, seconds, peak RSS in MB and the first line of its message.

    The command runs under GNU ``/usr/bin/time``, which reports the peak resident set size of
    that process alone (a child forked from this process would start with this process's
    memory counted in its peak).
    """
    with open(logs / "out.txt", "wb") as out, open(logs / "err.txt", "wb") as err:
        code = subprocess.call(
            [
                "/usr/bin/time",
                "-o",
                str(logs / "time.txt"),
                "-f",
                "%e %M",
                sys.executable,
                "-m",
                "needs.cli",
                *args,
            ],
            stdout=out,
            stderr=err,
        )
    seconds, kilobytes = (logs / "time.txt").read_text().split()[-2:]
    text = ((logs / "err.txt").read_bytes() or (logs / "out.txt").read_bytes()).decode("utf-8", "replace")
    lines = text.strip().splitlines()
    first = next((line for line in lines if " problem" not in line), lines[0] if lines else "")
    return code, float(seconds), int(kilobytes) / 1024, first.strip()


def size_of(folder: Path) -> str:
    """The largest file of the case (the hostile one) and its size."""
    data = [path for path in folder.iterdir() if path.name.startswith(("referrals", "dataset"))]
    if not data:
        return "-"
    biggest = max(data, key=lambda path: path.lstat().st_size)
    name = biggest.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return f"{name} {biggest.lstat().st_size / 1e6:.3g} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the genuine referrals")
    parser.add_argument("--keep", type=Path, default=None, help="build the folders here and keep them")
    parser.add_argument("--only", nargs="*", default=None, help="run only these cases")
    args = parser.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="needs-hostile-"))
    base.mkdir(parents=True, exist_ok=True)
    frame = million_referrals(args.rows)
    cases = {**GENUINE, **HOSTILE}
    print(f"{'case':36} {'file':34} {'build':>7} {'exit':>4} {'time':>8} {'peak RSS':>9}  message")
    for name, build in cases.items():
        if args.only and name not in args.only:
            continue
        folder = base / name.replace("/", "_") / "data"
        if folder.parent.exists():
            shutil.rmtree(folder.parent)
        folder.parent.mkdir(parents=True)
        started = time.perf_counter()
        extra = build(folder, frame)
        built = time.perf_counter() - started
        command = extra if extra and extra[0] == "scenarios" else ["validate", str(folder), *extra]
        code, elapsed, peak, first = measure(command, folder.parent)
        print(
            f"{name:36} {size_of(folder):34} {built:6.1f}s {code:4d} {elapsed:7.2f}s {peak:7.0f} MB  {first[:150]}",
            flush=True,
        )
        if args.keep is None:
            shutil.rmtree(folder.parent)
    if args.keep is None:
        shutil.rmtree(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
