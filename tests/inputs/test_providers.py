"""Many providers' files per table: stacked, ids namespaced, repeats loaded once, households once.

The folder of :func:`three_providers` is the minimal valid fixture (``tests/data/valid_minimal``)
with its ``referrals.csv`` replaced by three providers' workbooks, each with a ``referrals``
sheet (rows taken from the fixture's referrals, worked by hand below):

============================  ==========================  ======================================
workbook (provider from)      rows (referral_id, household, service, outcome, support)
============================  ==========================  ======================================
``refuge-a.xlsx``             A1 ``R000001`` H000001 S01 supported 2023-05-10 to 2023-09-01, 1 child
(defined name ``provider``:   A2 ``R000002`` H000001 S01 unable to support (capacity), 2 children
"Refuge A")
``juniper-returns.xlsx``      B1 ``R000001`` H000002 S02 supported 2023-08-21 (open), 0 children
(About row: "Juniper Lodge")  B2 ``R000002`` H000001 S02 supported 2023-07-02 to 2023-10-01, 1 child
``referrals-outreach.xlsx``   C1 = A2 exactly (the same record supplied twice)
(file name: "outreach")       C2 ``R000005`` H000003 S02 supported 2022-12-01 to 2023-06-30, 2 children
============================  ==========================  ======================================

By hand: 6 rows supplied, C1 dropped as a repeat of A2, so 5 referrals load, with ids
``Refuge A:R000001``, ``Refuge A:R000002``, ``Juniper Lodge:R000001``, ``Juniper Lodge:R000002``,
``outreach:R000005`` (the two providers' ``R000001`` and ``R000002`` clash). In 2023-24 (1 April
2023 to 31 March 2024) three households are supported: H000001 (at Refuge A's refuge S01 and at
Juniper Lodge's outreach S02, one household), H000002 and H000003 (support to 2023-06-30). Both
services are in Leicestershire (E10000018; S01 in Charnwood, S02 in Blaby). Children: H000001
the larger of 1 and 1 = 1, H000002 0, H000003 2: 3 children, 3 + 3 = 6 individuals. Counted by
provider instead, H000001 would count twice (4 households, 7 individuals). In safe accommodation
(S01, a refuge): H000001 only, 1 household, 1 child; in community-based support (S02): all three.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import TEST_DATA
from openpyxl.workbook.defined_name import DefinedName

import needs
from needs.assessment.counting import households_supported, referrals_in_context
from needs.errors import DataValidationError
from needs.inputs.text_columns import table_and_provider
from needs.outputs.annual_return import build_return
from needs.publish.data_quality import data_quality, provider_rows

FIXTURE = TEST_DATA / "valid_minimal"
AREA, PERIOD = "E10000018", "2023-24"


def fixture_referrals() -> pd.DataFrame:
    return pd.read_csv(FIXTURE / "referrals.csv", dtype=str, keep_default_na=False)


def write_workbook(
    path: Path,
    sheets: dict[str, pd.DataFrame],
    provider: str | None = None,
    *,
    defined_name: bool = False,
) -> Path:
    """A provider's workbook: an About sheet (with a ``Provider | name`` row, and the cell named
    ``provider`` when ``defined_name``), then one sheet per table, every cell as text."""
    workbook = openpyxl.Workbook()
    about = workbook.active
    about.title = "About"
    about.append(["Domestic abuse safe accommodation: data collection template"])
    if provider is not None:
        about.append(["Provider", provider])
        if defined_name:
            workbook.defined_names["provider"] = DefinedName("provider", attr_text="About!$B$2")
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([value if value != "" else None for value in row])
    workbook.save(path)
    return path


def three_providers(tmp_path: Path) -> Path:
    """The folder described in the module's documentation."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    (folder / "referrals.csv").unlink()
    rows = fixture_referrals()
    a = rows.iloc[[0, 1]].copy()
    b1 = rows.iloc[[2]].assign(referral_id="R000001")
    b2 = rows.iloc[[0]].assign(
        referral_id="R000002",
        date="2023-07-01",
        service_id="S02",
        support_start="2023-07-02",
        support_end="2023-10-01",
        end_reason="no_longer_needed",
    )
    c = pd.concat([rows.iloc[[1]], rows.iloc[[4]]])
    write_workbook(folder / "refuge-a.xlsx", {"referrals": a}, "Refuge A", defined_name=True)
    write_workbook(folder / "juniper-returns.xlsx", {"referrals": pd.concat([b1, b2])}, "Juniper Lodge")
    write_workbook(folder / "referrals-outreach.xlsx", {"referrals": c})
    return folder


