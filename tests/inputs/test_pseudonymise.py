"""Household ids without names (``needs pseudonymise``): the keyed hash, its normalisation, the key
file, and the refusal to write anything that identifies a person."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import shutil
import stat
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import ROOT

import needs
from needs.cli import main
from needs.errors import DataValidationError, InputError
from needs.inputs.pseudonymise import (
    HOUSEHOLD_ID_PATTERN,
    IDENTIFYING_COLUMNS,
    is_demonstration_key,
    is_identifying,
    make_key,
    normalise,
    pseudonymise,
    pseudonymised_table,
    read_key,
    read_local_sheet,
)
from needs.inputs.template import PROVIDER_NAME, write_provider_template
from needs.reference import schema

DEMO_KEY_FILE = ROOT / "data" / "demonstration-partnership.key"
EXAMPLE = ROOT / "data" / "example"
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


def _one(name: str, dob: str, postcode: str, key: bytes = KEY_A) -> str:
    frame = pd.DataFrame({"name": [name], "date_of_birth": [dob], "postcode": [postcode]})
    return str(pseudonymise(frame, key).iloc[0])


# --------------------------------------------------------------------------------------
# The id
# --------------------------------------------------------------------------------------


def test_the_id_is_the_documented_hmac_worked_by_hand() -> None:
    """The message written out by hand from the module docstring: fields in alphabetical order,
    each as 0x1E name 0x1F normalised value, after the version tag; the first 16 hex digits."""
    message = (
        "needs-household-v1\x1edate_of_birth\x1f1985-03-07\x1ename\x1fjose smith jones\x1epostcode\x1fLE16TH"
    )
    expected = "H-" + hmac.new(KEY_A, message.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    assert _one("José Smith-Jones", "07/03/1985", "le1 6th") == expected
    assert len(expected) == 18


def test_same_input_and_key_give_the_same_id_and_the_shape_fits_the_schema() -> None:
    frame = pd.DataFrame(
        {
            "name": ["Ann Lee", "Bo Khan", "Ann Lee"],
            "date_of_birth": ["1990-01-02", "2001-12-31", "1990-01-02"],
            "postcode": ["LE1 6TH", "LE2 1AA", "LE1 6TH"],
        },
        index=[10, 11, 12],
    )
    first, second = pseudonymise(frame, KEY_A), pseudonymise(frame.copy(), KEY_A)
    pd.testing.assert_series_equal(first, second)
    assert first.name == "household_id" and list(first.index) == [10, 11, 12]
    assert first[10] == first[12] != first[11]
    assert first.str.fullmatch(HOUSEHOLD_ID_PATTERN).all()


def test_the_order_of_the_fields_does_not_matter() -> None:
    frame = pd.DataFrame({"postcode": ["LE1 6TH"], "date_of_birth": ["1990-01-02"], "name": ["Ann Lee"]})
    forward = pseudonymise(frame, KEY_A, ["name", "date_of_birth", "postcode"])
    backward = pseudonymise(frame, KEY_A, ["postcode", "date_of_birth", "name"])
    assert forward.iloc[0] == backward.iloc[0]


def test_different_keys_give_unrelated_ids() -> None:
    """For 300 people the ids under two keys share no id, and their leading hex digits agree only
    as often as chance: a digit agrees with probability 1/16, so about 300/16 = 19 ids share a
    first digit (fewer than 45 with overwhelming probability) and none shares 6 (probability
    300 x 16^-6 = 1.8e-5)."""
    frame = pd.DataFrame(
        {
            "name": [f"person {i}" for i in range(300)],
            "date_of_birth": ["1980-01-01"] * 300,
            "postcode": ["LE1 6TH"] * 300,
        }
    )
    a = pseudonymise(frame, KEY_A).str[2:]
    b = pseudonymise(frame, KEY_B).str[2:]
    assert not set(a) & set(b)
    shared = [len(os.path.commonprefix([x, y])) for x, y in zip(a, b, strict=True)]
    assert max(shared) < 6
    assert sum(length >= 1 for length in shared) < 45
    assert a.nunique() == 300


# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------

SAME_PERSON = [
    ("accents", ("José Núñez", "1985-03-07", "LE1 6TH"), ("Jose Nunez", "1985-03-07", "LE1 6TH")),
    ("case", ("ANN LEE", "1985-03-07", "LE1 6TH"), ("ann lee", "1985-03-07", "LE1 6TH")),
    ("spaces", ("  Ann   Lee ", "1985-03-07", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("tab and no-break space", ("Ann\tLee\u00a0", "1985-03-07", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("hyphen as space", ("Mary-Jane Smith-Jones", "1985-03-07", "LE1 6TH"), ("Mary Jane Smith Jones", "1985-03-07", "LE1 6TH")),
    ("apostrophe removed", ("Ann O'Neil", "1985-03-07", "LE1 6TH"), ("Ann ONeil", "1985-03-07", "LE1 6TH")),
    ("curly apostrophe", ("Ann O\u2019Neil", "1985-03-07", "LE1 6TH"), ("ann o'neil", "1985-03-07", "LE1 6TH")),
    ("full stop", ("St. John Lee", "1985-03-07", "LE1 6TH"), ("St John Lee", "1985-03-07", "LE1 6TH")),
    ("letters NFKD keeps whole", ("Łucja Søren Straße", "1985-03-07", "LE1 6TH"), ("Lucja Soren Strasse", "1985-03-07", "LE1 6TH")),
    ("day first with slashes", ("Ann Lee", "07/03/1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("day first, one digit", ("Ann Lee", "7/3/1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("day first with dots", ("Ann Lee", "7.3.1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("day first with hyphens", ("Ann Lee", "07-03-1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("month in words", ("Ann Lee", "7 March 1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("month abbreviated", ("Ann Lee", "7th Mar 1985", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("excel date cell read as text", ("Ann Lee", "1985-03-07 00:00:00", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("excel serial: 25569 is 1970-01-01", ("Ann Lee", "25569", "LE1 6TH"), ("Ann Lee", "1970-01-01", "LE1 6TH")),
    ("postcode without space", ("Ann Lee", "1985-03-07", "LE16TH"), ("Ann Lee", "1985-03-07", "LE1 6TH")),
    ("postcode lower case, spaces", ("Ann Lee", "1985-03-07", " le1  6th "), ("Ann Lee", "1985-03-07", "LE1 6TH")),
]  # fmt: skip


@pytest.mark.parametrize("first, second", [case[1:] for case in SAME_PERSON], ids=[c[0] for c in SAME_PERSON])
def test_normalisation_gives_one_id_for_one_person(first: tuple, second: tuple) -> None:
    assert _one(*first) == _one(*second)


DIFFERENT_PEOPLE = [
    ("day and month swapped", ("Ann Lee", "07/03/1985", "LE1 6TH"), ("Ann Lee", "03/07/1985", "LE1 6TH")),
    ("another day", ("Ann Lee", "1985-03-07", "LE1 6TH"), ("Ann Lee", "1985-03-08", "LE1 6TH")),
    ("another postcode", ("Ann Lee", "1985-03-07", "LE1 6TH"), ("Ann Lee", "1985-03-07", "LE1 6TJ")),
    ("another name", ("Ann Lee", "1985-03-07", "LE1 6TH"), ("Anne Lee", "1985-03-07", "LE1 6TH")),
    ("words kept apart", ("Ann Lee", "1985-03-07", "LE1 6TH"), ("Annlee", "1985-03-07", "LE1 6TH")),
]  # fmt: skip


@pytest.mark.parametrize(
    "first, second", [case[1:] for case in DIFFERENT_PEOPLE], ids=[c[0] for c in DIFFERENT_PEOPLE]
)
def test_different_people_get_different_ids(first: tuple, second: tuple) -> None:
    assert _one(*first) != _one(*second)


def test_normalised_values_by_hand() -> None:
    names, problems = normalise(["  Mary-Jane  O'Neil ", "ZOË", "Smith–Jones"], "name")
    assert list(names) == ["mary jane oneil", "zoe", "smith jones"] and not any(problems)
    postcodes, _ = normalise(["le1 6th", "SW1A 1AA", "b1 1bb"], "postcode")
    assert list(postcodes) == ["LE16TH", "SW1A1AA", "B11BB"]
    dates, _ = normalise(["1985/3/7", "31/12/2001", "1 January 1990"], "date")
    assert list(dates) == ["1985-03-07", "2001-12-31", "1990-01-01"]


REFUSED_DATES = [
    ("7/3/85", "two digits"),
    ("03/25/1985", "day first"),
    ("31/02/1990", "no such date"),
    ("1985", "year alone"),
    ("1885-03-07", "before 1900"),
    (f"{dt.date.today().year + 1}-01-01", "in the future"),
    ("spring 1985", "expected a date"),
    ("", "blank"),
]


@pytest.mark.parametrize("value, words", REFUSED_DATES, ids=[value or "blank" for value, _ in REFUSED_DATES])
def test_ambiguous_or_impossible_dates_are_refused_naming_row_and_column(value: str, words: str) -> None:
    frame = pd.DataFrame(
        {"name": ["Ann Lee", "Bo Khan"], "Date of birth": ["1990-01-02", value], "postcode": ["LE1 6TH"] * 2}
    )
    with pytest.raises(DataValidationError) as caught:
        pseudonymise(frame, KEY_A, source="local.xlsx, sheet 'referrals'", rows=[5, 9])
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("local.xlsx, sheet 'referrals'", 9, "Date of birth")
    assert words in issue.message
    message = str(caught.value)
    assert "local.xlsx, sheet 'referrals', row 9, column 'Date of birth'" in message
    if value:  # a message may be pasted into an email: it never quotes the value
        assert value not in message


def test_a_bad_postcode_and_a_missing_field_are_refused() -> None:
    frame = pd.DataFrame({"name": ["Ann Lee"], "date_of_birth": ["1990-01-02"], "postcode": ["LE1"]})
    with pytest.raises(DataValidationError, match="row 2, column 'postcode': expected a full UK postcode"):
        pseudonymise(frame, KEY_A)
    with pytest.raises(InputError, match="no column for the field 'nhs_number'"):
        pseudonymise(frame, KEY_A, ["name", "nhs_number"])


# --------------------------------------------------------------------------------------
# The key
# --------------------------------------------------------------------------------------


def test_new_key_is_random_private_and_never_overwritten(tmp_path: Path) -> None:
    path = make_key(tmp_path / "p.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = read_key(path)
    assert len(key) == 32 and not is_demonstration_key(key)
    assert read_key(make_key(tmp_path / "q.key")) != key
    before = path.read_bytes()
    with pytest.raises(InputError, match="exists"):
        make_key(path)
    assert path.read_bytes() == before


def test_the_demonstration_key_is_recognised() -> None:
    assert is_demonstration_key(read_key(DEMO_KEY_FILE))
    assert "DEMONSTRATION" in DEMO_KEY_FILE.read_text()


@pytest.mark.parametrize(
    "content, words",
    [
        ("not a key at all\n", "not 64 hexadecimal"),
        ("# only a comment\n", "0 lines"),
        ("ab" * 32 + "\n" + "cd" * 32 + "\n", "2 lines"),
        ("ab" * 31 + "\n", "not 64 hexadecimal"),
        ("00" * 32 + "\n", "not random"),
        ("x" * 5000, "larger than"),
    ],
)
def test_a_file_that_is_not_a_key_is_refused_without_showing_it(
    tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "k.key"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_key(path)
    assert words in str(caught.value)
    assert content.strip()[:20] not in str(caught.value) or not content.strip()[:20]


# --------------------------------------------------------------------------------------
# The sheet that leaves the provider
# --------------------------------------------------------------------------------------


def _local_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "referral_id": ["A1", "A2", "A3"],
            "Name": ["Ann O'Neil", "ANN ONEIL", "Bo Khan"],
            "Date of birth": ["07/03/1985", "1985-03-07", "31/12/2001"],
            "Postcode": ["le1 6th", "LE16TH", "LE2 1AA"],
            "outcome": ["accepted_supported", "pending", "pending"],
        }
    )


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_identifying_columns_are_one_declared_list() -> None:
    for heading in ("Name", "Date of Birth", "post-code", "Address line 1", "NHS number", "Mobile", "E-mail"):
        assert is_identifying(heading), heading
    for heading in ("referral_id", "household_id", "outcome", "date", "origin_area_code", "children"):
        assert not is_identifying(heading), heading
    assert {
        "name",
        "date_of_birth",
        "postcode",
        "address",
        "nhs_number",
        "phone",
        "email",
    } <= IDENTIFYING_COLUMNS


def test_the_table_drops_the_fields_and_places_household_id(tmp_path: Path) -> None:
    raw = read_local_sheet(_write_csv(_local_frame(), tmp_path / "local.csv"))
    table = pseudonymised_table(raw, KEY_A)
    assert list(table.columns) == ["referral_id", "household_id", "outcome"]
    assert table["household_id"][0] == table["household_id"][1] != table["household_id"][2]
    assert table["household_id"][0] == _one("Ann O'Neil", "1985-03-07", "LE1 6TH")


def test_an_identifying_column_that_is_not_a_field_is_refused_unless_dropped(tmp_path: Path) -> None:
    frame = _local_frame().assign(**{"Address line 1": ["1 High St", "1 High St", "2 Low Rd"]})
    raw = read_local_sheet(_write_csv(frame, tmp_path / "local.csv"))
    with pytest.raises(InputError, match="'Address line 1' identifies people"):
        pseudonymised_table(raw, KEY_A)
    assert "Address line 1" not in pseudonymised_table(raw, KEY_A, drop=["address line 1"]).columns


def test_a_cell_that_looks_like_an_email_or_postcode_is_refused(tmp_path: Path) -> None:
    frame = _local_frame().assign(notes=["", "call ann@example.org", ""])
    raw = read_local_sheet(_write_csv(frame, tmp_path / "local.csv"))
    with pytest.raises(DataValidationError) as caught:
        pseudonymised_table(raw, KEY_A)
    assert "row 3, column 'notes': holds an email address" in str(caught.value)
    assert "ann@example.org" not in str(caught.value)


def test_an_excel_date_cell_gives_the_same_id_as_typed_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "referrals"
    sheet.append(["referral_id", "name", "date_of_birth", "postcode"])
    sheet.append(["B1", "Ann O'Neil", dt.datetime(1985, 3, 7), "LE1 6TH"])
    sheet["C2"].number_format = "dd/mm/yyyy"
    book.save(tmp_path / "local.xlsx")
    raw = read_local_sheet(tmp_path / "local.xlsx")
    assert raw.source == "local.xlsx, sheet 'referrals'"
    table = pseudonymised_table(raw, KEY_A)
    assert table["household_id"][0] == _one("ann oneil", "07/03/1985", "le16th")


# --------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------


@pytest.fixture
def partnership(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "keys").mkdir()
    (tmp_path / "out").mkdir()
    key = tmp_path / "keys" / "partnership.key"
    assert main(["pseudonymise", "--new-key", str(key)]) == 0
    return {"key": key, "local": _write_csv(_local_frame(), tmp_path / "local.csv"), "out": tmp_path / "out"}


def test_command_writes_only_the_pseudonymised_sheet(
    partnership: dict, capsys: pytest.CaptureFixture
) -> None:
    capsys.readouterr()
    out = partnership["out"] / "referrals-refuge.csv"
    code = main(
        ["pseudonymise", str(partnership["local"]), "--key", str(partnership["key"]), "--out", str(out)]
    )
    assert code == 0
    captured = capsys.readouterr()
    written = pd.read_csv(out, dtype=str)
    assert list(written.columns) == ["referral_id", "household_id", "outcome"]
    assert not any(is_identifying(column) for column in written.columns)
    data = out.read_bytes().decode("utf-8")
    key_hex = read_key(partnership["key"]).hex()
    for secret in ("ONeil", "O'Neil", "Khan", "1985", "LE1", "LE16TH", key_hex, key_hex[:16]):
        assert secret.lower() not in data.lower()
        assert secret.lower() not in (captured.out + captured.err).lower()
    assert [path.name for path in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_command_writes_a_workbook_the_loader_reads(partnership: dict) -> None:
    out = partnership["out"] / "return.xlsx"
    assert (
        main(["pseudonymise", str(partnership["local"]), "--key", str(partnership["key"]), "--out", str(out)])
        == 0
    )
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["referrals"]
    assert [cell.value for cell in book["referrals"][1]] == ["referral_id", "household_id", "outcome"]


def test_same_person_at_two_providers_gets_one_id(partnership: dict, tmp_path: Path) -> None:
    """Provider B records the woman of provider A's rows 2 and 3 in a workbook, typed its own way:
    other headings (DOB, post code), capitals, an accent, a curly apostrophe, a date cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "my referrals"
    sheet.append(["referral_id", "Full name", "DOB", "post code", "outcome"])
    sheet.append(["B7", "ÁNN O’NEIL", dt.datetime(1985, 3, 7), "LE1  6TH", "pending"])
    sheet.append(["B8", "Cy Ward", dt.datetime(1979, 11, 30), "LE3 9ZZ", "pending"])
    book.save(tmp_path / "provider-b.xlsx")
    key = str(partnership["key"])
    a, b = partnership["out"] / "a.csv", partnership["out"] / "b.xlsx"
    assert main(["pseudonymise", str(partnership["local"]), "--key", key, "--out", str(a)]) == 0
    assert main(["pseudonymise", str(tmp_path / "provider-b.xlsx"), "--key", key, "--out", str(b)]) == 0
    ids_a = pd.read_csv(a, dtype=str)["household_id"].tolist()
    ids_b = [row[1] for row in openpyxl.load_workbook(b)["referrals"].iter_rows(min_row=2, values_only=True)]
    assert ids_b[0] == ids_a[0] == ids_a[1]
    assert len({*ids_a, *ids_b}) == 3  # Ann, Bo (provider A only) and Cy (provider B only)


