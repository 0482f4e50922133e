"""A synthetic dataset for every tier-one area in England (:func:`national_dataset`).

Areas, all-age populations and CSEW prevalence are real, read from the reference tables
shipped in ``needs/reference/resources`` (see its ``README.md``) by :func:`england_areas`,
:func:`csew_prevalence`, :func:`age_sex_profile` and :func:`england_characteristics_profile`;
services, funding and referrals are synthetic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_SEED
from needs.reference.locations import resource
from needs.reference.periods import check_period
from needs.synth.patterns import GLA_CODE
from needs.synth.referrals import synthesise_referrals

__all__ = [
    "GRANT_PER_HEAD",
    "NATIONAL_REFERRALS_PER_YEAR",
    "UNITS_PER_HOUSEHOLD",
    "age_sex_profile",
    "county_districts",
    "csew_prevalence",
    "england_areas",
    "england_characteristics_profile",
    "national_dataset",
]

#: Realistic national referral volume per year (MHCLG 2023-24: ~39,000 households
#: supported and 26,870 unable to be supported; synthetic round figure).
NATIONAL_REFERRALS_PER_YEAR = 120_000
#: Bedded units per household referred, so that roughly 20% of referrals to bedded
#: accommodation that would be accepted are declined for lack of space (synthetic).
UNITS_PER_HOUSEHOLD = 0.076
#: Synthetic grant per head of population per year (about £130m for England).
GRANT_PER_HEAD = 2.25

#: Regions whose areas also refer to each other's services: London with the South East and
#: the East of England (pairs of ``region_code``, both ways).
_LINKED_REGIONS = {
    ("E12000007", "E12000006"),
    ("E12000007", "E12000008"),
    ("E12000006", "E12000007"),
    ("E12000008", "E12000007"),
}

# --------------------------------------------------------------------------------------
# Reference tables shipped in needs/resources (see needs/resources/README.md)
# --------------------------------------------------------------------------------------

_AREA_TYPES = {
    "county": "county",
    "unitary": "unitary",
    "metropolitan district": "metropolitan_district",
    "london borough": "london_borough",
}


def england_areas() -> pd.DataFrame:
    """The 153 upper-tier areas of England (April 2023) with mid-2023 populations.

    Real ONS codes, names and populations (``MYE2023_EW_LA2023``) and DfE LAIT regions;
    ``area_type`` is mapped to :data:`needs.reference.categories.AREA_TYPES`: City of London
    (E09000001, ``other`` in the source) is a London borough, the Isles of Scilly
    (E06000053, ``other``) a unitary authority (both are so classed by ONS).
    """
    areas = pd.read_csv(resource("england_upper_tier_areas.csv"), dtype={"population": np.int64})
    kind = areas["area_type"].map(_AREA_TYPES)
    kind = kind.where(
        kind.notna(), np.where(areas["area_code"].str.startswith("E09"), "london_borough", "unitary")
    )
    return areas.assign(area_type=kind)


def county_districts() -> pd.DataFrame:
    """The 164 districts of England's 21 counties (April 2023): ONS code, name, county code
    and Census 2011 usual residents (the shares a county's population is split by).

    Codes and names are real (ONS, April 2023 boundaries); East Suffolk and West Suffolk
    (formed April 2019) carry the sum of their predecessors' Census 2011 residents.
    """
    return pd.read_csv(resource("england_county_districts.csv"), dtype={"census2011_population": np.int64})


def csew_prevalence() -> pd.DataFrame:
    """Published CSEW last-year domestic abuse prevalence (the ``prevalence`` table).

    Rates as published by ONS (old and new question sets recorded on each rate);
    ``unweighted_base`` is an approximate, synthetic respondent count so that intervals can
    be computed (see ``data/README.md``).
    """
    return pd.read_csv(resource("csew_prevalence.csv"), dtype={"period": str, "unweighted_base": "Int64"})


def age_sex_profile() -> pd.DataFrame:
    """Population shares by sex and single year of age (0..90, 90 = 90 and over).

    Derived from ONS mid-2022 populations (SNPP 2022 base year) of Leicester, Rutland and
    Leicestershire's seven districts, summed: an England-like age and sex profile used to
    spread real all-age totals when single-year figures are not available (synthetic).
    """
    profile = pd.read_csv(resource("age_sex_profile_mid2022.csv"))
    return profile.assign(share=profile["population"] / profile["population"].sum())


def england_characteristics_profile() -> pd.DataFrame:
    """Census 2021 counts of usual residents 16+ in England by characteristic and category.

    Ethnic group, religion and disability from ONS "Sexual orientation, further personal
    characteristics" (England, all residents 16+); sexual orientation from the detailed
    sexual orientation release (England); gender identity (not published for England in the
    reference data) from the sum of the nine Leicester-Leicestershire-Rutland areas.
    """
    return pd.read_csv(resource("england_census2021_16plus_profile.csv"))


def _spread(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Integer matrix (areas x cells) with rows summing to ``totals``, ∝ ``shares``
    (largest remainder, vectorised)."""
    exact = totals[:, None].astype(float) * (shares / shares.sum())[None, :]
    whole = np.floor(exact).astype(np.int64)
    short = totals - whole.sum(axis=1)
    order = np.argsort(-(exact - whole), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(exact.shape[1])[None, :].repeat(len(exact), 0), axis=1)
    return whole + (ranks < short[:, None])


# --------------------------------------------------------------------------------------
# National dataset
# --------------------------------------------------------------------------------------

#: Services every tier-one area commissions: name, accommodation type, support type,
#: specialism, size (``units = factor x basis``, basis ``bedded`` = the area's share of
#: bedded units, ``per_10k`` = population / 10,000), bedspaces per unit, cost per unit, and
#: cost per head of population (``None``: cost from units, or £50,000 for management).
_SERVICE_SPECS: tuple[tuple, ...] = (
    ("Refuge", "refuge", "advocacy", "generic", ("bedded", 0.62), 2.5, 32_000.0, None),
    ("Dispersed accommodation", "dispersed_refuge_level", "advocacy", "generic", ("bedded", 0.25), 2.0, 26_000.0, None),
    ("By-and-for refuge", "specialist_safe", "specialist_support", "black_minoritised", ("bedded", 0.13), 2.5, 34_000.0, None),
    ("Sanctuary scheme", "sanctuary", "housing", "generic", ("per_10k", 0.8), 0.0, 1_500.0, None),
    ("Community outreach", "not_accommodation", "advocacy", "generic", ("per_10k", 0), 0.0, 0.0, 0.45),
    ("Children's support", "not_accommodation", "children", "generic", ("per_10k", 0), 0.0, 0.0, 0.15),
    ("Male victims' service", "not_accommodation", "advocacy", "male_victims", ("per_10k", 0), 0.0, 0.0, 0.05),
    ("Partnership coordinator", "not_accommodation", "management", "generic", ("per_10k", 0), 0.0, 0.0, None),
)  # fmt: skip


def _national_services(
    tier_ones: pd.DataFrame, households_per_year: float, start: str, hosts: pd.Series
) -> pd.DataFrame:
    """Synthetic commissioned services for every tier-one area, sized to population
    (:data:`_SERVICE_SPECS`; bedded units ``UNITS_PER_HOUSEHOLD x households_per_year x
    population share``), hosted in ``hosts[area_code]`` (a county's services in its most
    populous district, as a real county's are in its districts)."""
    population = tier_ones["population"].to_numpy(dtype=float)
    share = population / population.sum()
    basis = {"bedded": UNITS_PER_HOUSEHOLD * households_per_year * share, "per_10k": population / 10_000}
    frames = []
    for number, (name, kind, support, specialism, (size, factor), beds, unit_cost, per_head) in enumerate(
        _SERVICE_SPECS, start=1
    ):
        units = factor * basis[size]
        whole = np.maximum(np.rint(units), 1 if kind != "not_accommodation" else 0).astype(np.int64)
        if per_head is not None:
            cost = np.rint(population * per_head)
        elif support == "management":
            cost = np.full(len(population), 50_000.0)
        else:
            cost = whole * unit_cost
        frames.append(
            pd.DataFrame(
                {
                    "service_id": tier_ones["area_code"].to_numpy() + f"-S{number:02d}",
                    "name": f"{name} (synthetic)",
                    "provider": "Synthetic provider",
                    "host_area_code": hosts.reindex(tier_ones["area_code"]).to_numpy(),
                    "accommodation_type": kind,
                    "support_type": support,
                    "specialism": specialism,
                    "units": whole,
                    "bedspaces": np.rint(whole * beds).astype(np.int64),
                    "annual_cost": cost,
                    "funding_source": "mhclg_dasa_grant",
                    "start": pd.Timestamp(start),
                    "end": pd.NaT,
                    "status": "in_place",
                    "synthetic": True,
                }
            )
        )
    services = pd.concat(frames, ignore_index=True)
    # Only the larger areas commission a by-and-for refuge and a male victims' service.
    small = population < 300_000
    big_only = services["specialism"].isin(["black_minoritised", "male_victims"])
    small_host = services["host_area_code"].isin(tier_ones.loc[small, "area_code"])
    return services[~(big_only & small_host)].sort_values("service_id").reset_index(drop=True)


def _national_areas() -> pd.DataFrame:
    """England's upper-tier areas, the districts of its counties (:func:`county_districts`)
    and the Greater London Authority (parent of the London boroughs), with ``region_code``
    and ``population``; all ``synthetic``.

    A county's real mid-2023 population is split between its districts in proportion to
    their Census 2011 residents (largest remainder, so the districts add up to the county),
    and the county itself keeps no population of its own: as in a real county's dataset,
    people live in districts.
    """
    england = england_areas()
    london = england["area_type"] == "london_borough"
    gla = pd.DataFrame(
        {
            "area_code": [GLA_CODE],
            "area_name": ["Greater London Authority"],
            "area_type": ["greater_london_authority"],
            "region_code": ["E12000007"],
            "population": [int(england.loc[london, "population"].sum())],
        }
    )
    districts = county_districts().merge(
        england[["area_code", "region_code", "population"]].rename(
            columns={"area_code": "parent_code", "population": "county_population"}
        ),
        on="parent_code",
        how="inner",
        validate="many_to_one",
    )
    share = districts["census2011_population"] / districts.groupby("parent_code")[
        "census2011_population"
    ].transform("sum")
    districts["population"] = _split_within(
        districts["county_population"].to_numpy(np.int64), share, districts["parent_code"]
    )
    areas = pd.concat(
        [
            england[["area_code", "area_name", "area_type", "region_code", "population"]].assign(
                parent_code=np.where(london, GLA_CODE, None)
            ),
            districts[["area_code", "area_name", "region_code", "population", "parent_code"]].assign(
                area_type="district"
            ),
            gla.assign(parent_code=None),
        ],
        ignore_index=True,
    )
    areas["synthetic"] = True
    return areas


def _split_within(totals: np.ndarray, shares: pd.Series, groups: pd.Series) -> np.ndarray:
    """Integer parts of each group's total (``totals`` repeated on the group's rows) in
    proportion to ``shares`` (summing to 1 within a group), by largest remainder."""
    exact = totals * shares.to_numpy()
    whole = np.floor(exact).astype(np.int64)
    remainder = pd.Series(exact - whole, index=shares.index)
    short = pd.Series(
        totals - pd.Series(whole, index=shares.index).groupby(groups.to_numpy()).transform("sum").to_numpy()
    )
    rank = remainder.groupby(groups.to_numpy()).rank(method="first", ascending=False)
    return whole + (rank.to_numpy() <= short.to_numpy())


def _population(base: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Population by sex and single year of age (mid-2023 all-age totals spread over
    :func:`age_sex_profile`) and adults 16+ of each base area."""
    year = 2023  # mid-2023 estimates (MYE2023_EW_LA2023)
    profile = age_sex_profile()
    counts = _spread(base["population"].to_numpy(np.int64), profile["share"].to_numpy())
    population = pd.DataFrame(
        {
            "area_code": np.repeat(base["area_code"].to_numpy(), len(profile)),
            "year": year,
            "sex": np.tile(profile["sex"].to_numpy(), len(base)),
            "age": np.tile(profile["age"].to_numpy(np.int64), len(base)),
            "population": counts.ravel(),
        }
    )
    adults = counts[:, profile["age"].to_numpy() >= cat.ADULT_AGE].sum(axis=1)
    return population, adults


def _characteristics(base: pd.DataFrame, adults: np.ndarray) -> pd.DataFrame:
    """Census characteristics: the England 16+ profile scaled to each base area's adults."""
    england_profile = england_characteristics_profile()
    frames = []
    for name, rows in england_profile.groupby("characteristic", sort=False):
        spread = _spread(adults, rows["count"].to_numpy(dtype=float))
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.repeat(base["area_code"].to_numpy(), len(rows)),
                    "characteristic": name,
                    "category": np.tile(rows["category"].to_numpy(), len(base)),
                    "count": spread.ravel(),
                    "relative_prevalence": np.nan,
                    "source": "synthetic: England Census 2021 16+ profile scaled to the area's adults",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _neighbours(
    areas: pd.DataFrame, base: pd.DataFrame, adults: np.ndarray, tier_ones: pd.DataFrame
) -> pd.DataFrame:
    """Neighbours: base areas of the other tier-ones of the same region, weighted by adults;
    London with the South East and the East of England (:data:`_LINKED_REGIONS`)."""
    region = areas.set_index("area_code")["region_code"]
    base_adults = pd.DataFrame({"origin_code": base["area_code"], "weight": adults})
    base_adults["origin_region"] = region.reindex(base_adults["origin_code"]).to_numpy()
    base_adults["origin_tier_one"] = np.where(
        base["parent_code"].notna(), base["parent_code"], base["area_code"]
    )
    hosts = tier_ones[["area_code", "region_code"]]
    pairs = hosts.merge(base_adults, how="cross")
    same = pairs["region_code"] == pairs["origin_region"]
    cross = (
        pd.Series(list(zip(pairs["region_code"], pairs["origin_region"], strict=True)))
        .isin(_LINKED_REGIONS)
        .to_numpy()
    )
    pairs = pairs[(same | cross) & (pairs["area_code"] != pairs["origin_tier_one"])]
    return pairs[["area_code", "origin_code", "weight"]].reset_index(drop=True)


def national_dataset(
    n_referrals: int = 1_000_000, periods: Sequence[str] = ("2023-24",), *, seed: int = DEFAULT_SEED
) -> dict[str, pd.DataFrame]:
    """A synthetic dataset for every tier-one area in England.

    Areas are real (ONS codes and names of the 153 upper-tier areas, April 2023): counties,
    unitaries and metropolitan districts are tier-one; the 33 London areas are
    ``london_borough`` with parent the Greater London Authority (E61000001,
    ``greater_london_authority``), the tier-one authority for London. Every area carries
    ``synthetic=true``: populations by sex and single year of age are the real mid-2023
    all-age totals spread over :func:`age_sex_profile`; Census characteristics are the
    England profile (:func:`england_characteristics_profile`) scaled to each area's adults;
    services and funding are synthetic and sized to population (bedded units also to the
    referral volume asked for, see :data:`UNITS_PER_HOUSEHOLD`); prevalence is the real
    published CSEW rates (:func:`csew_prevalence`). Out-of-area referrals come from areas of
    the same region (London with the South East and East of England).

    Parameters
    ----------
    n_referrals
        Exact number of referral records, shared between the periods.
    periods
        Financial years.
    seed
        Seed for :func:`~needs.synth.referrals.synthesise_referrals`.

    Returns
    -------
    dict of pandas.DataFrame
        Tables ``areas``, ``population``, ``prevalence``, ``characteristics``, ``services``,
        ``referrals``, ``funding``.
    """
    periods = [check_period(p) for p in periods]
    if n_referrals < 1:
        raise ValueError("n_referrals: must be at least 1")
    areas = _national_areas()
    # People live in the base areas: unitaries, metropolitan districts, London boroughs and
    # the districts of counties (not in the GLA or the counties themselves).
    base = areas[~areas["area_type"].isin(["greater_london_authority", "county"])].reset_index(drop=True)
    tier_ones = areas[areas["area_type"].isin(cat.TIER_ONE_AREA_TYPES)].reset_index(drop=True)
    population, adults = _population(base)
    characteristics = _characteristics(base, adults)

    households_per_year = n_referrals / len(periods) / 1.25
    districts = areas[areas["area_type"] == "district"]
    largest = districts.sort_values(["parent_code", "population"], ascending=[True, False]).drop_duplicates(
        "parent_code"
    )
    hosts = pd.Series(tier_ones["area_code"].to_numpy(), index=tier_ones["area_code"].to_numpy())
    hosts.update(pd.Series(largest["area_code"].to_numpy(), index=largest["parent_code"].to_numpy()))
    services = _national_services(tier_ones, households_per_year, start="2021-10-01", hosts=hosts)
    funding = pd.DataFrame(
        {
            "area_code": np.repeat(tier_ones["area_code"].to_numpy(), len(periods)),
            "period": np.tile(periods, len(tier_ones)),
            "source": "mhclg_dasa_grant",
            "amount": np.repeat(np.rint(tier_ones["population"].to_numpy() * GRANT_PER_HEAD), len(periods)),
        }
    )
    prevalence = csew_prevalence()
    neighbours = _neighbours(areas, base, adults, tier_ones)

    areas_out = areas[["area_code", "area_name", "area_type", "parent_code", "synthetic"]]
    referrals = synthesise_referrals(
        areas_out,
        population,
        services,
        periods,
        characteristics=characteristics,
        prevalence=prevalence,
        households={p: int(np.ceil(households_per_year)) for p in periods},
        neighbours=neighbours,
        n_referrals=n_referrals,
        seed=seed,
    )
    return {
        "areas": areas_out.reset_index(drop=True),
        "population": population,
        "prevalence": prevalence,
        "characteristics": characteristics,
        "services": services,
        "referrals": referrals,
        "funding": funding,
    }
