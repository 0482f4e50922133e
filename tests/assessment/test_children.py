"""Tests for needs.assessment.children on a hand-listed dataset; expected values worked out by hand.

The areas and services of ``tests/fixtures.py`` (Shire: S1 refuge and S4 dispersed
refuge-level accommodation in Northton, S2 community advocacy in Southby; Neighbourton: S3
refuge), with these referrals instead (period 2024-25; "sons" is ``need_older_sons``,
"large" the ``need_large_family`` flag):

=====  ====  ==========  =======  =================  ========  =====  =========  =====  ===================
ref    hh    date        service  outcome            children  age    sons       large  support
=====  ====  ==========  =======  =================  ========  =====  =========  =====  ===================
R1     H1    2024-05-01  S2       unable_to_support         2  25-34  yes        no     -
R2     H1    2024-06-01  S2       accepted                  3  25-34  no         no     2024-06-10.. open
R3     H2    2024-04-10  S1       accepted                  1  20-24  yes        no     2024-04-15..08-01
R4     H2    2024-09-01  S2       accepted                  1  20-24  not_known  no     2024-09-05.. open
R5     H3    2024-07-01  S1       unable_to_support         2  20-24  yes        no     -
R6     H4    2024-07-05  S4       unable_to_support         0  16-19  no         no     -
R7     H4    2024-08-01  S3       accepted                  0  16-19  no         no     2024-08-02.. open
R8     H5    2024-02-01  S1       accepted                  4  45-54  yes        no     2024-02-10..05-01
R9     H6    2024-10-01  S2       withdrawn                 1  (n/k)  no         yes    -
=====  ====  ==========  =======  =================  ========  =====  =========  =====  ===================

So in Shire: H1 is referred twice to the community service with 2 then 3 children (3
children, once); H2 is supported in refuge and then in community support (under each type
and each scope, once in all); H3 could not be supported anywhere (unmet, 2 children); H4 was
turned away by S4 but supported in Neighbourton (not unmet); H5 was referred in 2023-24 and
supported into 2024-25 (supported, not referred); H6 is a large family by its flag.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from fixtures import NEIGHBOUR, NORTHTON, SHIRE, SOUTHBY

import needs
from needs.assessment.children import (
    COUNT_COLUMNS,
    RETURN_COLUMNS,
    RETURN_LINES,
    children_and_young_people,
    children_return_section,
)
from needs.assessment.counting import households_supported, referrals_in_context
from needs.assessment.referrals import unmet_households
from needs.outputs.annual_return import SECTION_COLUMNS, build_return
from needs.reference.categories import ADDITIONAL_NEEDS, need_column

PERIOD = "2024-25"

# fmt: off
_ROWS = [
    ("R1", "H1", "2024-05-01", "S2", SOUTHBY, "unable_to_support", 2, "25-34", "yes", "no", None, None),
    ("R2", "H1", "2024-06-01", "S2", SOUTHBY, "accepted_supported", 3, "25-34", "no", "no", "2024-06-10", None),
    ("R3", "H2", "2024-04-10", "S1", NORTHTON, "accepted_supported", 1, "20-24", "yes", "no", "2024-04-15",
     "2024-08-01"),
    ("R4", "H2", "2024-09-01", "S2", NORTHTON, "accepted_supported", 1, "20-24", "not_known", "no", "2024-09-05",
     None),
    ("R5", "H3", "2024-07-01", "S1", NORTHTON, "unable_to_support", 2, "20-24", "yes", "no", None, None),
    ("R6", "H4", "2024-07-05", "S4", SOUTHBY, "unable_to_support", 0, "16-19", "no", "no", None, None),
    ("R7", "H4", "2024-08-01", "S3", SOUTHBY, "accepted_supported", 0, "16-19", "no", "no", "2024-08-02", None),
    ("R8", "H5", "2024-02-01", "S1", NORTHTON, "accepted_supported", 4, "45-54", "yes", "no", "2024-02-10",
     "2024-05-01"),
    ("R9", "H6", "2024-10-01", "S2", SOUTHBY, "withdrawn_by_referrer", 1, "not_known", "no", "yes", None, None),
]
# fmt: on


def _dataset(tiny):
    rows = pd.DataFrame(
        _ROWS,
        columns=[
            "referral_id", "household_id", "date", "service_id", "origin_area_code", "outcome", "children",
            "age_band", need_column("older_sons"), need_column("large_family"), "support_start", "support_end",
        ],
    )  # fmt: skip
    for column in ("date", "support_start", "support_end"):
        rows[column] = pd.to_datetime(rows[column])
    unable = rows["outcome"] == "unable_to_support"
    rows["decline_reason"] = unable.map({True: "no_capacity_space", False: None})
    for column, value in (
        ("sex", "female"),
        ("ethnic_group", "white_british"),
        ("religion", "not_known"),
        ("sexual_orientation", "heterosexual"),
        ("gender_identity", "same_as_birth_sex"),
        ("disability", "not_disabled"),
        ("pregnant", "no"),
        ("end_reason", None),
    ):
        rows[column] = value
    for code in ADDITIONAL_NEEDS:
        if need_column(code) not in rows:
            rows[need_column(code)] = "no"
    rows["children"] = rows["children"].astype("int64")
    return dataclasses.replace(tiny, tables={**tiny.tables, "referrals": rows})


@pytest.fixture
def data(tiny):
    return _dataset(tiny)


@pytest.fixture
def part(data):
    return children_and_young_people(data, PERIOD)


def _row(part, scope="all", kind="all", characteristic="all", category="all", area=SHIRE) -> dict:
    match = part[
        (part["area_code"] == area)
        & (part["scope"] == scope)
        & (part["accommodation_type"] == kind)
        & (part["characteristic"] == characteristic)
        & (part["category"] == category)
    ]
    assert len(match) == 1, (scope, kind, characteristic, category)
    return {column: int(match[column].iloc[0]) for column in COUNT_COLUMNS}


def _counts(*values: int) -> dict:
    return dict(zip(COUNT_COLUMNS, values, strict=True))


def test_all_services_count_each_household_once_with_its_largest_children(part):
    # Referred: H1 (3 children, the larger of 2 and 3), H2 (1), H3 (2), H4 (0), H6 (1);
    # supported: H1 (3), H2 (1), H5 (4); unmet: H3 (2) only (H1 and H4 were supported).
    assert _row(part) == _counts(5, 7, 3, 8, 1, 2)


def test_a_household_supported_by_two_types_appears_under_each(part):
    assert _row(part, "safe_accommodation", "refuge") == _counts(2, 3, 2, 5, 1, 2)  # H2, H3 / H2, H5
    assert _row(part, "community", "not_accommodation") == _counts(3, 5, 2, 4, 0, 0)  # H1, H2, H6 / H1, H2
    assert _row(part, "safe_accommodation") == _counts(3, 3, 2, 5, 1, 2)  # + H4 referred to S4
    assert _row(part, "community") == _counts(3, 5, 2, 4, 0, 0)
    # H2's child is in both types (5 + 4 = 9) but once in all services (8).
    assert _row(part)["children_supported"] == 8


def test_turned_away_but_supported_elsewhere_is_not_unmet(part):
    assert _row(part, "safe_accommodation", "dispersed_refuge_level") == _counts(1, 0, 0, 0, 0, 0)


def test_groups_of_households_take_the_most_recent_referral_of_the_group(part):
    # Supported: latest supported referrals R2 (no), R4 (not known), R8 (yes).
    assert _row(part, characteristic="need_older_sons", category="yes")["households_supported"] == 1
    assert _row(part, characteristic="need_older_sons", category="not_known")["households_supported"] == 1
    # In refuge H2's latest supported referral is R3 (yes): H2 and H5, with 1 + 4 children.
    refuge = _row(part, "safe_accommodation", "refuge", "need_older_sons", "yes")
    assert (refuge["households_supported"], refuge["children_supported"]) == (2, 5)
    # Referred: latest R2 (no), R4 (not known), R5 (yes), R6 (no), R9 (no).
    sons = [
        _row(part, characteristic="need_older_sons", category=c)["households_referred"] for c in ("yes", "no")
    ]
    assert sons == [1, 3]
    assert _row(part, characteristic="need_older_sons", category="yes")["households_unmet"] == 1  # H3


def test_large_families_by_flag_or_three_children_and_young_victims(part):
    large = _row(part, characteristic="large_family", category="yes")
    # Referred: H1 (3 children) and H6 (flag); supported: H1 and H5 (4 children).
    assert (large["households_referred"], large["households_supported"]) == (2, 2)
    assert (large["children_referred"], large["children_supported"]) == (4, 7)
    young = _row(part, characteristic="young_victim", category="yes")
    # Referred H2, H3 (20-24), H4 (16-19); supported H2; unmet H3.
    assert young == _counts(3, 3, 1, 1, 1, 2)
    with_children = _row(part, characteristic="with_children", category="yes")
    assert with_children == _counts(4, 7, 3, 8, 1, 2)


def test_categories_add_up_to_their_total(part):
    keys = ["area_code", "scope", "accommodation_type"]
    totals = part[part["characteristic"] == "all"].set_index(keys)[list(COUNT_COLUMNS)]
    groups = part[part["characteristic"] != "all"]
    for _, frame in groups.groupby("characteristic"):
        sums = frame.groupby(keys)[list(COUNT_COLUMNS)].sum()
        pd.testing.assert_frame_equal(sums.sort_index(), totals.loc[sums.index].sort_index())


def test_totals_are_the_counting_rules(data, part):
    context = referrals_in_context(data)
    by_area = households_supported(context, PERIOD, by=["host_tier_one"]).set_index("host_tier_one")
    unmet = unmet_households(data, PERIOD).set_index("area_code")
    for area in (SHIRE, NEIGHBOUR):
        row = _row(part, area=area)
        assert row["households_supported"] == by_area.loc[area, "households"]
        assert row["children_supported"] == by_area.loc[area, "children"]
        assert row["households_unmet"] == unmet.loc[area, "households_unmet"]
        assert row["households_referred"] == unmet.loc[area, "households_referred"]


def test_the_return_section_is_computed_from_the_part(data, part):
    section = children_return_section(data, SHIRE, PERIOD)
    assert tuple(section.columns) == RETURN_COLUMNS == SECTION_COLUMNS
    lines = section.set_index(["group", "code"])["value"]
    overall = "Children and young people"
    assert [code for group, code in lines.index if group == overall] == list(RETURN_LINES)
    assert lines[(overall, "children_referred")] == 7
    assert lines[(overall, "children_supported")] == 8
    assert lines[(overall, "households_with_children_supported")] == 3
    assert lines[(overall, "households_large_family_supported")] == 2
    assert lines[(overall, "young_victims_referred")] == 3
    assert lines[(overall, "children_unmet")] == 2
    assert lines[(overall, "households_older_sons_unmet")] == 1
    by_type = "Children in households supported by accommodation type"
    assert (lines[(by_type, "refuge")], lines[(by_type, "not_accommodation")]) == (5, 4)
    assert lines[(by_type, "sanctuary")] == 0  # every type has a line
    assert lines[(by_type, "total")] == 8  # each household once: not 5 + 4
    scope = "Children in households supported by scope of support"
    assert (lines[(scope, "safe_accommodation")], lines[(scope, "community")], lines[(scope, "total")]) == (
        5,
        4,
        8,
    )
    assert section["value"].dtype == "int64"
    # The same numbers as the part it is computed from.
    assert section.equals(children_return_section(data, SHIRE, PERIOD, part=part))


def test_the_example_matches_the_reports_other_parts(example_folder):
    dataset = needs.load(example_folder)
    assessment = needs.assess(dataset, "E10000018", "2023-24")
    part = assessment.children
    overall = _row(part, area="E10000018")
    assert overall["households_supported"] == 800
    assert overall["children_supported"] == 457
    assert overall["households_unmet"] == int(assessment.unmet["households_unmet"].iloc[0])
    assert overall["households_referred"] == int(assessment.unmet["households_referred"].iloc[0])
    representation = assessment.not_known.set_index(["basis", "characteristic"])
    unknown = representation.loc[("supported", "need_older_sons"), "count"]
    assert (
        _row(part, "all", "all", "need_older_sons", "not_known", "E10000018")["households_supported"]
        == unknown
    )
    # The return's own figures: children and the specialist characteristics of households
    # supported (young, large family, older sons) are the section's lines.
    sections = build_return(dataset, "E10000018", "2023-24")
    individuals = sections["individuals"].set_index("code")["value"]
    characteristics = sections["characteristics"].set_index("code")["value"]
    lines = children_return_section(dataset, "E10000018", "2023-24", part=part).set_index("code")["value"]
    assert lines["children_supported"] == individuals["child"] == 457
    assert lines["young_victims_supported"] == characteristics["young"]
    assert lines["households_large_family_supported"] == characteristics["large_family"]
    assert lines["households_older_sons_supported"] == characteristics["older_sons"]
