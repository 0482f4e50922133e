"""Ethnic group with White: Gypsy or Irish Traveller and White: Roma apart from Other White
(issue 13, item 7): the code list, the example's derived 16+ counts and the retired code."""

from __future__ import annotations

import importlib.util
import shutil

import pandas as pd
import pytest
from fixtures import ROOT, TEST_DATA

from needs.cli import main
from needs.reference import categories as cat

EXAMPLE = ROOT / "data" / "example"
REFERENCE = ROOT / "data" / "reference"
SUBGROUPS = ["white_gypsy_irish_traveller", "white_roma", "white_other"]
RETIRED = "white_gypsy_roma_other"


def build_example():
    """``data/build_example.py`` as a module (a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("build_example", ROOT / "data" / "build_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_code_list_has_the_three_groups_with_census_19_category_labels():
    codes = cat.ETHNIC_GROUPS.codes
    assert RETIRED not in codes
    assert codes[codes.index("white_irish") + 1 : codes.index("other")] == tuple(SUBGROUPS)
    assert [cat.ETHNIC_GROUPS.label(c) for c in SUBGROUPS] == [
        "White: Gypsy or Irish Traveller",
        "White: Roma",
        "White: Other White",
    ]
    assert tuple(SUBGROUPS) == cat.WHITE_OTHER_SUBGROUPS
    assert cat.GYPSY_ROMA_TRAVELLER == ("white_gypsy_irish_traveller", "white_roma")


def test_example_subgroups_sum_to_the_8_category_16plus_count():
    """Worked from the reference file directly: RM125 category 6 summed over the sexual-orientation
    cross only (never the gender-identity cross), per area."""
    rm125 = pd.read_csv(
        REFERENCE / "census2021_ethnic_group_8cat_by_sexual_orientation_or_gender_identity_ltla_16plus.csv"
    )
    rm125 = rm125[
        rm125["crossed_with_variable"].str.startswith("Sexual orientation") & (rm125["category_code"] == 6)
    ]
    merged = rm125.groupby("area_code")["count"].sum()
    chars = pd.read_csv(EXAMPLE / "characteristics.csv")
    chars = chars[(chars["characteristic"] == "ethnic_group") & chars["category"].isin(SUBGROUPS)]
    split = chars.pivot(index="area_code", columns="category", values="count")
    districts = [f"E070001{n}" for n in range(29, 36)]
    assert set(districts) <= set(split.index)
    assert split.notna().all().all()
    pd.testing.assert_series_equal(split.sum(axis=1), merged.reindex(split.index), check_names=False)
    assert RETIRED not in set(pd.read_csv(EXAMPLE / "characteristics.csv")["category"])
    # No local relative prevalence: the package's national CSEW weights apply to every category.
    weights = pd.read_csv(EXAMPLE / "characteristics.csv")["relative_prevalence"]
    assert weights.isna().all()


def test_example_split_hand_worked_for_blaby():
    """Blaby (E07000129): 2,821 residents 16+ in the merged group; all ages 90 Gypsy or Irish
    Traveller, 55 Roma, 3,301 Other White (sum 3,446). 2821 x (90, 55, 3301) / 3446 =
    (73.68, 45.02, 2702.30): floors sum to 2,820, so the one left goes to the largest
    remainder (0.68, Gypsy or Irish Traveller): 74, 45, 2,702."""
    chars = pd.read_csv(EXAMPLE / "characteristics.csv")
    blaby = chars[(chars["area_code"] == "E07000129") & chars["category"].isin(SUBGROUPS)]
    assert blaby.set_index("category")["count"].reindex(SUBGROUPS).tolist() == [74, 45, 2702]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        # 100 x (90, 55, 3301) / 3446 = (2.612, 1.596, 95.793): floors 98, two left for the
        # largest remainders 0.793 (Other White) and 0.612 (Gypsy or Irish Traveller).
        (100, [3, 1, 96]),
        # 10 x ... = (0.261, 0.160, 9.579): floors 9, one left for Other White (0.579).
        (10, [0, 0, 10]),
        (0, [0, 0, 0]),
    ],
)
def test_split_white_other_rounds_by_largest_remainder(count, expected):
    module = build_example()
    ethnic = pd.DataFrame(
        {
            "area_code": ["E07000129", "E07000129"],
            "characteristic": "ethnic_group",
            "category": ["asian", module.WHITE_OTHER_8CAT],
            "count": [7, count],
            "source": "test",
        }
    )
    out = module.split_white_other(ethnic)
    assert out.loc[out["category"] == "asian", "count"].tolist() == [7]
    assert out.set_index("category")["count"].reindex(SUBGROUPS).tolist() == expected
    assert module.WHITE_OTHER_8CAT not in set(out["category"])


def test_england_profile_has_table_1b_counts_of_the_three_groups():
    profile = pd.read_csv(
        ROOT / "needs" / "reference" / "resources" / "england_census2021_16plus_profile.csv"
    )
    ethnic = profile[profile["characteristic"] == "ethnic_group"].set_index("category")["count"]
    # ONS C21_SO_FURTHER_CHAR Table 1b, England, usual residents 16+.
    assert ethnic.reindex(SUBGROUPS).tolist() == [44_793, 81_540, 3_042_705]
    assert RETIRED not in ethnic.index


@pytest.mark.parametrize(
    ("table", "column"), [("referrals", "ethnic_group"), ("characteristics", "category")]
)
def test_retired_code_is_refused_naming_the_three_new_codes(tmp_path, capsys, table, column):
    folder = tmp_path / "data"
    shutil.copytree(TEST_DATA / "valid_minimal", folder)
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    row = 0 if table == "referrals" else 1  # characteristics row 1 is an ethnic_group row
    frame.loc[row, column] = RETIRED
    frame.to_csv(folder / f"{table}.csv", index=False)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if RETIRED in line]
    assert lines, err
    assert f"{table}.csv" in lines[0] and f"row {row + 2}" in lines[0]
    assert (
        "is no longer used: it was split into 'white_gypsy_irish_traveller', 'white_roma' or 'white_other'"
        in (lines[0])
    )
