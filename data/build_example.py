"""Build the embedded example dataset (``data/example``) and the reference tables that
``needs.synth.national`` reads from ``needs/resources``, from the copies in ``data/reference``.

Run from anywhere::

    python data/build_example.py

Running it twice gives byte-identical files. What is real and what is synthetic is set out
table by table in ``data/README.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.styles import Font

import needs
from needs.inputs.pseudonymise import pseudonymise, read_key
from needs.inputs.template import build_template, provider_details
from needs.outputs.files import save_workbook
from needs.reference import categories as cat
from needs.reference import schema
from needs.reference.constants import DEFAULT_SEED
from needs.synth.calibration import calibrate_individuals
from needs.synth.folders import write_dataset
from needs.synth.referrals import synthesise_referrals

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"
EXAMPLE = HERE / "example"
RESOURCES = HERE.parent / "needs" / "reference" / "resources"

COUNTY = "E10000018"
DISTRICTS = [f"E070001{n}" for n in range(29, 36)]
NEIGHBOURS = ["E06000016", "E06000017"]  # Leicester, Rutland: with population
ORIGIN_ONLY = ["E10000024", "E06000018", "E10000007", "E10000031", "E10000019", "E06000061", "E06000062"]
PERIODS = ["2022-23", "2023-24"]
DATA_DATE = "2024-03-31"
SEED = DEFAULT_SEED
#: Victims supported by Leicestershire-hosted services (the council's published figures).
TARGETS = {"2022-23": 97, "2023-24": 1257}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name)


# --------------------------------------------------------------------------------------
# needs/resources
# --------------------------------------------------------------------------------------


def prevalence() -> pd.DataFrame:
    """CSEW last-year prevalence as published (percent), with the question set; periods
    are the financial year the CSEW year ending March falls in. ``unweighted_base`` is
    approximate and synthetic (see data/README.md)."""
    csew = read("csew_domestic_abuse_published_figures.csv")
    rows = [
        # period, measure, sex, age_band, indicator, csew period, subgroup, synthetic unweighted base
        (
            "2021-22",
            "old",
            "female",
            "all",
            "csew_da_last_year_prevalence_16plus",
            "YE Mar 2022",
            "women 16+",
            9000,
        ),
        (
            "2021-22",
            "old",
            "male",
            "all",
            "csew_da_last_year_prevalence_16plus",
            "YE Mar 2022",
            "men 16+",
            8000,
        ),
        ("2021-22", "old", "all", "all", None, "YE Mar 2022", None, 17000),
        (
            "2022-23",
            "old",
            "female",
            "all",
            "csew_da_last_year_prevalence_16plus",
            "YE Mar 2023",
            "women 16+",
            11700,
        ),
        (
            "2022-23",
            "old",
            "male",
            "all",
            "csew_da_last_year_prevalence_16plus",
            "YE Mar 2023",
            "men 16+",
            10300,
        ),
        (
            "2022-23",
            "old",
            "all",
            "all",
            "csew_da_last_year_prevalence_16plus",
            "YE Mar 2023",
            "all adults 16+",
            22000,
        ),
        (
            "2023-24",
            "new",
            "female",
            "all",
            "csew_da_last_year_prevalence_16plus_new_questions",
            "YE Mar 2024",
            "women 16+",
            8500,
        ),
        (
            "2023-24",
            "new",
            "male",
            "all",
            "csew_da_last_year_prevalence_16plus_new_questions",
            "YE Mar 2024",
            "men 16+",
            7500,
        ),
        (
            "2023-24",
            "new",
            "all",
            "all",
            "csew_da_last_year_prevalence_16plus_new_questions",
            "YE Mar 2024",
            "all adults 16+",
            16000,
        ),
        (
            "2024-25",
            "new",
            "all",
            "all",
            "csew_da_last_year_prevalence_16plus_new_questions",
            "YE Mar 2025",
            "all adults 16+",
            17500,
        ),
        (
            "2024-25",
            "new",
            "all",
            "16-19",
            "csew_da_last_year_prevalence_by_age_new_questions",
            "YE Mar 2025",
            "persons 16-19",
            450,
        ),
        (
            "2024-25",
            "new",
            "all",
            "20-24",
            "csew_da_last_year_prevalence_by_age_new_questions",
            "YE Mar 2025",
            "persons 20-24",
            800,
        ),
    ]
    out = []
    for period, measure, sex, band, indicator, csew_period, subgroup, base in rows:
        if indicator is None:
            # YE Mar 2022 all adults: 5.0% (ONS overview November 2022, as in DOMAIN.md 4.2;
            # the reference CSV holds only the women and men rows of that year).
            source_row = {
                "publisher": "ONS",
                "source_title": "Domestic abuse in England and Wales overview: November 2022",
                "source_url": "https://ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/bulletins/"
                "domesticabuseinenglandandwalesoverview/november2022",
            }
            rate = 5.0
        else:
            match = csew[
                (csew["indicator"] == indicator)
                & (csew["period"] == csew_period)
                & (csew["subgroup"] == subgroup)
            ]
            source_row = match.iloc[0]
            rate = float(source_row["value"])
        out.append(
            {
                "period": period,
                "measure": measure,
                "sex": sex,
                "age_band": band,
                "rate": rate,
                "lower": None,
                "upper": None,
                "unweighted_base": base,
                "source": f"{source_row['publisher']}: {source_row['source_title']} (CSEW {csew_period}"
                f"{', new question set' if measure == 'new' else ''})",
                "source_url": source_row["source_url"],
            }
        )
    return pd.DataFrame(out)


def england_profile() -> pd.DataFrame:
    """England Census 2021 16+ counts by characteristic (derived; see synth docstring)."""
    data = read("census2021_england_16plus_by_sex_age_sexual_orientation.csv")
    # "[c]" (suppressed) cells occur only in the sexual-orientation rows, not used here.
    data["population"] = pd.to_numeric(data["population"], errors="coerce")
    allrows = data[
        (data["sex"] == "People")
        & (data["age_group"] == "All ages 16 years and over")
        & (data["sexual_orientation"] == "All usual residents")
    ]
    frames = []
    ethnic = allrows[allrows["variable"] == "ethnic_group_19cat"]
    label = ethnic["category"]
    code = np.select(
        [
            label.str.startswith("Asian"),
            label.str.startswith("Black"),
            label.str.startswith("Mixed"),
            label.str.startswith("White: English"),
            label == "White: Irish",
            *(label == name for name in WHITE_OTHER_LABELS),
            label.str.startswith("Other"),
        ],
        ["asian", "black", "mixed", "white_british", "white_irish", *WHITE_OTHER_LABELS.values(), "other"],
        default="",
    )
    frames.append(
        ethnic.assign(characteristic="ethnic_group", code=code, source="C21_SO_FURTHER_CHAR Table 1b")
    )
    religion_map = {
        "No religion": "no_religion", "Christian": "christian", "Buddhist": "buddhist", "Hindu": "hindu",
        "Jewish": "jewish", "Muslim": "muslim", "Sikh": "sikh", "Other religion": "other", "Not answered": cat.NOT_KNOWN,
    }  # fmt: skip
    religion = allrows[allrows["variable"] == "religion"]
    frames.append(
        religion.assign(
            characteristic="religion",
            code=religion["category"].map(religion_map),
            source="C21_SO_FURTHER_CHAR Table 2b",
        )
    )
    disability = allrows[allrows["variable"] == "disability_equality_act"]
    frames.append(
        disability.assign(
            characteristic="disability",
            code=np.where(disability["category"].str.startswith("Disabled"), "disabled", "not_disabled"),
            source="C21_SO_FURTHER_CHAR Table 4b",
        )
    )
    tidy = pd.concat(frames)[["characteristic", "code", "population", "source"]].rename(
        columns={"code": "category", "population": "count"}
    )
    so = sexual_orientation(read("census2021_sexual_orientation_9cat.csv"))
    so = so[so["area_code"] == "E92000001"].assign(source="C21_SO_DETAILED_GEO (England)")
    gi = gender_identity().groupby("category", as_index=False, sort=False)["count"].sum()
    gi = gi.assign(
        characteristic="gender_identity",
        source="C21_RM_LTLA RM163: sum of the 9 LLR areas (England not available)",
    )
    out = pd.concat([tidy, so[["characteristic", "category", "count", "source"]], gi], ignore_index=True)
    out = out.groupby(["characteristic", "category", "source"], as_index=False, sort=False)["count"].sum()
    return out[["characteristic", "category", "count", "source"]]


def write_resources() -> None:
    RESOURCES.mkdir(exist_ok=True)
    (RESOURCES / "england_upper_tier_areas.csv").write_bytes(
        (REFERENCE / "england_upper_tier_areas.csv").read_bytes()
    )
    population = population_table()
    profile = population.groupby(["sex", "age"], as_index=False, sort=False)["population"].sum()
    profile.to_csv(RESOURCES / "age_sex_profile_mid2022.csv", index=False, lineterminator="\n")
    england_profile().to_csv(
        RESOURCES / "england_census2021_16plus_profile.csv", index=False, lineterminator="\n"
    )
    prevalence().to_csv(RESOURCES / "csew_prevalence.csv", index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------
# data/example
# --------------------------------------------------------------------------------------


def areas_table() -> pd.DataFrame:
    upper = read("england_upper_tier_areas.csv").set_index("area_code")
    population = read("ons_population_mid2022_by_sex_single_year_of_age_la.csv")
    names = population.drop_duplicates("area_code").set_index("area_code")["area_name"]
    rows = [{"area_code": COUNTY, "area_name": "Leicestershire", "area_type": "county", "parent_code": None}]
    rows += [
        {"area_code": c, "area_name": names[c], "area_type": "district", "parent_code": COUNTY}
        for c in DISTRICTS
    ]
    rows += [
        {"area_code": c, "area_name": names[c], "area_type": "unitary", "parent_code": None}
        for c in NEIGHBOURS
    ]
    kinds = {"county": "county", "unitary": "unitary"}
    rows += [
        {
            "area_code": c,
            "area_name": upper.loc[c, "area_name"],
            "area_type": kinds[upper.loc[c, "area_type"]],
            "parent_code": None,
        }
        for c in ORIGIN_ONLY
    ]
    return pd.DataFrame(rows).assign(synthetic=False)


def population_table() -> pd.DataFrame:
    data = read("ons_population_mid2022_by_sex_single_year_of_age_la.csv")
    data = data[data["age"] != "all"].copy()
    data["age"] = data["age"].replace("90+", str(cat.OLDEST_AGE)).astype(int)
    data = data[data["area_code"].isin(DISTRICTS + NEIGHBOURS)]
    out = data[["area_code", "year", "sex", "age", "population"]]
    return out.sort_values(["area_code", "sex", "age"]).reset_index(drop=True)


def _cross_sum(name: str, mapping: dict[int, str], characteristic: str) -> pd.DataFrame:
    """Sum an RM cross-tab over the sexual-orientation cross only (never both crosses)."""
    data = read(name)
    data = data[data["crossed_with_variable"].str.startswith("Sexual orientation")]
    data = data[data["category_code"].isin(list(mapping))]
    data = data.assign(category=data["category_code"].map(mapping), characteristic=characteristic)
    out = data.groupby(["area_code", "characteristic", "category"], as_index=False, sort=False)["count"].sum()
    return out.assign(
        source=f"ONS Census 2021 {data['source_id'].iloc[0]} ({name}, summed over sexual orientation)"
    )


def sexual_orientation(data: pd.DataFrame) -> pd.DataFrame:
    mapping = {
        1: "heterosexual",
        2: "gay_or_lesbian",
        3: "bisexual",
        4: "other",
        5: "other",
        6: "other",
        7: "other",
        8: cat.NOT_KNOWN,
    }
    data = data[data["category_code"].isin(list(mapping))]
    data = data.assign(category=data["category_code"].map(mapping), characteristic="sexual_orientation")
    return data.groupby(["area_code", "characteristic", "category"], as_index=False, sort=False)[
        "count"
    ].sum()


def gender_identity() -> pd.DataFrame:
    data = read("census2021_gender_identity_x_age_x_sex_ltla.csv")
    mapping = {1: "same_as_birth_sex", 2: "different_from_birth_sex", 3: cat.NOT_KNOWN}
    data = data[data["dim1_code"].isin(list(mapping)) & (data["dim2_label"] != "Aged 15 years and under")]
    data = data.assign(category=data["dim1_code"].map(mapping), characteristic="gender_identity")
    out = data.groupby(["area_code", "characteristic", "category"], as_index=False, sort=False)["count"].sum()
    return out.assign(
        source="ONS Census 2021 C21_RM_LTLA RM163 gender identity by age and sex, ages 16+ summed"
    )


#: Census 2021 19-category labels of the three White groups the 8 categories merge.
WHITE_OTHER_LABELS = {
    "White: Gypsy or Irish Traveller": "white_gypsy_irish_traveller",
    "White: Roma": "white_roma",
    "White: Other White": "white_other",
}
#: Working code of the 8-category "White: Gypsy or Irish Traveller, Roma or Other White" (never written).
WHITE_OTHER_8CAT = "white_other_8cat"


def split_white_other(ethnic: pd.DataFrame) -> pd.DataFrame:
    """``ethnic`` with each area's 8-category "White: Gypsy or Irish Traveller, Roma or Other
    White" 16+ count split into :data:`needs.reference.categories.WHITE_OTHER_SUBGROUPS`.

    ``n16[a, g] = N16[a] x c[a, g] / sum_g' c[a, g']``, where ``N16[a]`` is the merged group's
    count of usual residents aged 16+ in area ``a`` (Census 2021 RM125, 8 categories) and
    ``c[a, g]`` the area's count of usual residents of **all ages** in 19-category group ``g``
    (ONS *Ethnic group, England and Wales: Census 2021*, ``C21_ETH_DVC2203``). Rounded by largest
    remainder within the area, so the three counts sum to ``N16[a]`` exactly. An approximation:
    it assumes the three groups have the same share aged 16+ (data/README.md).
    """
    detail = read("census2021_ethnic_group_19cat_ltla.csv")
    detail = detail[detail["category"].isin(list(WHITE_OTHER_LABELS))]
    detail = detail.assign(category=detail["category"].map(WHITE_OTHER_LABELS))
    merged = ethnic[ethnic["category"] == WHITE_OTHER_8CAT]
    missing = set(merged["area_code"]) - set(detail["area_code"])
    if missing:
        raise ValueError(f"census2021_ethnic_group_19cat_ltla.csv: no 19-category rows for {sorted(missing)}")
    parts = merged.drop(columns="category").merge(
        detail[["area_code", "category", "count"]].rename(columns={"count": "all_ages"}), on="area_code"
    )
    area = parts["area_code"]
    exact = parts["count"] * parts["all_ages"] / parts.groupby(area)["all_ages"].transform("sum")
    floor = np.floor(exact)
    short = parts["count"] - floor.groupby(area).transform("sum")
    rank = (exact - floor).groupby(area).rank(method="first", ascending=False)
    parts["count"] = (floor + (rank <= short)).astype(np.int64)
    parts["source"] = parts["source"] + (
        "; split into the 19 categories in proportion to all usual residents, ONS Census 2021 "
        "C21_ETH_DVC2203 (census2021_ethnic_group_19cat_ltla.csv): an approximation, see data/README.md"
    )
    others = ethnic[ethnic["category"] != WHITE_OTHER_8CAT]
    return pd.concat([others, parts[ethnic.columns]], ignore_index=True)


def characteristics_table() -> pd.DataFrame:
    ethnic = _cross_sum(
        "census2021_ethnic_group_8cat_by_sexual_orientation_or_gender_identity_ltla_16plus.csv",
        {
            1: "asian",
            2: "black",
            3: "mixed",
            4: "white_british",
            5: "white_irish",
            6: WHITE_OTHER_8CAT,
            7: "other",
        },
        "ethnic_group",
    )
    ethnic = split_white_other(ethnic)
    religion = _cross_sum(
        "census2021_religion_by_sexual_orientation_or_gender_identity_ltla_16plus.csv",
        {
            1: "no_religion",
            2: "christian",
            3: "buddhist",
            4: "hindu",
            5: "jewish",
            6: "muslim",
            7: "sikh",
            8: "other",
            9: cat.NOT_KNOWN,
        },
        "religion",
    )
    disability = _cross_sum(
        "census2021_disability_equality_act_by_sexual_orientation_or_gender_identity_ltla_16plus.csv",
        {1: "disabled", 2: "disabled", 3: "not_disabled"},
        "disability",
    )
    so = sexual_orientation(read("census2021_sexual_orientation_9cat.csv")).assign(
        source="ONS Census 2021 C21_SO_DETAILED_GEO sexual orientation (detailed), 9 categories mapped"
    )
    out = pd.concat([ethnic, religion, disability, so, gender_identity()], ignore_index=True)
    out = out[out["area_code"].isin(DISTRICTS + NEIGHBOURS)]
    # Relative prevalence is left blank: the package's national weights
    # (needs/reference/resources/csew_relative_prevalence.csv) apply, with their basis stated.
    out["relative_prevalence"] = np.nan
    out = out[["area_code", "characteristic", "category", "count", "relative_prevalence", "source"]]
    return out.sort_values(["area_code", "characteristic", "category"]).reset_index(drop=True)


#: The council's published spend plan: (name, provider, contract total £, initial term).
SPEND_PLAN = [
    ("Domestic Abuse Act Coordinator", "Leicestershire County Council", 95_062, "2 years"),
    ("Commissioning officer", "Leicestershire County Council", 88_234, "2 years"),
    ("Substance misuse specialist", "Turning Point", 80_000, "2+1 years"),
    ("Gypsy Roma and Traveller specialist", "Leicestershire Gate", 60_000, "2+1 years"),
    ("Specialist DA support for LGBT+ victims", "Leicester LGBT service", 56_000, "2+1 years"),
    ("Outreach support for male victims", "Women's Aid Leicestershire", 97_054, "2+1 years"),
    ("Helpline support for male victims", "FreeVa", 76_544, "2+1 years"),
    ("BAME advisor", "FreeVa", 76_544, "2+1 years"),
    ("Counselling service for adults", "FreeVa", 42_982, "1 year"),
    ("Counselling service for children", "FreeVa", 42_982, "1 year"),
    ("Outreach worker x2", "Living without Abuse", 148_000, "2+1 years"),
    ("County Family service x2 family workers", "Living without Abuse", 148_000, "2+1 years"),
    ("Part-time young person's IDVA", "Living without Abuse", 54_000, "2+1 years"),
    ("Contribution to MARAC manager and administrator", "MARAC", 18_000, "2+1 years"),
    ("DA Team", "Leicestershire County Council", 504_074, "2 years"),
    ("Refuge and dispersed accommodation", "WALL and Panaghar", 250_000, "2+1 years"),
    (
        "Legal support to enable victims to remain in safe accommodation",
        "Chief Housing Officer Group",
        100_000,
        "2 years",
    ),
]
#: How each line is classified (support type, specialism) and its synthetic host district.
CLASSIFICATION = {
    "Domestic Abuse Act Coordinator": ("management", "generic", "E07000130"),
    "Commissioning officer": ("management", "generic", "E07000130"),
    "Substance misuse specialist": ("specialist_support", "substance_use", "E07000130"),
    "Gypsy Roma and Traveller specialist": ("specialist_support", "gypsy_roma_traveller", "E07000134"),
    "Specialist DA support for LGBT+ victims": ("specialist_support", "lgbtq", "E07000135"),
    "Outreach support for male victims": ("advocacy", "male_victims", "E07000132"),
    "Helpline support for male victims": ("advice", "male_victims", "E07000129"),
    "BAME advisor": ("advocacy", "black_minoritised", "E07000135"),
    "Counselling service for adults": ("counselling", "generic", "E07000129"),
    "Counselling service for children": ("counselling", "generic", "E07000129"),
    "Outreach worker x2": ("advocacy", "generic", "E07000130"),
    "County Family service x2 family workers": ("children", "generic", "E07000132"),
    "Part-time young person's IDVA": ("advocacy", "young_people", "E07000131"),
    "Contribution to MARAC manager and administrator": ("management", "generic", "E07000130"),
    "DA Team": ("advocacy", "generic", "E07000130"),
    "Legal support to enable victims to remain in safe accommodation": ("advice", "generic", "E07000133"),
}
#: The £250,000 accommodation line split into services (costs sum to the line; units synthetic).
ACCOMMODATION_SPLIT = [
    # name, provider, accommodation_type, specialism, contract share £, units, bedspaces, host
    (
        "Refuge (generic)",
        "Women's Aid Leicestershire (WALL)",
        "refuge",
        "generic",
        110_000,
        6,
        15,
        "E07000130",
    ),
    (
        "Dispersed accommodation for male victims",
        "Women's Aid Leicestershire (WALL)",
        "dispersed_refuge_level",
        "male_victims",
        45_000,
        2,
        2,
        "E07000132",
    ),
    (
        "Dispersed accessible accommodation",
        "Women's Aid Leicestershire (WALL)",
        "dispersed_refuge_level",
        "disabled_accessible",
        45_000,
        2,
        5,
        "E07000131",
    ),
    (
        "Specialist safe accommodation for black and minoritised women",
        "Panaghar",
        "specialist_safe",
        "black_minoritised",
        50_000,
        3,
        8,
        "E07000135",
    ),
]
TERM_YEARS = {"2 years": 2, "2+1 years": 2, "1 year": 1}
CONTRACT_START = pd.Timestamp("2023-01-01")
POSTS_START = pd.Timestamp("2022-04-01")


def services_table() -> pd.DataFrame:
    rows = []
    number = 0
    for name, provider, total, term in SPEND_PLAN:
        years = TERM_YEARS[term]
        start = (
            POSTS_START
            if provider == "Leicestershire County Council" and name != "DA Team"
            else CONTRACT_START
        )
        end = start + pd.DateOffset(years=years) - pd.Timedelta(days=1)
        base = {"funding_source": "mhclg_dasa_grant", "start": start, "end": end, "status": "in_place"}
        if name == "Refuge and dispersed accommodation":
            for sub, sub_provider, kind, specialism, share, units, beds, host in ACCOMMODATION_SPLIT:
                number += 1
                support = "specialist_support" if specialism != "generic" else "advocacy"
                rows.append({"service_id": f"S{number:02d}", "name": f"{sub} (part of: {name})", "provider": sub_provider,
                             "host_area_code": host, "accommodation_type": kind, "support_type": support,
                             "specialism": specialism, "units": units, "bedspaces": beds,
                             "annual_cost": round(share / years, 2), **base, "synthetic": True})  # fmt: skip
            continue
        number += 1
        support, specialism, host = CLASSIFICATION[name]
        rows.append({"service_id": f"S{number:02d}", "name": name, "provider": provider, "host_area_code": host,
                     "accommodation_type": "not_accommodation", "support_type": support, "specialism": specialism,
                     "units": 0, "bedspaces": 0, "annual_cost": round(total / years, 2), **base, "synthetic": False})  # fmt: skip
    # Synthetic: a planned second-stage scheme not yet in place, and services hosted by the
    # neighbouring unitaries (so Leicestershire residents can be referred out).
    rows.append({"service_id": "S21", "name": "Second-stage move-on accommodation (planned)", "provider": "To be procured",
                 "host_area_code": "E07000130", "accommodation_type": "second_stage", "support_type": "housing",
                 "specialism": "generic", "units": 6, "bedspaces": 12, "annual_cost": 60_000.0,
                 "funding_source": "mhclg_dasa_grant", "start": pd.Timestamp("2024-01-01"),
                 "end": pd.Timestamp("2026-03-31"), "status": "not_yet_in_place", "synthetic": True})  # fmt: skip
    others = [
        ("L01", "Leicester city refuge", "E06000016", "refuge", "advocacy", "generic", 12, 30, 320_000.0),
        (
            "L02",
            "Leicester community outreach",
            "E06000016",
            "not_accommodation",
            "advocacy",
            "generic",
            0,
            0,
            180_000.0,
        ),
        ("R01", "Rutland outreach", "E06000017", "not_accommodation", "advocacy", "generic", 0, 0, 35_000.0),
    ]
    for sid, name, host, kind, support, specialism, units, beds, cost in others:
        rows.append({"service_id": sid, "name": f"{name} (synthetic)", "provider": "Synthetic provider",
                     "host_area_code": host, "accommodation_type": kind, "support_type": support,
                     "specialism": specialism, "units": units, "bedspaces": beds, "annual_cost": cost,
                     "funding_source": "other", "start": pd.Timestamp("2020-04-01"), "end": pd.NaT,
                     "status": "in_place", "synthetic": True})  # fmt: skip
    return pd.DataFrame(rows)


def funding_table() -> pd.DataFrame:
    grant = {"2021-22": 1_127_205, "2022-23": 1_130_326, "2023-24": 1_152_936, "2024-25": 1_174_689}
    return pd.DataFrame(
        {
            "area_code": COUNTY,
            "period": list(grant),
            "source": "mhclg_dasa_grant",
            "amount": list(grant.values()),
        }
    )


def neighbours_table(areas: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Where out-of-area referrals come from (synthetic weights): adults of the other
    local areas, and a quarter of the mid-2023 population of the further origin-only areas."""
    adults = population[population["age"] >= cat.ADULT_AGE].groupby("area_code")["population"].sum()
    upper = read("england_upper_tier_areas.csv").set_index("area_code")["population"]
    far = 0.25 * 0.8 * upper.reindex(ORIGIN_ONLY)
    rows = []
    hosts = {
        COUNTY: NEIGHBOURS,
        "E06000016": DISTRICTS + ["E06000017"],
        "E06000017": DISTRICTS + ["E06000016"],
    }
    for host, near in hosts.items():
        rows += [{"area_code": host, "origin_code": code, "weight": float(adults[code])} for code in near]
        rows += [{"area_code": host, "origin_code": code, "weight": float(far[code])} for code in ORIGIN_ONLY]
    return pd.DataFrame(rows)


