"""Step 4 of the generator: the lead victim and household of each synthetic household.

Sex and age band follow :data:`~needs.synth.patterns.SEX_SHARES` and
:data:`~needs.synth.patterns.AGE_SHARES`; Census characteristics the origin area's profile
times :data:`~needs.synth.patterns.REACH`; children ``1 + Poisson(EXTRA_CHILDREN_MEAN)`` for
the :data:`~needs.synth.patterns.CHILDREN_SHARE` of households with children; needs
:data:`~needs.synth.patterns.NEED_SHARES`; a share of each is ``not_known``
(:data:`~needs.synth.patterns.NOT_KNOWN_SHARE`). A household referred to a specialist service
is given the specialism's characteristic.

Ethnic group is drawn in the Census 2021 8 categories (the example's 16+ profile is published
in 8), then the merged group "White: Gypsy or Irish Traveller, Roma or Other White" is split
into :data:`~needs.reference.categories.WHITE_OTHER_SUBGROUPS` by :func:`split_white_other`
with its own random stream, so that splitting leaves every other draw unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from needs.reference import categories as cat
from needs.reference import schema
from needs.reference.locations import resource
from needs.synth.draws import draw, draw_fixed, replace_not_known
from needs.synth.encoding import categorical
from needs.synth.patterns import (
    AGE_SHARES,
    CHILDREN_SHARE,
    EXTRA_CHILDREN_MEAN,
    NEED_SHARES,
    NOT_KNOWN_SHARE,
    OLDER_SONS_SHARE,
    PREGNANT_SHARE,
    REACH,
    SERVICE_CLASSES,
    SEX_SHARES,
)

#: Lead victim and household columns of ``referrals`` held as category codes.
ATTRIBUTE_COLUMNS: tuple[str, ...] = (
    "sex",
    "age_band",
    *cat.CENSUS_CHARACTERISTICS,
    "pregnant",
    *(cat.need_column(c) for c in cat.ADDITIONAL_NEEDS.codes),
)

#: Internal code of the Census 2021 8-category group "White: Gypsy or Irish Traveller, Roma or
#: Other White" while it is drawn as one group; never written (see :func:`split_white_other`).
WHITE_OTHER_MERGED = "white_other_merged_8cat"
_MINORITISED = {"asian": 0.4, "black": 0.2, "mixed": 0.15, WHITE_OTHER_MERGED: 0.1, "other": 0.15}
_LGB = {"gay_or_lesbian": 0.45, "bisexual": 0.4, "other": 0.15}
#: Characteristics given to households referred to each specialism: (column, shares) pairs.
SPECIALISM_OVERRIDES: dict[str, list[tuple[str, Mapping[str, float]]]] = {
    "male_victims": [("sex", {"male": 1.0})],
    "black_minoritised": [("ethnic_group", _MINORITISED)],
    "lgbtq": [("sexual_orientation", _LGB)],
    "gypsy_roma_traveller": [("ethnic_group", {WHITE_OTHER_MERGED: 1.0})],
    "disabled_accessible": [("disability", {"disabled": 1.0})],
    "substance_use": [(cat.need_column("substance_use"), {"yes": 1.0})],
    "mental_health": [(cat.need_column("mental_health"), {"yes": 1.0})],
    "young_people": [("age_band", {"16-19": 0.45, "20-24": 0.55})],
}
#: Specialisms whose households in the merged White group are split only among these groups.
SPLIT_WITHIN: dict[str, tuple[str, ...]] = {"gypsy_roma_traveller": cat.GYPSY_ROMA_TRAVELLER}


def _area_table(characteristics: pd.DataFrame | None, name: str, codes: np.ndarray) -> pd.DataFrame:
    """Census counts of characteristic ``name``: one row per area, one column per code (0 if absent)."""
    if characteristics is None or characteristics.empty:
        return pd.DataFrame(columns=codes, dtype=float)
    rows = characteristics[characteristics["characteristic"].astype(str) == name]
    table = rows.pivot_table(
        index=rows["area_code"].astype(str),
        columns=rows["category"].astype(str),
        values="count",
        aggfunc="sum",
    )
    return table.reindex(columns=codes).fillna(0.0)


def _merge_white_other(table: pd.DataFrame, codes: np.ndarray, reach: np.ndarray) -> tuple:
    """Ethnic-group ``table``, ``codes`` and ``reach`` with the three
    :data:`~needs.reference.categories.WHITE_OTHER_SUBGROUPS` summed into one
    :data:`WHITE_OTHER_MERGED` column in the place of the first (the 8-category draw)."""
    subgroups = list(cat.WHITE_OTHER_SUBGROUPS)
    is_sub = np.isin(codes, subgroups)
    if len(set(reach[is_sub])) != 1:
        raise ValueError("REACH: the White groups split from one 8-category group must share one reach")
    first = int(np.flatnonzero(is_sub)[0])
    keep = ~is_sub
    keep[first] = True
    merged = codes.astype(object)
    merged[first] = WHITE_OTHER_MERGED
    table = table.assign(**{WHITE_OTHER_MERGED: table[subgroups].sum(axis=1)})
    return table.reindex(columns=merged[keep]), merged[keep].astype(str), reach[keep]


def _origin_shares(
    table: pd.DataFrame, origin_codes: np.ndarray, fallback: np.ndarray | None = None
) -> np.ndarray:
    """Rows of ``table`` for each origin; an origin without rows (or with none of the counts)
    gets the sum of all areas' rows, else ``fallback`` (else equal weights)."""
    if len(table) and table.to_numpy().sum() > 0:
        mean = table.sum(axis=0).to_numpy(dtype=float)
    else:
        mean = fallback if fallback is not None else np.ones(table.shape[1])
    shares = table.reindex(origin_codes).to_numpy(dtype=float, copy=True)
    missing = ~np.isfinite(shares).all(axis=1) | (np.nan_to_num(shares).sum(axis=1) == 0)
    shares[missing] = mean
    return shares