@pytest.mark.parametrize(
    "arguments, words",
    [
        (["--out", "{out}/x.txt"], "ending .csv or .xlsx"),
        (["--out", "{keys}/x.csv"], "holds the key"),
        (["--out", "{top}/x.csv"], "holds the key"),  # the key is in a folder below
        (["--out", "{local}"], "the input or the key"),
        (["--out", "{out}/x.csv", "--fields", "name,nhs_number"], "no column for the field 'nhs_number'"),
    ],
)
def test_command_refusals_exit_2_with_a_message(
    partnership: dict, capsys: pytest.CaptureFixture, arguments: list[str], words: str
) -> None:
    top = partnership["key"].parent.parent
    names = {"out": partnership["out"], "keys": top / "keys", "top": top, "local": partnership["local"]}
    filled = [argument.format(**names) for argument in arguments]
    capsys.readouterr()
    code = main(["pseudonymise", str(partnership["local"]), "--key", str(partnership["key"]), *filled])
    assert code == 2
    assert words in capsys.readouterr().err
    assert list(partnership["out"].iterdir()) == []
    assert sorted(path.name for path in top.iterdir()) == ["keys", "local.csv", "out"]


def test_an_output_below_the_keys_folder_is_allowed(partnership: dict) -> None:
    out = partnership["key"].parent / "returns" / "x.csv"
    assert (
        main(["pseudonymise", str(partnership["local"]), "--key", str(partnership["key"]), "--out", str(out)])
        == 0
    )
    assert out.exists()