#: Households referred per host per period (synthetic volumes; the county's are trimmed by
#: calibration to the published totals).
HOUSEHOLDS = pd.DataFrame(
    {
        "period": ["2022-23", "2023-24"] * 3,
        "area_code": [COUNTY, COUNTY, "E06000016", "E06000016", "E06000017", "E06000017"],
        "households": [110, 1120, 420, 460, 40, 45],
    }
)


#: Referrers rarely refer to accommodation known to be full: a smaller share of households
#: is referred to bedded accommodation than nationally (synthetic).
CLASS_SHARES = {"bedded": 0.10, "sanctuary": 0.0, "community": 0.90}


#: The published demonstration key the example's household ids are made with (never for real data).
DEMONSTRATION_KEY = HERE / "demonstration-partnership.key"
#: Providers who send their referrals in their own workbook (``needs template --provider``);
#: the referrals of every other service are held by the council in ``referrals.csv``.
PROVIDER_RETURNS = {
    "referrals-womens-aid-leicestershire.xlsx": "Women's Aid Leicestershire (WALL)",
    "referrals-freeva.xlsx": "FreeVa",
    "referrals-living-without-abuse.xlsx": "Living without Abuse",
}
_FIRST_NAMES = (
    "Amara", "Beth", "Chloe", "Danielle", "Ewa", "Farah", "Grace", "Hannah", "Ioana", "Jasmin", "Kerry", "Leanne",
    "Maria", "Nadia", "Olivia", "Priya", "Rachel", "Sara", "Tasha", "Zoe", "Adam", "Daniel", "Mark", "Tom",
)  # fmt: skip
_SURNAMES = (
    "Ahmed", "Baker", "Clarke", "Davies", "Evans", "Green", "Hall", "Jones", "Khan", "Lewis", "Mistry", "Nowak",
    "O'Brien", "Patel", "Roberts", "Smith-Jones", "Taylor", "Walker", "Wright", "Young", "Zielińska", "Chauhan",
)  # fmt: skip


