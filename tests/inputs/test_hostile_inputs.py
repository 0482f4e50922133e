"""Files built to hurt: each is refused quickly, in little memory, with a clear message.

Every hostile file is built here, small on disk (workbooks are written by hand with
:mod:`zipfile`, so a sheet can declare any dimension and a part can claim any size), and
``needs validate`` runs on it in a subprocess limited to 2 GB of address space and 10
seconds. Each must exit with code 2, name the file and the limit (or the problem), print no
traceback and write nothing. Raising a limit lets a genuine larger file through, and the
example folder loads as before.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA

import needs
from needs.errors import DataValidationError, InputError, ScenarioError
from needs.inputs import workbook as workbook_module
from needs.inputs.limits import DEFAULT_LIMITS, LimitExceeded, ReadLimits, quote_start
from needs.inputs.load import load
from needs.scenarios.spec import load_scenario

FIXTURE = TEST_DATA / "valid_minimal"
EXAMPLE = ROOT / "data" / "example"
ADDRESS_SPACE = 2 * 1024**3
TIMEOUT = 10
#: A referral heading row (the required columns of the fixture's referrals.csv).
REFERRAL_HEADING = (FIXTURE / "referrals.csv").read_text().splitlines()[0]


# --- building hostile files -------------------------------------------------------------


def data_folder(tmp_path: Path, without: Iterable[str] = ("referrals.csv",)) -> Path:
    """The valid minimal fixture copied, less the files a test replaces."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    for name in without:
        (folder / name).unlink()
    return folder


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{shared}</Types>"
)
_SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>{shared}</Relationships>'
)
_SHARED_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def inline_row(values: Iterable[str]) -> str:
    """One sheet row of inline-string cells (no cell references: openpyxl counts them)."""
    cells = "".join(f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>' for value in values)
    return f"<row>{cells}</row>"


def write_workbook(
    path: Path,
    rows: Iterable[bytes | str],
    *,
    dimension: str | None = None,
    shared: Iterable[bytes] | None = None,
    sheet: str = "referrals",
    extra: dict[str, Iterable[bytes]] | None = None,
) -> Path:
    """A minimal workbook written by hand: one sheet whose XML is ``rows`` streamed through
    deflate (so a million rows cost seconds and a few MB), an optional declared dimension,
    an optional shared-strings part (also streamed) and ``extra`` parts by name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(shared=_SHARED_TYPE if shared else ""))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(sheet=sheet))
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(shared=_SHARED_REL if shared else "")
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            start = _SHEET_START.format(dimension=f'<dimension ref="{dimension}"/>' if dimension else "")
            part.write(start.encode())
            for row in rows:
                part.write(row.encode() if isinstance(row, str) else row)
            part.write(_SHEET_END.encode())
        for name, blocks in {"xl/sharedStrings.xml": shared or (), **(extra or {})}.items():
            if name == "xl/sharedStrings.xml" and shared is None:
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                for block in blocks:
                    part.write(block)
    return path


def shared_strings(*values: Iterable[bytes]) -> Iterable[bytes]:
    """A shared-strings part of ``values``, each given as blocks of bytes."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    for blocks in values:
        yield b"<si><t>"
        yield from blocks
        yield b"</t></si>"
    yield b"</sst>"


def repeated(block: bytes, total: int) -> Iterable[bytes]:
    """``total`` bytes of ``block`` repeated, in blocks of about 1 MB."""
    chunk = block * max(1, 1_000_000 // len(block))
    for _ in range(total // len(chunk)):
        yield chunk
    yield block * ((total % len(chunk)) // len(block))


def claim_size(path: Path, member: str, size: int) -> None:
    """Make the zip directory of ``path`` claim that ``member`` unpacks to ``size`` bytes
    (a forged directory entry: the member itself stays tiny)."""
    data = bytearray(path.read_bytes())
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        (length,) = struct.unpack_from("<H", data, position + 28)
        if data[position + 46 : position + 46 + length] == member.encode():
            struct.pack_into("<I", data, position + 24, size)  # the uncompressed size
            path.write_bytes(bytes(data))
            return
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{member} not found in {path}")


def billion_laughs(key: str = "title") -> str:
    """About 380 bytes of YAML whose nested aliases stand for 10**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{','.join(['*' + previous] * 10)}]")
    lines.append(f"{key}: *i")
    return "\n".join(lines) + "\n"


# --- running the command line like an attacker's victim --------------------------------


def _limit_memory() -> None:  # runs in the child, before needs starts
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_needs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``needs ARGS`` in a subprocess: 2 GB of address space, 10 seconds, in ``cwd``."""
    env = {key: value for key, value in os.environ.items() if key != "NEEDS_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "needs.cli", *args],
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
        cwd=cwd,
        env=env,
        check=False,
    )


def listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(path.relative_to(folder)), path.lstat().st_size) for path in folder.rglob("*"))


def refused(tmp_path: Path, folder: Path, *options: str, command: tuple[str, ...] = ()) -> str:
    """Run ``needs validate FOLDER OPTIONS`` (or ``command``); assert exit 2, no traceback,
    nothing written; return standard error."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    before = listing(folder)
    result = run_needs(*(command or ("validate", str(folder), *options)), cwd=cwd)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr[:3000]
    assert "Traceback" not in stderr, stderr[:3000]
    assert result.stdout == b""
    assert listing(folder) == before
    assert list(cwd.iterdir()) == []
    return stderr


# --- YAML -------------------------------------------------------------------------------


def test_billion_laughs_in_dataset_yaml_is_refused_not_expanded(tmp_path):
    folder = data_folder(tmp_path, without=("dataset.yaml",))
    (folder / "dataset.yaml").write_text(billion_laughs())
    assert (folder / "dataset.yaml").stat().st_size < 400
    stderr = refused(tmp_path, folder)
    assert "dataset.yaml, row 1: aliases are not allowed (found the anchor '&a')" in stderr


def test_billion_laughs_in_a_scenario_file_is_refused_not_expanded(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs("description"))
    stderr = refused(tmp_path, FIXTURE, command=("scenarios", "compare", str(path), "--data", str(FIXTURE)))
    assert f"{path}: line 1, column 4: aliases are not allowed (found the anchor '&a')" in stderr
    with pytest.raises(ScenarioError, match="aliases are not allowed"):
        load_scenario(path)


def load_scenario_text(text: str, folder: Path, **options):
    path = folder / "scenario.yaml"
    path.write_text(text)
    return load_scenario(path, **options)


def test_an_anchor_alone_is_refused_too(tmp_path):
    with pytest.raises(
        ScenarioError, match=r"line 1, column 7: aliases are not allowed \(found the anchor '&n'\)"
    ):
        load_scenario_text("name: &n Quiet\ndescription: same\n", tmp_path)


def test_deeply_nested_yaml_is_refused_without_recursion(tmp_path):
    folder = data_folder(tmp_path, without=("dataset.yaml",))
    (folder / "dataset.yaml").write_text("title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    stderr = refused(tmp_path, folder)
    assert "dataset.yaml, row 1: lists and mappings nested more than 50 deep" in stderr


def test_a_yaml_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    folder = data_folder(tmp_path, without=("dataset.yaml",))
    (folder / "dataset.yaml").write_text("title: Big\n" + "# padding\n" * 200_000)
    stderr = refused(tmp_path, folder)
    assert (
        "dataset.yaml: the file has 2,000,011 bytes, more than the limit of 1,000,000 bytes of YAML" in stderr
    )
    assert "--limit yaml_bytes=N" in stderr
    scenario = "name: Big\n" + "# padding\n" * 10
    with pytest.raises(
        LimitExceeded, match="scenario.yaml: the file has 110 bytes, more than the limit of 100"
    ):
        load_scenario_text(scenario, tmp_path, limits=ReadLimits(yaml_bytes=100))
    assert (
        load_scenario_text(
            scenario, tmp_path, limits=ReadLimits(yaml_bytes=100).raised(["yaml_bytes=110"])
        ).name
        == "Big"
    )


def test_an_integer_of_thousands_of_digits_is_an_input_error(tmp_path):
    folder = data_folder(tmp_path, without=("dataset.yaml",))
    (folder / "dataset.yaml").write_text("title: " + "9" * 5000 + "\n")
    stderr = refused(tmp_path, folder)
    assert "dataset.yaml: is not valid YAML" in stderr
    with pytest.raises(ScenarioError, match="cannot read a value"):
        load_scenario_text("name: x\ndescription: " + "9" * 5000 + "\n", tmp_path)


# --- workbooks --------------------------------------------------------------------------


def test_a_declared_dimension_of_a_million_rows_by_16384_columns_is_ignored(tmp_path):
    folder = data_folder(tmp_path)
    path = write_workbook(
        folder / "referrals.xlsx", [inline_row(["wrong", "headings"])], dimension="A1:XFD1048576"
    )
    assert path.stat().st_size < 2_000
    stderr = refused(tmp_path, folder)
    assert "referrals.xlsx, sheet 'referrals', column 'referral_id': required column is missing" in stderr


def test_a_genuine_sheet_declaring_a_huge_dimension_loads_as_its_csv(tmp_path):
    folder = data_folder(tmp_path)
    frame = pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)
    rows = [inline_row(frame.columns)] + [inline_row(values) for values in frame.itertuples(index=False)]
    write_workbook(folder / "referrals.xlsx", rows, dimension="A1:XFD1048576")
    result = run_needs("validate", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    pd.testing.assert_frame_equal(load(folder).referrals, load(FIXTURE).referrals)


def test_shared_strings_over_the_limit_are_refused_before_the_workbook_is_opened(tmp_path, monkeypatch):
    folder = data_folder(tmp_path)
    path = write_workbook(
        folder / "referrals.xlsx",
        ['<row><c t="s"><v>0</v></c></row>'],
        shared=shared_strings(repeated(b"A", 50_000_000)),
    )
    assert path.stat().st_size < 200_000
    stderr = refused(tmp_path, folder, "--limit", "shared_strings_bytes=10000000")
    assert (
        "referrals.xlsx: its shared strings ('xl/sharedStrings.xml') unpack to 50,000,"
    ) in stderr and "more than the limit of 10,000,000 bytes of shared strings" in stderr
    assert "--limit shared_strings_bytes=N" in stderr

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook that the zip directory already refused")

    monkeypatch.setattr(workbook_module.openpyxl, "load_workbook", never)
    with pytest.raises(LimitExceeded, match="shared strings"):
        load(folder, limits=DEFAULT_LIMITS.raised(["shared_strings_bytes=10000000"]))


def test_a_heading_of_50_million_characters_is_refused_and_quoted_briefly(tmp_path):
    folder = data_folder(tmp_path)
    write_workbook(
        folder / "referrals.xlsx",
        ['<row><c t="s"><v>0</v></c></row>', '<row><c t="n"><v>1</v></c></row>'],
        shared=shared_strings(repeated(b"A", 50_000_000)),
    )
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.xlsx, sheet 'referrals', column A: the heading is '" + "A" * 60 + "…' "
        "(50,000,000 characters), more than the limit of 10,000 characters in one cell" in stderr
    )
    assert "A" * 61 not in stderr
    assert len(stderr) < 1_000


def test_a_workbook_claiming_to_unpack_to_6_gb_is_refused_from_its_zip_directory(tmp_path):
    folder = data_folder(tmp_path)
    path = write_workbook(folder / "referrals.xlsx", [inline_row(REFERRAL_HEADING.split(","))])
    claim_size(path, "xl/worksheets/sheet1.xml", 3_000_000_000)
    claim_size(path, "xl/workbook.xml", 3_000_000_000)
    assert path.stat().st_size < 3_000
    stderr = refused(tmp_path, folder)
    assert "referrals.xlsx: the workbook unpacks to 6,000,00" in stderr
    assert "more than the limit of 4,000,000,000 bytes unpacked" in stderr


def test_styles_of_30_mb_are_refused_before_openpyxl_reads_them(tmp_path):
    folder = data_folder(tmp_path)
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    styles = [
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>',
        *repeated(xf, 30_000_000),
        b"</cellXfs></styleSheet>",
    ]
    path = write_workbook(
        folder / "referrals.xlsx", [inline_row(REFERRAL_HEADING.split(","))], extra={"xl/styles.xml": styles}
    )
    assert path.stat().st_size < 200_000
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.xlsx: its part 'xl/styles.xml' unpacks to 30,000,0" in stderr
        and "more than the limit of 20,000,000 bytes in one part of a workbook; "
        "if the file is genuine, raise the limit with --limit part_bytes=N"
        in stderr
    )


def test_a_large_picture_in_a_workbook_is_not_bounded_as_a_part(tmp_path):
    folder = data_folder(tmp_path)
    frame = pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)
    rows = [inline_row(frame.columns)] + [inline_row(values) for values in frame.itertuples(index=False)]
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/image" Target="../media/image1.png"/></Relationships>'
    )
    extra = {
        "xl/media/image1.png": repeated(b"\0", 25_000_000),
        "xl/drawings/_rels/drawing1.xml.rels": [rels.encode()],
    }
    write_workbook(folder / "referrals.xlsx", rows, extra=extra)
    pd.testing.assert_frame_equal(load(folder).referrals, load(FIXTURE).referrals)
    with pytest.raises(LimitExceeded, match="unpacks to 25,00"):
        load(folder, limits=ReadLimits(unpacked_bytes=20_000_000))


def test_a_million_row_workbook_with_wrong_headings_is_refused_at_its_heading(tmp_path):
    folder = data_folder(tmp_path)
    body = b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 1_000_000
    path = write_workbook(folder / "referrals.xlsx", [inline_row(["a", "b"]), body])
    assert path.stat().st_size < 3_500_000
    stderr = refused(tmp_path, folder)
    assert "referrals.xlsx, sheet 'referrals', column 'referral_id': required column is missing" in stderr
    assert "required table 'referrals' not found" not in stderr


def test_a_million_row_workbook_over_the_row_limit_stops_at_the_limit(tmp_path):
    folder = data_folder(tmp_path)
    body = b"<row><c><v>1</v></c></row>" * 1_000_000  # the body is never validated: it stops first
    write_workbook(folder / "referrals.xlsx", [inline_row(REFERRAL_HEADING.split(",")), body])
    stderr = refused(tmp_path, folder, "--limit", "rows=20000")
    assert (
        "referrals.xlsx, sheet 'referrals': the sheet has more than 20,000 rows after its heading row, "
        "more than the limit of 20,000 rows; if the file is genuine, raise the limit with --limit rows=N"
    ) in stderr


def test_a_value_far_beyond_the_column_limit_is_refused(tmp_path):
    folder = data_folder(tmp_path)
    heading = inline_row(REFERRAL_HEADING.split(","))
    write_workbook(
        folder / "referrals.xlsx", [heading, '<row r="2"><c r="XFD2"><v>1</v></c></row>'], dimension="A1:XFD2"
    )
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.xlsx, sheet 'referrals', row 2: the row has a value in column XFD (column 16,384), "
        "more than the limit of 1,000 columns"
    ) in stderr


def test_rows_padded_with_empty_cells_to_column_xfd_are_refused(tmp_path):
    folder = data_folder(tmp_path)
    body = b'<row><c t="n"><v>1</v></c><c r="XFD1"/></row>' * 100_000  # openpyxl pads each row
    path = write_workbook(folder / "referrals.xlsx", [inline_row(REFERRAL_HEADING.split(",")), body])
    assert path.stat().st_size < 20_000
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.xlsx, sheet 'referrals', row 1002: 1,001 rows hold cells beyond column ALL "
        "(empty ones, but each is read), more than the limit of 1,000 columns"
    ) in stderr


def test_a_few_empty_cells_beyond_the_heading_are_ignored(tmp_path):
    folder = data_folder(tmp_path)
    frame = pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)
    rows = [inline_row(frame.columns)] + [
        inline_row(values)[: -len("</row>")] + f'<c r="XFD{number}"/></row>'
        for number, values in enumerate(frame.itertuples(index=False), start=2)
    ]
    write_workbook(folder / "referrals.xlsx", rows)
    pd.testing.assert_frame_equal(load(folder).referrals, load(FIXTURE).referrals)


def test_a_damaged_sheet_is_an_input_error(tmp_path):
    folder = data_folder(tmp_path)
    write_workbook(folder / "referrals.xlsx", [inline_row(REFERRAL_HEADING.split(",")), "<row><c t="])
    stderr = refused(tmp_path, folder)
    assert "referrals.xlsx, sheet 'referrals': cannot be read: the sheet is damaged" in stderr


# --- CSV --------------------------------------------------------------------------------


def test_a_million_row_csv_with_wrong_headings_is_refused_at_its_heading(tmp_path):
    folder = data_folder(tmp_path)
    (folder / "referrals.csv").write_bytes(b"a,b,c\n" + b"1,2,3\n" * 1_000_000)
    stderr = refused(tmp_path, folder)
    assert "referrals.csv, column 'referral_id': required column is missing" in stderr
    assert "required table 'referrals' not found" not in stderr


def test_a_million_row_csv_over_the_row_limit_is_refused(tmp_path):
    folder = data_folder(tmp_path)
    line = (FIXTURE / "referrals.csv").read_text().splitlines()[1]
    (folder / "referrals.csv").write_text(REFERRAL_HEADING + "\n" + (line + "\n") * 1_000_000)
    stderr = refused(tmp_path, folder, "--limit", "rows=100000")
    assert (
        "referrals.csv: the file has more than 100,000 rows after its heading row, "
        "more than the limit of 100,000 rows"
    ) in stderr


def test_50000_unknown_columns_are_refused(tmp_path):
    folder = data_folder(tmp_path)
    extra = ",".join(f"x{i}" for i in range(50_000))
    line = (FIXTURE / "referrals.csv").read_text().splitlines()[1]
    (folder / "referrals.csv").write_text(f"{REFERRAL_HEADING},{extra}\n{line}{',' * 50_000}\n")
    stderr = refused(tmp_path, folder)
    assert re.search(
        r"referrals.csv: row 1 has more than [\d,]+ columns, more than the limit of 1,000 columns; "
        r"if the file is genuine, raise the limit with --limit columns=N",
        stderr,
    )


def test_a_heading_line_of_100_mb_is_refused_from_its_start(tmp_path):
    folder = data_folder(tmp_path)
    (folder / "referrals.csv").write_bytes(b"referral_id," + b"B" * 100_000_000 + b"\n1,2\n")
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.csv, column B: the heading is '" + "B" * 60 + "…' (more than 65,524 characters)" in stderr
        and "more than the limit of 10,000 characters in one cell" in stderr
    )
    assert len(stderr) < 1_000


def test_a_long_cell_in_a_csv_body_is_refused_with_its_row(tmp_path):
    folder = data_folder(tmp_path)
    lines = (FIXTURE / "referrals.csv").read_text().splitlines()
    lines[3] = lines[3].replace("R000003", "R" + "3" * 20_000, 1)
    (folder / "referrals.csv").write_text("\n".join(lines) + "\n")
    stderr = refused(tmp_path, folder)
    assert (
        "referrals.csv, row 4, column A ('referral_id'): the cell is 'R" + "3" * 59 + "…' (20,001 characters)"
    ) in stderr


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    folder = data_folder(tmp_path)
    shutil.copy(FIXTURE / "referrals.csv", folder / "referrals.csv")
    size = (folder / "referrals.csv").stat().st_size
    stderr = refused(tmp_path, folder, "--limit", "file_bytes=1000")
    assert (
        f"referrals.csv: the file has {size:,} bytes, more than the limit of 1,000 bytes in one file"
        in stderr
    )


# --- the folder -------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_refused_and_shown_with_replacement(tmp_path):
    folder = data_folder(tmp_path, without=())
    shutil.move(folder / "referrals.csv", os.fsdecode(os.fsencode(folder) + b"/referrals\xff.csv"))
    stderr = refused(tmp_path, folder)
    assert "referrals\ufffd.csv: the file name is not valid UTF-8 text" in stderr
    with pytest.raises(DataValidationError) as caught:
        load(folder)
    text = str(caught.value)
    text.encode("utf-8")  # no surrogate escape left to fail a later print or write
    assert "referrals\ufffd.csv" in text


def test_a_link_to_a_system_file_is_refused_without_echoing_it(tmp_path):
    folder = data_folder(tmp_path)
    (folder / "referrals.csv").symlink_to("/etc/passwd")
    stderr = refused(tmp_path, folder)
    assert "referrals.csv: is a symbolic link to a file outside the data folder" in stderr
    assert "root:" not in stderr


def test_a_link_within_the_folder_is_read(tmp_path):
    folder = data_folder(tmp_path)
    (folder / "sources").mkdir()
    shutil.copy(FIXTURE / "referrals.csv", folder / "sources" / "referrals-2024.csv")
    (folder / "referrals.csv").symlink_to(Path("sources") / "referrals-2024.csv")
    pd.testing.assert_frame_equal(load(folder).referrals, load(FIXTURE).referrals)


# --- raising a limit; the example -------------------------------------------------------


def test_raising_a_limit_lets_a_genuine_larger_file_through(tmp_path):
    folder = data_folder(tmp_path)
    referrals = pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)
    referrals["notes"] = ""
    referrals.loc[1, "notes"] = "Long case note. " * 1_000  # 16,000 characters
    referrals.to_csv(folder / "referrals.csv", index=False)
    with pytest.raises(
        LimitExceeded, match=r"referrals.csv, row 3, column \w+ \('notes'\): the cell is 'Long case"
    ):
        load(folder)
    dataset = load(folder, limits=DEFAULT_LIMITS.raised(["cell_chars=20000"]))
    pd.testing.assert_frame_equal(dataset.referrals, load(FIXTURE).referrals)
    assert any("unknown column, ignored" in text for text in dataset.warnings)

    rows = data_folder(tmp_path / "rows")
    frame = pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([frame] * 4, ignore_index=True)  # 24 rows
    frame["referral_id"] = [f"R{i:03d}" for i in range(len(frame))]
    frame.to_csv(rows / "referrals.csv", index=False)
    with pytest.raises(
        LimitExceeded, match="referrals.csv: the file has more than 16 rows after its heading row"
    ):
        load(rows, limits=ReadLimits(rows=16))
    assert len(load(rows, limits=ReadLimits(rows=16).raised(["rows=24"])).referrals) == 24


def test_the_example_loads_identically_under_the_limits():
    dataset = needs.load(EXAMPLE)
    generous = load(EXAMPLE, limits=ReadLimits(**dict.fromkeys(ReadLimits.names(), 10**12)))
    assert set(dataset.tables) == set(generous.tables)
    for name, frame in dataset.tables.items():
        pd.testing.assert_frame_equal(frame, generous.tables[name], obj=name)
        on_disk = len(pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False))
        for workbook in EXAMPLE.glob(f"{name}-*.xlsx"):  # the providers' returns of the table
            on_disk += len(pd.read_excel(workbook, sheet_name=name, dtype=str))
        assert len(frame) == on_disk, name
    assert dataset.warnings == generous.warnings
    assert dataset.metadata == generous.metadata
    assert dataset.metadata["area_code"] == "E10000018"


def test_the_example_as_a_workbook_loads_the_same_as_its_csv(tmp_path):
    out, csv_only = tmp_path / "book", tmp_path / "csv"
    out.mkdir()
    csv_only.mkdir()
    for folder in (out, csv_only):
        shutil.copy(EXAMPLE / "dataset.yaml", folder / "dataset.yaml")
    with pd.ExcelWriter(out / "tables.xlsx", engine="openpyxl") as writer:
        for path in sorted(EXAMPLE.glob("*.csv")):  # the CSV files only, not the providers' returns
            shutil.copy(path, csv_only / path.name)
            pd.read_csv(path, dtype=str, keep_default_na=False).to_excel(
                writer, sheet_name=path.stem, index=False
            )
    book, csv = load(out), load(csv_only)
    assert set(book.tables) == set(csv.tables)
    for name, frame in csv.tables.items():
        pd.testing.assert_frame_equal(frame, book.tables[name], obj=name)


def test_a_limit_message_quotes_the_start_only():
    assert quote_start("x" * 61) == "'" + "x" * 60 + "…'"
    assert quote_start("short\nline") == "'short line'"
    error = LimitExceeded("a.csv", "cell_chars", "the cell is 'x…'", 10)
    assert isinstance(error, InputError) and error.exit_code == 2
    assert str(error) == (
        "a.csv: the cell is 'x…', more than the limit of 10 characters in one cell; "
        "if the file is genuine, raise the limit with --limit cell_chars=N"
    )