# --- file names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("referrals", ("referrals", "")),
        ("Referrals", ("referrals", "")),
        ("referrals-refuge-a", ("referrals", "refuge-a")),
        ("referrals_Refuge A", ("referrals", "Refuge A")),
        ("women's-aid-referrals", ("referrals", "women's-aid")),
        ("population-projection-x", ("population_projection", "x")),
        ("population_projection", ("population_projection", "")),
        ("population-x", ("population", "x")),
        ("refuge-a", (None, "refuge-a")),
        ("x-referrals-y", (None, "x-referrals-y")),
    ],
)
def test_a_file_name_gives_its_table_and_provider(stem, expected):
    assert table_and_provider(stem) == expected


# --- three providers' workbooks -------------------------------------------------------------


def test_three_providers_load_into_one_dataset(tmp_path):
    dataset = needs.load(three_providers(tmp_path))
    referrals = dataset.referrals
    assert len(referrals) == 5  # 6 supplied, one supplied twice
    assert referrals["referral_id"].astype(str).tolist() == [
        "Juniper Lodge:R000001",  # sources in file-name order: juniper, referrals-outreach, refuge-a
        "Juniper Lodge:R000002",
        "outreach:R000002",  # outreach's copy of Refuge A's R000002 comes first, so it is kept
        "outreach:R000005",
        "Refuge A:R000001",
    ]
    # household ids are never namespaced
    assert sorted(referrals["household_id"].astype(str).unique()) == ["H000001", "H000002", "H000003"]
    providers = pd.Series(dataset.providers["referrals"]).astype(str).tolist()
    assert providers == ["Juniper Lodge", "Juniper Lodge", "outreach", "outreach", "Refuge A"]
    provenance = dataset.provenance.set_index("source")
    sheet = ", sheet 'referrals'"
    assert provenance.loc[f"refuge-a.xlsx{sheet}", "provider"] == "Refuge A"
    assert provenance.loc[f"juniper-returns.xlsx{sheet}", "provider"] == "Juniper Lodge"
    assert provenance.loc[f"referrals-outreach.xlsx{sheet}", "provider"] == "outreach"
    assert provenance.loc[
        [f"juniper-returns.xlsx{sheet}", f"referrals-outreach.xlsx{sheet}", f"refuge-a.xlsx{sheet}"], "rows"
    ].tolist() == [2, 2, 2]
    assert provenance.loc[f"refuge-a.xlsx{sheet}", "duplicates"] == 1
    assert provenance["duplicates"].sum() == 1


def test_a_repeated_row_is_a_warning_naming_both_files_and_rows(tmp_path):
    dataset = needs.load(three_providers(tmp_path))
    repeated = [text for text in dataset.warnings if "supplied twice" in text]
    assert repeated == [
        "refuge-a.xlsx, sheet 'referrals', row 3: the same row as referrals-outreach.xlsx, sheet "
        "'referrals' row 2 (every column equal except referral_id): supplied twice, loaded once"
    ]
    assert ("duplicate_row", "referrals") in dataset.warning_kinds