def synthetic_identities(referrals: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """A made-up name, date of birth and Leicestershire-style postcode for each synthetic
    household (its lead victim), consistent with the age band at the household's first
    referral. Fictional: they exist only to be pseudonymised, as a provider's local sheet is."""
    first = referrals.sort_values(["date", "referral_id"]).drop_duplicates("household_id")
    rng = np.random.default_rng([seed, 7])
    n = len(first)
    band = first["age_band"].astype(str)
    low = pd.to_numeric(band.str.extract(r"^(\d+)")[0], errors="coerce").fillna(30).to_numpy()
    high = pd.to_numeric(band.str.extract(r"-(\d+)$")[0], errors="coerce").to_numpy()
    high = np.where(np.isnan(high), low + 14, high)
    age_days = ((low + rng.random(n) * (high - low + 1)) * 365.25).astype(np.int64)
    birth = pd.to_datetime(first["date"]).to_numpy() - age_days.astype("timedelta64[D]")
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    postcode = [
        f"LE{d} {u}{a}{b}"
        for d, u, a, b in zip(
            rng.integers(1, 19, n),
            rng.integers(0, 10, n),
            rng.choice(letters, n),
            rng.choice(letters, n),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "household_id": first["household_id"].to_numpy(),
            "name": [
                f"{f} {s}" for f, s in zip(rng.choice(_FIRST_NAMES, n), rng.choice(_SURNAMES, n), strict=True)
            ],
            "date_of_birth": pd.DatetimeIndex(birth).strftime("%d/%m/%Y"),
            "postcode": postcode,
        }
    )


def pseudonymised_households(referrals: pd.DataFrame) -> pd.DataFrame:
    """``referrals`` with each household's id made as the partnership makes it: the keyed
    hash (:func:`needs.inputs.pseudonymise.pseudonymise`, the demonstration key) of its made-up
    name, date of birth and postcode, so that a household seen by two providers has one id."""
    identities = synthetic_identities(referrals)
    pseudonyms = pseudonymise(identities, read_key(DEMONSTRATION_KEY), source="synthetic identities")
    if pseudonyms.nunique() != len(identities):
        raise RuntimeError("two synthetic households were given the same pseudonym")
    mapping = pd.Series(pseudonyms.to_numpy(), index=identities["household_id"].to_numpy())
    return referrals.assign(household_id=referrals["household_id"].map(mapping).to_numpy())


def write_provider_returns(referrals: pd.DataFrame) -> pd.DataFrame:
    """Write each provider's referrals in its own workbook (:data:`PROVIDER_RETURNS`), made
    from ``needs template --data data/example --provider NAME`` and filled as a provider
    would; return the referrals the council holds itself (written as ``referrals.csv``)."""
    services = pd.read_csv(EXAMPLE / "services.csv", dtype=str)
    provider_of = referrals["service_id"].map(services.set_index("service_id")["provider"])
    for old in EXAMPLE.glob("referrals-*.xlsx"):
        old.unlink()
    dataset = needs.load(EXAMPLE)
    columns = list(schema.TABLES["referrals"].column_names)
    dates = [c.name for c in schema.TABLES["referrals"].columns if c.kind == "date"]
    for file_name, provider in PROVIDER_RETURNS.items():
        rows = referrals[provider_of == provider].reindex(columns=columns)
        text = rows.astype(object).where(rows.notna(), None)
        workbook = build_template(["referrals"], provider_details(dataset, provider))
        sheet = workbook["referrals"]
        sheet.cell(row=2, column=1).comment = None
        for offset, record in enumerate(text.itertuples(index=False)):
            for position, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
                if column in dates and value is not None:
                    value = pd.Timestamp(value).date()
                cell = sheet.cell(row=2 + offset, column=position)
                cell.value = value  # also a blank over the template's example row
                cell.font = Font()
        save_workbook(workbook, EXAMPLE / file_name)
    return referrals[~provider_of.isin(PROVIDER_RETURNS.values())]


def build() -> dict[str, pd.DataFrame]:
    write_resources()
    tables = {
        "areas": areas_table(),
        "population": population_table(),
        "prevalence": prevalence(),
        "characteristics": characteristics_table(),
        "services": services_table(),
        "funding": funding_table(),
    }
    referrals = synthesise_referrals(
        tables["areas"], tables["population"], tables["services"], PERIODS,
        characteristics=tables["characteristics"], prevalence=tables["prevalence"], households=HOUSEHOLDS,
        neighbours=neighbours_table(tables["areas"], tables["population"]), data_date=DATA_DATE,
        class_shares=CLASS_SHARES, seed=SEED,
    )  # fmt: skip
    tables["referrals"] = pseudonymised_households(
        calibrate_individuals({**tables, "referrals": referrals}, COUNTY, TARGETS, seed=SEED)
    )
    metadata = {
        "title": "Leicestershire: domestic abuse safe accommodation needs assessment (demonstration data)",
        "authority": "Leicestershire County Council",
        "area_code": COUNTY,
        "data_date": DATA_DATE,
        "demonstration": True,
        "description": (
            "Demonstration dataset. Real public figures: ONS mid-2022 population, Census 2021 characteristics, "
            "CSEW prevalence, the MHCLG/DLUHC safe accommodation grant and the council's commissioned spend plan. "
            "Synthetic: every referral record (needs.synth, seed 20211001, calibrated to the 97 and 1,257 victims "
            "supported in 2022-23 and 2023-24), unit counts, contract dates and the neighbouring areas' services. "
            "See data/README.md."
        ),
        # Front matter of the report: illustrative, like intentions.yaml and engagement.csv.
        "publication_date": "2024-07-31",
        "approved_by": "Illustrative: Domestic Abuse Local Partnership Board (not a real sign-off)",
        "next_review": "2025-07-31",
        "contact": "Illustrative: domestic abuse commissioning team (example contact, not real)",
        "version": "Illustrative version 1.0",
    }
    write_dataset(tables, EXAMPLE, metadata)
    council_held = write_provider_returns(tables["referrals"])
    write_dataset({**tables, "referrals": council_held}, EXAMPLE, metadata)
    return tables


if __name__ == "__main__":
    built = build()
    print({name: len(frame) for name, frame in built.items()})