def census_profiles(
    characteristics: pd.DataFrame | None, origin_codes: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per characteristic: (category codes, probability matrix origin x category).

    Probabilities are the Census shares of the origin area (its own rows, else the mean
    profile of all areas in the table) times :data:`~needs.synth.patterns.REACH`, without the
    Census's own ``not_known`` (non-response) category; recording gaps are added separately.
    Ethnic group is in the 8 Census categories: the three White groups of
    :data:`~needs.reference.categories.WHITE_OTHER_SUBGROUPS` are one column,
    :data:`WHITE_OTHER_MERGED` (split afterwards by :func:`split_white_other`).
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, categories in cat.CENSUS_CHARACTERISTICS.items():
        codes = np.array([c for c in categories.codes if c != cat.NOT_KNOWN])
        reach = np.array([REACH.get(name, {}).get(c, 1.0) for c in codes])
        table = _area_table(characteristics, name, codes)
        if name == "ethnic_group":
            table, codes, reach = _merge_white_other(table, codes, reach)
        shares = _origin_shares(table, origin_codes)
        shares = shares / shares.sum(axis=1, keepdims=True) * reach
        out[name] = (codes, shares)
    return out


def _attributes(
    rng: np.random.Generator,
    n: int,
    origin: np.ndarray,
    service_class_i: np.ndarray,
    origin_codes: np.ndarray,
    characteristics: pd.DataFrame | None,
) -> dict[str, np.ndarray]:
    """Lead victim and household attributes as text codes, one entry per household."""
    hh: dict[str, np.ndarray] = {"origin": origin}
    hh["sex"] = replace_not_known(rng, draw_fixed(rng, SEX_SHARES, n), NOT_KNOWN_SHARE["sex"])
    hh["age_band"] = replace_not_known(rng, draw_fixed(rng, AGE_SHARES, n), NOT_KNOWN_SHARE["age_band"])
    for name, (codes, shares) in census_profiles(characteristics, origin_codes).items():
        drawn = codes[draw(rng, shares[origin])]
        hh[name] = replace_not_known(rng, drawn, NOT_KNOWN_SHARE[name])
    young = np.isin(hh["age_band"], ("16-19", "20-24", "25-34", "35-44"))
    pregnant = np.where((hh["sex"] == "female") & young & (rng.random(n) < PREGNANT_SHARE * 1.4), "yes", "no")
    hh["pregnant"] = replace_not_known(rng, pregnant, NOT_KNOWN_SHARE["pregnant"])
    has_children = rng.random(n) < np.array([CHILDREN_SHARE[c] for c in SERVICE_CLASSES])[service_class_i]
    children = np.where(has_children, 1 + rng.poisson(EXTRA_CHILDREN_MEAN, n), 0)
    hh["children"] = children.astype(np.int64)
    for need, share in NEED_SHARES.items():
        value = np.where(rng.random(n) < share, "yes", "no")
        hh[cat.need_column(need)] = replace_not_known(rng, value, NOT_KNOWN_SHARE["needs"])
    sons = np.where(
        (children > 0) & (rng.random(n) < OLDER_SONS_SHARE * (1 + 0.3 * (children - 1))), "yes", "no"
    )
    hh[cat.need_column("older_sons")] = replace_not_known(rng, sons, NOT_KNOWN_SHARE["needs"])
    hh[cat.need_column("large_family")] = np.where(children >= 3, "yes", "no").astype(object)
    return hh


def apply_specialisms(rng: np.random.Generator, hh: dict[str, np.ndarray], specialism: np.ndarray) -> None:
    """Give households referred to a specialist service that service's characteristic
    (:data:`SPECIALISM_OVERRIDES`); male victims are never pregnant."""
    for code, changes in SPECIALISM_OVERRIDES.items():
        mask = specialism == code
        if not mask.any():
            continue
        for column, shares in changes:
            hh[column] = hh[column].astype(object)
            hh[column][mask] = draw_fixed(rng, shares, int(mask.sum()))
        if code == "male_victims":
            hh["pregnant"][mask] = "no"


def _england_white_other() -> np.ndarray:
    """England's usual residents aged 16+ in each of
    :data:`~needs.reference.categories.WHITE_OTHER_SUBGROUPS` (ONS Census 2021,
    ``C21_SO_FURTHER_CHAR`` Table 1b, as in the ``england_census2021_16plus_profile.csv`` resource)."""
    profile = pd.read_csv(resource("england_census2021_16plus_profile.csv"))
    ethnic = profile[profile["characteristic"] == "ethnic_group"].set_index("category")["count"]
    return ethnic.reindex(list(cat.WHITE_OTHER_SUBGROUPS)).fillna(0.0).to_numpy(dtype=float)


def split_white_other(
    rng: np.random.Generator,
    ethnic_group: np.ndarray,
    origin: np.ndarray,
    specialism: np.ndarray,
    origin_codes: np.ndarray,
    characteristics: pd.DataFrame | None,
) -> np.ndarray:
    """``ethnic_group`` with each :data:`WHITE_OTHER_MERGED` entry replaced by one of
    :data:`~needs.reference.categories.WHITE_OTHER_SUBGROUPS`.

    Household *h* from origin *a* is given subgroup *g* with probability
    ``n[a, g] / sum_g' n[a, g']``, where ``n`` are the origin's Census counts of the subgroups
    in ``characteristics`` (an origin without them: the sum over all areas in the table; a table
    without them: England 16+, Census 2021 Table 1b). Households first referred to a service
    with a specialism of :data:`SPLIT_WITHIN` (the Gypsy, Roma and Traveller service) are split
    only among that specialism's groups. One draw per merged entry, in array order, from
    ``rng``: give a stream of its own (``numpy.random.default_rng([seed, tag])``) so that the
    other attributes do not change.
    """
    out = np.asarray(ethnic_group, dtype=object).copy()
    merged = out == WHITE_OTHER_MERGED
    if not merged.any():
        return out
    subgroups = np.array(cat.WHITE_OTHER_SUBGROUPS)
    england = _england_white_other()
    table = _area_table(characteristics, "ethnic_group", subgroups)
    p = _origin_shares(table, origin_codes, fallback=england)[origin[merged]]
    for code, within in SPLIT_WITHIN.items():
        rows = specialism[merged] == code
        allowed = np.isin(subgroups, within)
        p[rows] = p[rows] * allowed
        empty = rows & (p.sum(axis=1) == 0)
        p[empty] = england * allowed
    out[merged] = subgroups[draw(rng, p)]
    return out


def lead_victims(
    rng: np.random.Generator,
    origin: np.ndarray,
    service_class_i: np.ndarray,
    service: np.ndarray,
    services: pd.DataFrame,
    origin_codes: np.ndarray,
    characteristics: pd.DataFrame | None,
    *,
    split_rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Attributes of each household: ``origin`` (position in ``origin_codes``), ``children``,
    :data:`ATTRIBUTE_COLUMNS` as integer category codes of the schema, and the flags
    ``harder`` (disabled, large family or older sons) and ``nrpf``.

    ``service_class_i`` and ``service`` (a row position in ``services``) are those of the
    service each household is first referred to. ``split_rng`` is the stream of
    :func:`split_white_other`, kept apart from ``rng``.
    """
    hh = _attributes(rng, len(origin), origin, service_class_i, origin_codes, characteristics)
    specialism = services["specialism"].astype(str).to_numpy()[service]
    apply_specialisms(rng, hh, specialism)
    hh["ethnic_group"] = split_white_other(
        split_rng, hh["ethnic_group"], origin, specialism, origin_codes, characteristics
    )
    # Hold attributes as integer category codes from here on (fast gathers at 10^6 rows).
    hh["harder"] = (
        (hh["disability"] == "disabled")
        | (hh[cat.need_column("large_family")] == "yes")
        | (hh[cat.need_column("older_sons")] == "yes")
    )
    hh["nrpf"] = hh[cat.need_column("nrpf")] == "yes"
    for column in ATTRIBUTE_COLUMNS:
        codes = schema.TABLES["referrals"].column(column).categories.codes
        hh[column] = categorical(hh[column], codes).codes
    return hh