def test_a_household_seen_by_two_providers_counts_once_in_the_assessment(tmp_path):
    dataset = needs.load(three_providers(tmp_path))
    totals = households_supported(referrals_in_context(dataset), PERIOD)
    assert totals[["households", "children", "individuals"]].iloc[0].tolist() == [3, 3, 6]
    supported = needs.assess(dataset, AREA, PERIOD).supported.set_index("scope")
    assert supported.loc["all", ["households", "children", "individuals"]].tolist() == [3, 3, 6]
    assert supported.loc["safe_accommodation", ["households", "children", "individuals"]].tolist() == [
        1,
        1,
        2,
    ]
    assert supported.loc["community", ["households", "children", "individuals"]].tolist() == [3, 3, 6]


def test_a_household_seen_by_two_providers_counts_once_in_the_annual_return(tmp_path):
    dataset = needs.load(three_providers(tmp_path))
    households = build_return(dataset, AREA, PERIOD)["households"]
    total = households[households["code"] == "total"]
    assert total["value"].tolist()[0] == 3
    individuals = build_return(dataset, AREA, PERIOD)["individuals"]
    assert individuals.loc[individuals["code"] == "total", "value"].tolist()[0] == 6


def test_every_message_names_file_sheet_row_and_column(tmp_path):
    folder = three_providers(tmp_path)
    workbook = openpyxl.load_workbook(folder / "juniper-returns.xlsx")
    sheet = workbook["referrals"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("service_id") + 1, value="S1")  # a typo of S01
    sheet.cell(row=3, column=header.index("outcome") + 1, value="acepted_supported")
    sheet.cell(row=3, column=header.index("referral_id") + 1, value="R000001")  # twice in one source
    workbook.save(folder / "juniper-returns.xlsx")
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    errors = [issue for issue in caught.value.issues if issue.severity == "error"]
    assert len(errors) == 3
    for issue in errors:
        assert issue.file == "juniper-returns.xlsx, sheet 'referrals'"
        assert issue.row is not None and issue.column is not None
    text = str(caught.value)
    assert (
        "juniper-returns.xlsx, sheet 'referrals', row 2, column 'service_id': found 'S1'; expected a "
        "service_id listed in services.csv; did you mean 'S01'?"
    ) in text
    assert "row 3, column 'outcome': found 'acepted_supported'" in text
    assert "(did you mean 'accepted_supported'?)" in text
    assert "duplicate referral_id 'Juniper Lodge:R000001' on rows 2, 3" in text
    for warning in needs.load(three_providers(tmp_path / "again")).warnings:
        assert ", sheet '" in warning and ", row " in warning


def test_a_service_supplied_twice_with_different_values_is_an_error_naming_both(tmp_path):
    folder = three_providers(tmp_path)
    services = pd.read_csv(FIXTURE / "services.csv", dtype=str, keep_default_na=False)
    changed = services.iloc[[0]].assign(units="9")
    write_workbook(folder / "refuge-b.xlsx", {"services": changed}, "Refuge B")
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    assert (
        "refuge-b.xlsx, sheet 'services', row 2, column 'service_id': duplicate service_id 'S01' on "
        "services.csv row 2, refuge-b.xlsx, sheet 'services' row 2 with different values (column "
        "'units': '8' and '9'); each service_id must appear only once"
    ) in str(caught.value)


def test_a_service_supplied_twice_alike_is_loaded_once(tmp_path):
    folder = three_providers(tmp_path)
    services = pd.read_csv(FIXTURE / "services.csv", dtype=str, keep_default_na=False)
    write_workbook(folder / "refuge-b.xlsx", {"services": services.iloc[[0]]}, "Refuge B")
    dataset = needs.load(folder)
    assert dataset.services["service_id"].astype(str).tolist() == ["S01", "S02"]
    assert (
        "refuge-b.xlsx, sheet 'services', row 2: the same row as services.csv row 2 (every column "
        "equal): supplied twice, loaded once"
    ) in dataset.warnings