def test_command_refuses_an_identifying_column_and_a_bad_date(
    partnership: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    key, out = str(partnership["key"]), str(partnership["out"] / "x.csv")
    phone = _write_csv(_local_frame().assign(phone=["0116 000 0000"] * 3), tmp_path / "phone.csv")
    capsys.readouterr()
    assert main(["pseudonymise", str(phone), "--key", key, "--out", out]) == 2
    assert "'phone' identifies people" in capsys.readouterr().err
    bad = _write_csv(
        _local_frame().assign(**{"Date of birth": ["07/03/85", "", "1990-01-01"]}), tmp_path / "bad.csv"
    )
    assert main(["pseudonymise", str(bad), "--key", key, "--out", out]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column 'Date of birth': the year has two digits" in err
    assert "bad.csv, row 3, column 'Date of birth': blank" in err
    assert "07/03/85" not in err
    assert list(partnership["out"].iterdir()) == []


def test_command_needs_its_arguments_and_new_key_alone(
    partnership: dict, capsys: pytest.CaptureFixture
) -> None:
    capsys.readouterr()
    assert main(["pseudonymise", str(partnership["local"])]) == 2
    assert "give --key, --out" in capsys.readouterr().err
    assert main(["pseudonymise", "--new-key", str(partnership["key"])]) == 2
    assert "never overwritten" in capsys.readouterr().err
    assert main(["pseudonymise", str(partnership["local"]), "--new-key", "k2.key"]) == 2


def test_command_uses_the_readers_limits(partnership: dict, capsys: pytest.CaptureFixture) -> None:
    out = partnership["out"] / "x.csv"
    arguments = [str(partnership["local"]), "--key", str(partnership["key"]), "--out", str(out)]
    capsys.readouterr()
    assert main(["pseudonymise", *arguments, "--limit", "file_bytes=50"]) == 2
    assert "--limit file_bytes=N" in capsys.readouterr().err
    assert main(["pseudonymise", *arguments, "--limit", "rows=2"]) == 2
    assert "--limit rows=N" in capsys.readouterr().err


def test_command_warns_of_a_key_others_can_read(partnership: dict, capsys: pytest.CaptureFixture) -> None:
    partnership["key"].chmod(0o644)
    out = partnership["out"] / "x.csv"
    capsys.readouterr()
    assert (
        main(["pseudonymise", str(partnership["local"]), "--key", str(partnership["key"]), "--out", str(out)])
        == 0
    )
    assert "chmod 600" in capsys.readouterr().err


def test_command_warns_of_the_demonstration_key(partnership: dict, capsys: pytest.CaptureFixture) -> None:
    out = partnership["out"] / "x.csv"
    capsys.readouterr()
    assert (
        main(["pseudonymise", str(partnership["local"]), "--key", str(DEMO_KEY_FILE), "--out", str(out)]) == 0
    )
    assert "DEMONSTRATION key" in capsys.readouterr().err


def test_the_whole_workflow_from_the_councils_workbook_to_the_loaded_dataset(tmp_path: Path) -> None:
    """The council makes FreeVa's workbook; FreeVa keeps its local copy with three identifying
    columns added on the right (the grey example row left in place), pseudonymises it with the
    demonstration key, and returns the output, which the council loads with the example's other
    tables. The provider's name travels in the returned workbook's About sheet."""
    council = tmp_path / "council"
    shutil.copytree(EXAMPLE, council)
    for referrals in [council / "referrals.csv", *council.glob("referrals-*.xlsx")]:
        referrals.unlink()  # the example's own referrals: this council has only FreeVa's return
    made = write_provider_template(tmp_path / "freeva.xlsx", needs.load(EXAMPLE), "FreeVa")
    book = openpyxl.load_workbook(made)
    sheet = book["referrals"]
    header = [cell.value for cell in sheet[1]]
    width = len(header)
    for position, heading in enumerate(["name", "date_of_birth", "postcode"], start=width + 1):
        sheet.cell(row=1, column=position, value=heading)
    example = schema.example_row("referrals")
    people = [
        ("Ann O'Neil", "07/03/1985", "LE1 6TH", "S07"),
        ("ann oneil", dt.datetime(1985, 3, 7), "le16th", "S09"),
    ]
    for offset, (name, dob, postcode, service) in enumerate(people, start=3):  # below the example row
        record = {**example, "referral_id": f"F{offset}", "household_id": None, "service_id": service,
                  "origin_area_code": "E07000129", "date": dt.datetime(2023, 5, offset)}  # fmt: skip
        for position, column in enumerate(header, start=1):
            sheet.cell(row=offset, column=position, value=record[column] if record[column] != "" else None)
        for position, value in enumerate([name, dob, postcode], start=width + 1):
            sheet.cell(row=offset, column=position, value=value)
    book.save(tmp_path / "local.xlsx")
    out = council / "freeva-return.xlsx"
    assert (
        main(["pseudonymise", str(tmp_path / "local.xlsx"), "--key", str(DEMO_KEY_FILE), "--out", str(out)])
        == 0
    )
    returned = openpyxl.load_workbook(out)
    assert returned.sheetnames == ["About", "referrals"]
    assert returned["About"]["B2"].value == "FreeVa" and PROVIDER_NAME in returned.defined_names
    assert [cell.value for cell in returned["referrals"][1]] == header  # identifying columns gone
    dataset = needs.load(council)
    referrals = dataset.tables["referrals"]
    assert referrals["referral_id"].tolist() == ["F3", "F4"]
    assert referrals["household_id"].nunique() == 1
    assert referrals["household_id"].iloc[0] == _one(
        "Ann O'Neil", "1985-03-07", "LE1 6TH", read_key(DEMO_KEY_FILE)
    )