# --- CSV files of several providers ------------------------------------------------------------


def test_csv_files_per_provider_and_the_councils_own_file(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    rows = fixture_referrals()
    rows.iloc[:4].to_csv(folder / "referrals.csv", index=False)  # the council's own: ids kept
    rows.iloc[4:].to_csv(folder / "women's-aid-referrals.csv", index=False)
    rows.iloc[[0]].assign(household_id="H000009").to_csv(folder / "referrals_juniper.csv", index=False)
    dataset = needs.load(folder)
    assert dataset.referrals["referral_id"].astype(str).tolist() == [
        "R000001", "R000002", "R000003", "R000004",
        "juniper:R000001",  # then file-name order: referrals_juniper, women's-aid-referrals
        "women's-aid:R000005", "women's-aid:R000006",
    ]  # fmt: skip
    assert not dataset.warnings


def test_a_single_file_folder_is_unchanged():
    dataset = needs.load(FIXTURE)
    assert dataset.referrals["referral_id"].astype(str).tolist() == [f"R00000{n}" for n in range(1, 7)]
    assert set(dataset.provenance["provider"]) == {""}
    assert provider_rows(dataset) is None
    assert "Rows of input tables by provider" not in data_quality(dataset).markup


# --- "did you mean" ---------------------------------------------------------------------------


def test_a_mistyped_area_code_gets_the_nearest(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    rows = fixture_referrals()
    rows.loc[0, "origin_area_code"] = "E07000310"  # Charnwood is E07000130
    rows.to_csv(folder / "referrals.csv", index=False)
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    assert (
        "referrals.csv, row 2, column 'origin_area_code': found 'E07000310'; expected an area_code "
        "listed in areas.csv; did you mean 'E07000130'"
    ) in str(caught.value)


def test_nothing_near_gets_no_suggestion(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    rows = fixture_referrals()
    rows.loc[0, "service_id"] = "XYZ-999"
    rows.to_csv(folder / "referrals.csv", index=False)
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    assert "found 'XYZ-999'; expected a service_id listed in services.csv\n" in str(caught.value) + "\n"
    assert "did you mean" not in str(caught.value)


# --- the data-quality table ---------------------------------------------------------------------


def test_rows_by_provider_in_the_data_quality_section(tmp_path):
    dataset = needs.load(three_providers(tmp_path))
    # rows 2, 2, 2; supplied twice 0, 0, 1; rows with warnings 0, 0, 1 (Refuge A's repeated row)
    shown = provider_rows(dataset, suppress_below=1)  # nothing hidden
    assert shown.frame.to_dict("records") == [
        {"Table": "referrals", "Provider": provider, "Rows supplied": "2",
         "Supplied twice (loaded once)": dup, "Rows with warnings": warned}
        for provider, dup, warned in (("Juniper Lodge", "0", "0"), ("outreach", "0", "0"),
                                      ("Refuge A", "1", "1"))
    ]  # fmt: skip
    # threshold 2: the 1s are hidden, and with them every count of their columns, zeros too
    table = provider_rows(dataset, suppress_below=2)
    assert table.frame["Rows supplied"].tolist() == ["2", "2", "2"]
    assert table.frame["Supplied twice (loaded once)"].tolist() == ["[c]"] * 3
    assert table.frame["Rows with warnings"].tolist() == ["[c]"] * 3
    hidden = provider_rows(dataset, suppress_below=3)  # rows of 2 are hidden too
    assert hidden.frame["Rows supplied"].tolist() == ["[c]"] * 3
    markup = data_quality(dataset, suppress_below=3).markup
    assert "Rows of input tables by provider" in markup
    assert "Juniper Lodge" in markup and "Refuge A" in markup
    assert "xlsx" not in markup  # no file or sheet name is published
    assert (
        "Rows supplied again by a second provider were loaded once: 1 row in 1 table (referrals)." in markup
    )
