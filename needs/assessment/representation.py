"""Demand by protected characteristic: who is referred and supported against who is expected.

For each tier-one area, each characteristic recorded on referrals (sex, age band, ethnic
group, religion, sexual orientation, gender identity, disability, pregnancy and the
additional-need flags) and each basis (households **referred** in the period, households
**supported** in the period) this module compares the observed profile of households with
the expected profile of victims:

* observed share of category k = households in k / households whose value is known, with a
  Wilson score interval (OHID method; :func:`needs.methods.intervals.proportion_ci`);
* expected share: for sex and age band, the composition of expected victims (population x
  CSEW prevalence, :mod:`needs.assessment.population`); for the Census characteristics, the area's
  Census 2021 profile of residents aged 16+ weighted by the relative prevalence of domestic
  abuse in each category (CSEW group rate / all-group rate of the same table, shipped in
  ``needs/reference/resources/csew_relative_prevalence.csv``, or the ``characteristics``
  table's own ``relative_prevalence`` where it gives one), 1 where none is published
  (``weight_basis`` says which, and flags a question set other than the rates');
* representation ratio = observed share / expected share with its interval
  (:func:`needs.methods.comparisons.representation_ratio`), compared with 1 at OHID's two
  levels, 95% and 99.8% (``significance``). A group is **under-reached** (DOMAIN.md 6.3,
  ``representation_index``: values below 1 suggest under-reach) when its ratio is below 1 at
  95% or more, is at most :data:`needs.reference.constants.UNDER_REACH_MAX_RATIO`, its expected
  share is weighted by a relative prevalence (``weight_basis``; a population share is not
  evidence of under-reach) and it is not the majority group whose ratio only mirrors the
  others' (:func:`_majority`);
* a chi-square goodness-of-fit test of the observed counts against the expected shares per
  area x characteristic x basis (:func:`needs.methods.comparisons.goodness_of_fit_grouped`).

``not_known`` values are counted and reported (the ``not_known`` part), and excluded from the
share denominators: every share is a share of the households whose value is known, so the
observed and expected profiles both sum to 1 over the known categories (DESIGN.md 4.2:
``not_known`` is reported, never silently dropped).

Counting rules (:mod:`needs.assessment.counting`): a household is **referred** in the period when one of
its referrals was made in the period to a service hosted in the area, and **supported** when
one of its accepted referrals to such a service has support overlapping the period. Each
household counts once per area and basis, with the characteristics recorded on its most recent
referral of that basis (latest ``date``, then latest ``referral_id``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from needs.assessment.counting import made_in_period, referrals_in_context, supported_in_period
from needs.assessment.population import expected_victims_by_band, select_prevalence
from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.methods import comparisons, intervals
from needs.reference import categories as cat
from needs.reference.constants import (
    DEFAULT_CONFIDENCE,
    MAJORITY_EXPECTED_SHARE,
    MIN_EXPECTED_COUNT_FOR_GOF,
    OHID_CONFIDENCE_LEVELS,
    UNDER_REACH_MAX_RATIO,
)
from needs.reference.locations import resource
from needs.reference.periods import period_end, period_start

__all__ = [
    "BASES",
    "CATEGORY_ORDER",
    "NOT_WEIGHTED",
    "ProfileCounter",
    "CHARACTERISTIC_LISTS",
    "expected_shares",
    "flag_rows",
    "household_profiles",
    "observed_counts",
    "relative_prevalence_weights",
    "representation",
]

#: ``weight_basis`` of an expected share that is the population share, not weighted by relative
#: prevalence (no published CSEW rate for the group): no under-reach flag is raised on it.
NOT_WEIGHTED = "population share, not weighted"

#: Every characteristic compared: referral column -> category list.
CHARACTERISTIC_LISTS: dict[str, cat.CategoryList] = {
    **cat.PROTECTED_CHARACTERISTICS,
    **{cat.need_column(code): cat.YES_NO for code in cat.ADDITIONAL_NEEDS},
}

#: The two bases of observed counts.
BASES: tuple[str, ...] = ("referred", "supported")

REPRESENTATION_COLUMNS: tuple[str, ...] = (
    "area_code",
    "characteristic",
    "category",
    "basis",
    "expected_share",
    "weight",
    "weight_basis",
    "observed_count",
    "observed_total",
    "observed_share",
    "lower",
    "upper",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "significance",
    "majority",
    "under_reached",
)
GOODNESS_OF_FIT_COLUMNS: tuple[str, ...] = (
    "area_code",
    "characteristic",
    "basis",
    "statistic",
    "dof",
    "p_value",
    "small_expected",
)
NOT_KNOWN_COLUMNS: tuple[str, ...] = ("area_code", "characteristic", "basis", "count", "total", "share")

#: Display order of characteristics and categories: ``characteristic``, ``category``, ``_c``
#: (characteristic's position), ``_k`` (category's position within it).
CATEGORY_ORDER = pd.DataFrame(
    [
        (name, code, c, k)
        for c, (name, categories) in enumerate(CHARACTERISTIC_LISTS.items())
        for k, code in enumerate(categories.codes)
    ],
    columns=["characteristic", "category", "_c", "_k"],
)
_BASIS_ORDER = {basis: i for i, basis in enumerate(BASES)}
_CHARACTERISTIC_ORDER = {name: i for i, name in enumerate(CHARACTERISTIC_LISTS)}


def household_profiles(
    dataset: Dataset,
    period: str,
    referrals: pd.DataFrame | None = None,
    bases: tuple[str, ...] = BASES,
) -> pd.DataFrame:
    """One row per area, basis and household, in long form by characteristic.

    Parameters
    ----------
    dataset
        The dataset.
    period
        Financial year.
    referrals
        Referrals in context (:func:`needs.assessment.counting.referrals_in_context`); computed from
        ``dataset`` if not given.
    bases
        Which bases to include (``referred``, ``supported``).

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (host tier-one area), ``basis``, ``household_id``, ``characteristic``,
        ``category`` (plain strings; a blank value is ``not_known``).
    """
    if referrals is None:
        referrals = referrals_in_context(dataset)
    characteristics = [name for name in CHARACTERISTIC_LISTS if name in referrals.columns]
    rules = {"referred": made_in_period, "supported": supported_in_period}
    unknown = set(bases) - set(rules)
    if unknown:
        raise ValueError(f"bases: unknown basis {sorted(unknown)}; expected some of {list(rules)}")
    frames = []
    for basis in bases:
        mask = rules[basis](referrals, period)
        chosen = referrals.loc[
            mask, ["host_tier_one", "household_id", "date", "referral_id", *characteristics]
        ]
        chosen = chosen.assign(
            household_id=chosen["household_id"].astype(str), referral_id=chosen["referral_id"].astype(str)
        )
        latest = chosen.sort_values(["date", "referral_id"]).drop_duplicates(
            ["host_tier_one", "household_id"], keep="last"
        )
        frames.append(latest.drop(columns=["date", "referral_id"]).assign(basis=basis))
    households = pd.concat(frames, ignore_index=True)
    households = households[households["host_tier_one"].notna()]
    households[characteristics] = households[characteristics].astype(object)
    long = households.melt(
        id_vars=["host_tier_one", "basis", "household_id"],
        value_vars=characteristics,
        var_name="characteristic",
        value_name="category",
    )
    long["category"] = long["category"].where(long["category"].notna(), cat.NOT_KNOWN).astype(str)
    long.loc[long["category"] == "", "category"] = cat.NOT_KNOWN
    long = long.rename(columns={"host_tier_one": "area_code"})
    long["area_code"] = long["area_code"].astype(str)
    return long[["area_code", "basis", "household_id", "characteristic", "category"]]


def _category_grid(areas: pd.Series) -> pd.DataFrame:
    """Every area x basis x characteristic x known category (zero counts included)."""
    codes = pd.DataFrame(
        [
            (name, code)
            for name, categories in CHARACTERISTIC_LISTS.items()
            for code in categories.codes
            if code != cat.NOT_KNOWN
        ],
        columns=["characteristic", "category"],
    )
    frame = pd.DataFrame({"area_code": pd.Series(areas, dtype=str).unique()})
    frame = frame.merge(pd.DataFrame({"basis": list(BASES)}), how="cross")
    return frame.merge(codes, how="cross")


def observed_counts(profiles: pd.DataFrame, areas: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts by category (zeros included) and not-known counts, from :func:`household_profiles`.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(counts, not_known)``: ``counts`` has ``area_code``, ``basis``, ``characteristic``,
        ``category``, ``observed_count``, ``observed_total`` (households with a known value);
        ``not_known`` has ``area_code``, ``characteristic``, ``basis``, ``count``, ``total``,
        ``share`` (= count / total households).
    """
    keys = ["area_code", "basis", "characteristic"]
    profiles = profiles[profiles["area_code"].isin(pd.Series(areas, dtype=str))]
    counts = (
        profiles.groupby([*keys, "category"], observed=True).size().rename("observed_count").reset_index()
    )
    grid = _category_grid(areas)
    known = counts[counts["category"] != cat.NOT_KNOWN]
    counts_full = grid.merge(known, on=[*keys, "category"], how="outer")
    counts_full["observed_count"] = counts_full["observed_count"].fillna(0).astype("int64")
    known_totals = known.groupby(keys)["observed_count"].sum().rename("observed_total")
    counts_full = counts_full.merge(known_totals.reset_index(), on=keys, how="left")
    counts_full["observed_total"] = counts_full["observed_total"].fillna(0).astype("int64")

    totals = profiles.groupby(keys)["household_id"].size().rename("total").reset_index()
    unknown = counts[counts["category"] == cat.NOT_KNOWN][[*keys, "observed_count"]].rename(
        columns={"observed_count": "count"}
    )
    not_known = grid[keys].drop_duplicates().merge(totals, on=keys, how="left")
    not_known = not_known.merge(unknown, on=keys, how="left")
    not_known[["count", "total"]] = not_known[["count", "total"]].fillna(0).astype("int64")
    not_known["share"] = np.where(
        not_known["total"] > 0, not_known["count"] / not_known["total"].where(not_known["total"] > 0), np.nan
    )
    return counts_full, not_known[list(NOT_KNOWN_COLUMNS)]


class ProfileCounter:
    """Household profile counts for many periods and bases from one integer coding of the
    referrals.

    The same numbers as :func:`observed_counts` applied to :func:`household_profiles` (and
    as :func:`needs.assessment.counting.households_supported` for the household totals), computed
    without string group-bys: households, host areas and every characteristic are coded as
    integers once, the most recent referral of each (area, household) is found by one sort
    and the categories of every characteristic are counted by one ``numpy.bincount``.

    Parameters
    ----------
    referrals
        Referrals in context (:func:`needs.assessment.counting.referrals_in_context`), all records.
    areas
        Tier-one area codes reported (``Dataset.tier_one_areas``).

    Attributes
    ----------
    usable : bool
        False when the records hold something the integer coding does not reproduce exactly
        (a missing household id, or a characteristic value outside its category list); the
        callers then use the general functions instead.
    """

    def __init__(self, referrals: pd.DataFrame, areas: pd.Series) -> None:
        self.referrals = referrals
        self.area_codes = pd.Series(areas, dtype=str).unique()
        self._cache: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._households: dict[str, np.ndarray] = {}
        self.usable = self._code()

    def _code(self) -> bool:
        referrals = self.referrals
        if "household_code" in referrals.columns:
            self.household = referrals["household_code"].to_numpy()
        else:
            self.household = pd.factorize(referrals["household_id"])[0]
        if (self.household < 0).any():  # a missing household id
            return False
        self.n_households = int(self.household.max()) + 1 if len(self.household) else 1
        host_codes, host_uniques = pd.factorize(referrals["host_tier_one"])
        position = {code: i for i, code in enumerate(self.area_codes)}
        host_map = np.array([position.get(str(code), -1) for code in host_uniques] + [-1], dtype=np.int64)
        self.area = host_map[host_codes]
        dates = pd.to_datetime(referrals["date"])
        self.date_values = dates.to_numpy()
        order = dates.to_numpy().view("i8").copy()
        order[dates.isna().to_numpy()] = np.iinfo(np.int64).max  # NaT sorts last
        self.date_order = order
        outcome = referrals["outcome"]
        self.accepted = _equals(outcome, "accepted_supported")
        self.support_start = pd.to_datetime(referrals["support_start"]).to_numpy()
        self.support_end = pd.to_datetime(referrals["support_end"]).to_numpy()
        self.characteristics = [name for name in CHARACTERISTIC_LISTS if name in referrals.columns]
        sizes = [len(categories.codes) for categories in CHARACTERISTIC_LISTS.values()]
        self.offsets = dict(zip(CHARACTERISTIC_LISTS, np.cumsum([0, *sizes[:-1]]), strict=True))
        self.width = int(sum(sizes))
        # Filled column by column in place: no stacked int64 copy of every column.
        self.codes = np.empty((len(referrals), len(self.characteristics)), dtype=np.int32)
        for j, name in enumerate(self.characteristics):
            codes = _category_codes(referrals[name], CHARACTERISTIC_LISTS[name].codes)
            if codes is None:
                return False
            np.add(codes, self.offsets[name], out=self.codes[:, j], casting="unsafe")
        return True

    def _mask(self, period: str, basis: str) -> np.ndarray:
        start = np.datetime64(period_start(period))
        end = np.datetime64(period_end(period))
        if basis == "referred":
            return (self.date_values >= start) & (self.date_values <= end)
        ends = self.support_end
        open_or_after = np.isnat(ends) | (ends >= start)
        return self.accepted & (self.support_start <= end) & open_or_after

    def _latest(self, mask: np.ndarray) -> np.ndarray:
        """Row of the most recent referral (latest date, then referral id) of each
        (area, household) among ``mask``."""
        rows = np.flatnonzero(mask & (self.area >= 0))
        key = self.area[rows] * self.n_households + self.household[rows]
        order = np.lexsort((self.date_order[rows], key))
        rows, key = rows[order], key[order]
        date = self.date_order[rows]
        last = np.ones(len(rows), dtype=bool)
        last[:-1] = key[1:] != key[:-1]
        same = np.zeros(len(rows), dtype=bool)  # same key and date as the row before
        same[1:] = (key[1:] == key[:-1]) & (date[1:] == date[:-1])
        if not (same & last).any():
            return rows[last]
        # Groups whose latest date is shared: the largest referral id wins (then the later row).
        run = np.cumsum(~same)
        tied_runs = np.unique(run[same & last])
        candidate = np.flatnonzero(np.isin(run, tied_runs))
        ids = self.referrals["referral_id"].astype(str).to_numpy()[rows[candidate]]
        by_id = np.argsort(np.asarray(ids, dtype=object), kind="stable")
        by_key = by_id[np.argsort(key[candidate][by_id], kind="stable")]
        ordered = candidate[by_key]
        keep = np.ones(len(ordered), dtype=bool)
        keep[:-1] = key[ordered][1:] != key[ordered][:-1]
        chosen = last & ~np.isin(run, tied_runs)
        chosen[ordered[keep]] = True
        return rows[chosen]

    def households(self, period: str) -> np.ndarray:
        """Households supported in ``period`` per area (counted once each)."""
        if period not in self._households:
            # The latest supported referral of each (area, household) is one row per pair, so
            # the supported-basis counts (wanted by the trends anyway) give the totals.
            self.counts(period, "supported")
        return self._households[period]

    def counts(self, period: str, basis: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(counts, not_known)`` for one basis, as :func:`observed_counts` gives them for
        that basis."""
        if (period, basis) in self._cache:
            return self._cache[(period, basis)]
        n_areas = len(self.area_codes)
        rows = self._latest(self._mask(period, basis))
        area = self.area[rows]
        if basis == "supported":
            self._households.setdefault(period, np.bincount(area, minlength=n_areas))
        households = np.bincount(area, minlength=n_areas)
        flat = self.codes[rows]  # a fresh int32 array: offset it in place
        flat += (area.astype(np.int32) * np.int32(self.width))[:, None]
        flat = flat.ravel()
        table = np.bincount(flat, minlength=n_areas * self.width).reshape(n_areas, self.width)
        count_frames, unknown_frames = [], []
        for name, categories in CHARACTERISTIC_LISTS.items():
            codes = list(categories.codes)
            offset = self.offsets[name]
            block = table[:, offset : offset + len(codes)]
            known = [k for k, code in enumerate(codes) if code != cat.NOT_KNOWN]
            observed = block[:, known]
            present = name in self.characteristics
            count_frames.append(
                pd.DataFrame(
                    {
                        "area_code": np.repeat(self.area_codes, len(known)),
                        "characteristic": name,
                        "category": np.tile(np.asarray(codes, dtype=object)[known], n_areas),
                        "observed_count": observed.ravel().astype("int64"),
                        "observed_total": np.repeat(observed.sum(axis=1), len(known)).astype("int64"),
                    }
                )
            )
            unknown = block[:, codes.index(cat.NOT_KNOWN)] if cat.NOT_KNOWN in codes else np.zeros(n_areas)
            total = households if present else np.zeros(n_areas, dtype=np.int64)
            unknown_frames.append(
                pd.DataFrame(
                    {
                        "area_code": self.area_codes,
                        "characteristic": name,
                        "count": unknown.astype("int64"),
                        "total": total.astype("int64"),
                    }
                )
            )
        counts = pd.concat(count_frames, ignore_index=True)
        counts.insert(1, "basis", basis)
        not_known = pd.concat(unknown_frames, ignore_index=True)
        not_known.insert(2, "basis", basis)
        total = not_known["total"].to_numpy()
        not_known["share"] = np.where(
            total > 0, not_known["count"] / np.where(total > 0, total, np.nan), np.nan
        )
        self._cache[(period, basis)] = (counts, not_known)
        return counts, not_known


def _equals(values: pd.Series, code: str) -> np.ndarray:
    """``values.astype(str) == code`` as a boolean array, without building strings."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = np.asarray(values.cat.categories.astype(str), dtype=object) == code
        return np.append(categories, False)[values.cat.codes.to_numpy()]
    return (values.astype(str) == code).to_numpy()


def _category_codes(values: pd.Series, codes: tuple[str, ...]) -> np.ndarray | None:
    """Position of each value in ``codes`` (blank or missing: ``not_known``); ``None`` if a
    value is not in ``codes``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        index, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        index, uniques = pd.factorize(values)
    not_known = codes.index(cat.NOT_KNOWN)
    position = {code: i for i, code in enumerate(codes)}
    lookup = []
    for value in uniques:
        label = str(value)
        if label == "":
            label = cat.NOT_KNOWN
        if label not in position:
            return None
        lookup.append(position[label])
    lookup.append(not_known)  # missing values (code -1)
    return np.asarray(lookup, dtype=np.int32)[index]


def relative_prevalence_weights() -> pd.DataFrame:
    """Relative prevalence of domestic abuse by protected characteristic, as shipped.

    weight(k) = CSEW last-year prevalence in group k / the all-group prevalence of the same
    table (``needs/reference/resources/csew_relative_prevalence.csv``; sources and question set
    in that folder's README): disability, sexual orientation and gender identity from the CSEW
    year ending March 2022 (partner abuse, women aged 16 and over; ONS appendix tables as
    republished for UK SDG indicator 5.2.1), ethnic group from the CSEW year ending March 2023
    (any domestic abuse, adults aged 16 and over; GOV.UK Ethnicity facts and figures). Both are
    the **old** CSEW question set. A group ONS suppressed has a blank weight.

    Returns
    -------
    pandas.DataFrame
        ``characteristic``, ``category``, ``csew_group``, ``rate``, ``reference_rate`` (percent),
        ``weight``, ``csew_period``, ``question_set``, ``csew_measure``, ``source_title``,
        ``source_url``.
    """
    table = pd.read_csv(resource("csew_relative_prevalence.csv"), dtype={"question_set": str})
    return table


def _rates_measure(dataset: Dataset, period: str, measure: str | None) -> tuple[str | None, pd.DataFrame]:
    """The CSEW question set of the rates used for expected victims, and those rates (empty
    when the dataset has none for ``period``)."""
    if not dataset.has("prevalence"):
        return None, pd.DataFrame(columns=["sex", "age_band"])
    try:
        chosen, prevalence_period = select_prevalence(dataset, period, measure)
    except InputError:
        return None, pd.DataFrame(columns=["sex", "age_band"])
    table = dataset.tables["prevalence"]
    rows = table[
        (table["measure"].astype(str) == chosen) & (table["period"].astype(str) == prevalence_period)
    ]
    return chosen, rows.astype({"sex": str, "age_band": str})


def _weight_table(rates_measure: str | None) -> pd.DataFrame:
    """The shipped relative prevalence weight and its basis for every Census characteristic
    and category (:func:`relative_prevalence_weights`).

    ``weight_basis`` names the source ("CSEW YE Mar 2022, old question set"), says when its
    question set differs from that of the rates used for expected victims, or is
    :data:`NOT_WEIGHTED`. An area whose ``characteristics`` rows give its own
    ``relative_prevalence`` for a characteristic uses those instead (:func:`_census_profile`).

    Returns
    -------
    pandas.DataFrame
        ``characteristic``, ``category``, ``weight`` (NaN: not weighted), ``weight_basis``.
    """
    grid = pd.DataFrame(
        [
            (name, code)
            for name, categories in cat.PROTECTED_CHARACTERISTICS.items()
            if name not in ("sex", "age_band")
            for code in categories.codes
            if code != cat.NOT_KNOWN
        ],
        columns=["characteristic", "category"],
    )
    shipped = relative_prevalence_weights()
    shipped = shipped[shipped["weight"].notna()]
    basis = "CSEW " + shipped["csew_period"].astype(str) + ", " + shipped["question_set"] + " question set"
    if rates_measure is not None:
        differs = shipped["question_set"] != rates_measure
        basis = basis.where(~differs, basis + f" (rates: {rates_measure} question set)")
    shipped = shipped.assign(weight_basis=basis)[["characteristic", "category", "weight", "weight_basis"]]
    out = grid.merge(shipped, on=["characteristic", "category"], how="left")
    out["weight_basis"] = out["weight_basis"].fillna(NOT_WEIGHTED)
    return out


def _census_profile(dataset: Dataset, weights: pd.DataFrame) -> pd.DataFrame:
    """Census 16+ profile of each tier-one area, weighted by relative prevalence.

    Rows for the area's base areas (districts) are summed; rows given for the tier-one area
    itself are used only for characteristics its districts do not have (never both). Each
    row's Census count is multiplied by its weight: where any of the area's rows of a
    characteristic give ``relative_prevalence``, the area's own figure on each row (the
    characteristic's weights come from the dataset, decided area by area so an area's figures
    do not depend on the other areas in the data); otherwise the shipped weight of the
    category (:func:`_weight_table`); 1 where there is none.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``characteristic``, ``category``, ``weight`` (the weighted count),
        ``relative`` (the weight applied, NaN where none), ``from_dataset``.
    """
    columns = ["area_code", "characteristic", "category", "count", "own"]
    out_columns = ["area_code", "characteristic", "category", "weight", "relative", "from_dataset"]
    if not dataset.has("characteristics"):
        return pd.DataFrame(columns=out_columns)
    table = dataset.tables["characteristics"]
    own = (
        pd.to_numeric(table["relative_prevalence"], errors="coerce").astype(float)
        if "relative_prevalence" in table.columns
        else pd.Series(np.nan, index=table.index)
    )
    rows = pd.DataFrame(
        {
            "source_area": table["area_code"].astype(str),
            "characteristic": table["characteristic"].astype(str),
            "category": table["category"].astype(str),
            "count": table["count"].astype(float),
            "own": own.to_numpy(),
        }
    )
    rows = rows[rows["category"] != cat.NOT_KNOWN]
    parents = dataset.base_area_parents().astype(str)
    base = rows.merge(parents, left_on="source_area", right_on="area_code", how="inner")
    base = base.drop(columns="area_code").rename(columns={"tier_one_code": "area_code"})
    tier_one = rows[~rows["source_area"].isin(parents["area_code"])].rename(
        columns={"source_area": "area_code"}
    )
    covered = base[["area_code", "characteristic"]].drop_duplicates()
    tier_one = tier_one.merge(covered, on=["area_code", "characteristic"], how="left", indicator=True)
    tier_one = tier_one[tier_one["_merge"] == "left_only"]
    combined = pd.concat([base[columns], tier_one[columns]], ignore_index=True)
    combined["from_dataset"] = (
        combined["own"].notna().groupby([combined["area_code"], combined["characteristic"]]).transform("any")
    )
    combined = combined.merge(
        weights[["characteristic", "category", "weight"]], on=["characteristic", "category"], how="left"
    )
    combined["relative"] = combined["own"].where(combined["from_dataset"], combined["weight"])
    combined["weight"] = combined["count"] * combined["relative"].fillna(1.0)
    keys = ["area_code", "characteristic", "category"]
    return combined.groupby(keys, as_index=False).agg(
        weight=("weight", "sum"), relative=("relative", "first"), from_dataset=("from_dataset", "first")
    )[out_columns]


def _age_profile_source() -> str:
    """The CSEW table behind :mod:`needs.assessment.population`'s modelled age profile, e.g.
    ``"CSEW age profile YE Mar 2020, old question set"`` (read from its shipped resource)."""
    try:
        table = pd.read_csv(resource("csew_age_profile.csv"))
    except (FileNotFoundError, OSError):
        return "CSEW age profile"
    found = table["table"].astype(str).str.extract(r"(YE Mar \d{4})")[0].dropna()
    return f"CSEW age profile {found.iloc[0]}, old question set" if len(found) else "CSEW age profile"


def _band_basis(bands: pd.DataFrame, rates: pd.DataFrame, measure: str) -> pd.DataFrame:
    """``weight_basis`` of the sex and age-band expected shares (expected victims).

    A sex is weighted when the rates have a row for that sex. An age band's expected share is
    weighted by age when a published rate for the band was applied to some of its population
    ("CSEW rates by age band"), or when its rate was modelled from the documented age profile
    (``rate_basis`` of :func:`needs.assessment.population.expected_victims_by_band`; the profile's
    table and question set are named and flagged when they differ from the rates'). A band that
    took the all-adults rate with no age profile is a population share (:data:`NOT_WEIGHTED`).
    """
    frames = []
    sexes = set(rates["sex"]) - {"all"}
    sex_rows = bands[["tier_one_code", "sex"]].drop_duplicates()
    frames.append(
        pd.DataFrame(
            {
                "area_code": sex_rows["tier_one_code"].astype(str),
                "characteristic": "sex",
                "category": sex_rows["sex"].astype(str),
                "weight_basis": np.where(
                    sex_rows["sex"].isin(sexes), f"CSEW rates by sex, {measure} question set", NOT_WEIGHTED
                ),
            }
        )
    )
    basis = (
        bands["rate_basis"].astype(str) if "rate_basis" in bands.columns else pd.Series("", index=bands.index)
    )
    flags = bands.assign(
        _published=bands["rate_age_band"].astype(str) != "all",
        _modelled=basis.str.startswith("modelled"),
    )
    by_band = flags.groupby(["tier_one_code", "age_band"], as_index=False)[["_published", "_modelled"]].any()
    profile = _age_profile_source()
    modelled = profile
    if measure and "old question set" in profile and measure != "old":
        modelled += f" (rates: {measure} question set)"
    frames.append(
        pd.DataFrame(
            {
                "area_code": by_band["tier_one_code"].astype(str),
                "characteristic": "age_band",
                "category": by_band["age_band"].astype(str),
                "weight_basis": np.select(
                    [by_band["_published"], by_band["_modelled"]],
                    [f"CSEW rates by age band, {measure} question set", modelled],
                    NOT_WEIGHTED,
                ),
            }
        )
    )
    return pd.concat(frames, ignore_index=True)


def expected_shares(
    dataset: Dataset, period: str, measure: str | None = None, confidence: float = DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """Expected share of victims in each category, by tier-one area.

    - ``sex`` and ``age_band``: share of expected victims (:func:`needs.assessment.population.
      expected_victims_by_band`, population x CSEW rate) in the sex or age band, summed over
      the area's districts. Missing if the dataset has no applicable prevalence rates.
    - Census characteristics: expected share(k) = w_k / sum_j w_j with
      w_k = sum over districts of Census 16+ count(k) x weight(k), over the known categories;
      weight(k) = CSEW prevalence in group k / all-group prevalence of the same table
      (:func:`relative_prevalence_weights`, or the dataset's ``relative_prevalence`` where it
      gives one for the characteristic), 1 where no weight exists. E.g. a group with 20% of
      the population and weight 2 beside one of 80% with weight 1: 0.4 / (0.4 + 0.8) = 1/3.
      A category absent from a characteristic the area has a profile for gets 0.
    - Pregnancy and additional needs: no population profile exists, so no rows (NaN).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``characteristic``, ``category``, ``expected_share``, ``weight``
        (relative prevalence applied; NaN where none), ``weight_basis`` (source and question set
        of the weight, flagged where it differs from the rates'; :data:`NOT_WEIGHTED` where
        there is none).
    """
    rates_measure, rates = _rates_measure(dataset, period, measure)
    weights = _weight_table(rates_measure)
    frames = []
    try:
        bands = expected_victims_by_band(dataset, period, measure, confidence)
    except InputError:
        bands = None
    band_basis = pd.DataFrame(columns=["area_code", "characteristic", "category", "weight_basis"])
    if bands is not None:
        for characteristic in ("sex", "age_band"):
            frames.append(
                bands.groupby(["tier_one_code", characteristic], as_index=False)["value"]
                .sum()
                .rename(columns={"tier_one_code": "area_code", characteristic: "category", "value": "weight"})
                .assign(characteristic=characteristic)
            )
        band_basis = _band_basis(bands, rates, str(bands["measure"].iloc[0]) if len(bands) else "")
    census = _census_profile(dataset, weights)
    frames.append(census[["area_code", "characteristic", "category", "weight"]])
    profile = pd.concat(frames, ignore_index=True)
    profile = profile[profile["category"] != cat.NOT_KNOWN]
    totals = profile.groupby(["area_code", "characteristic"])["weight"].transform("sum")
    profile["expected_share"] = profile["weight"] / totals.where(totals > 0)
    # Categories missing from a profile that exists count as expected share 0.
    present = profile[["area_code", "characteristic"]].drop_duplicates()
    grid = present.merge(
        pd.DataFrame(
            [
                (name, code)
                for name, categories in CHARACTERISTIC_LISTS.items()
                for code in categories.codes
                if code != cat.NOT_KNOWN
            ],
            columns=["characteristic", "category"],
        ),
        on="characteristic",
    )
    out = grid.merge(
        profile[["area_code", "characteristic", "category", "expected_share"]],
        on=["area_code", "characteristic", "category"],
        how="left",
    )
    out["expected_share"] = out["expected_share"].fillna(0.0)
    out = out.merge(
        weights[["characteristic", "category", "weight", "weight_basis"]],
        on=["characteristic", "category"],
        how="left",
    )
    local = census.loc[census["from_dataset"].astype(bool), ["area_code", "characteristic", "category", "relative"]]
    out = out.merge(local, on=["area_code", "characteristic", "category"], how="left")
    given = out["relative"].notna() | out.set_index(["area_code", "characteristic"]).index.isin(
        pd.MultiIndex.from_frame(local[["area_code", "characteristic"]])
    )
    # An area that gives its own weights for a characteristic: a blank category is not weighted.
    out["weight"] = out["weight"].where(~given, out["relative"])
    out["weight_basis"] = out["weight_basis"].where(
        ~given, np.where(out["relative"].notna(), "relative prevalence given in the dataset", NOT_WEIGHTED)
    )
    out = out.drop(columns="relative")
    out = out.merge(
        band_basis, on=["area_code", "characteristic", "category"], how="left", suffixes=("", "_band")
    )
    out["weight_basis"] = out["weight_basis"].fillna(out["weight_basis_band"]).fillna(NOT_WEIGHTED)
    return out[["area_code", "characteristic", "category", "expected_share", "weight", "weight_basis"]]


def _majority(frame: pd.DataFrame) -> pd.Series:
    """Rows of the majority group of their area x characteristic x basis.

    Among the categories with an expected share, the one with the largest expected share is
    the majority when that share is above :data:`MAJORITY_EXPECTED_SHARE` or when only two
    categories have an expected share above 0 (a two-group characteristic: its two ratios mirror
    each other). Its ratio is mostly the mirror image of the other groups' (shares sum to 1),
    so it is not flagged as under-reached.
    """
    keys = [frame["area_code"], frame["characteristic"], frame["basis"]]
    share = frame["expected_share"].astype(float)
    largest = share.groupby(keys).transform("max")
    groups = (share > 0).groupby(keys).transform("sum")
    tie = (share == largest) & share.notna()
    top = tie & (tie.astype(int).groupby(keys).cumsum() == 1)
    return (top & ((share > MAJORITY_EXPECTED_SHARE) | (groups == 2))).astype(bool)


def flag_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``significance``, ``majority`` and ``under_reached`` to representation rows.

    - significance: the representation ratio (:func:`needs.methods.comparisons.representation_ratio`,
      Wilson limits of the observed share / expected share) against 1 at OHID's two levels,
      95% and 99.8% (:data:`needs.reference.constants.OHID_CONFIDENCE_LEVELS`,
      :func:`needs.methods.comparisons.significance_against`); ``None`` where there is no ratio.
    - majority: :func:`_majority`.
    - under_reached: significance "below at 95%" or "below at 99.8%" **and**
      ratio <= :data:`needs.reference.constants.UNDER_REACH_MAX_RATIO` **and**
      ``weight_basis`` is not :data:`NOT_WEIGHTED` **and** not majority.

    Parameters
    ----------
    frame
        ``area_code``, ``characteristic``, ``basis``, ``observed_count``, ``observed_total``,
        ``expected_share``, ``ratio``, ``weight_basis``.
    """
    out = frame.copy()
    out["significance"] = pd.Series(None, index=out.index, dtype=object)
    comparable = (out["observed_total"] > 0) & (out["expected_share"] > 0)
    if comparable.any():
        levels = comparisons.representation_ratio(
            out.loc[comparable, "observed_count"].to_numpy(),
            out.loc[comparable, "observed_total"].to_numpy(),
            out.loc[comparable, "expected_share"].to_numpy(),
            confidence=list(OHID_CONFIDENCE_LEVELS),
        )
        lowers = [column for column in levels.columns if column.startswith("lower_")]
        bounds = {
            level: (levels[lower].to_numpy(), levels["upper_" + lower[len("lower_") :]].to_numpy())
            for level, lower in zip(OHID_CONFIDENCE_LEVELS, lowers, strict=True)
        }
        out.loc[comparable, "significance"] = comparisons.significance_against(bounds, null=1.0)
    out["majority"] = _majority(out)
    below = [f"below at {100 * level:g}%" for level in OHID_CONFIDENCE_LEVELS]
    out["under_reached"] = (
        out["significance"].isin(below)
        & (out["ratio"] <= UNDER_REACH_MAX_RATIO)
        & (out["weight_basis"] != NOT_WEIGHTED)
        & ~out["majority"]
    ).astype(bool)
    return out


def representation(
    dataset: Dataset,
    period: str,
    confidence: float = DEFAULT_CONFIDENCE,
    measure: str | None = None,
    *,
    counter: ProfileCounter | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Observed against expected profile of households, for every tier-one area.

    Shares are among households whose value is known (``not_known`` is excluded from the
    denominator and reported separately). For pregnancy and the additional needs there is no
    population profile: observed shares and intervals are reported and ``expected_share``,
    the ratio and its limits are NaN (``under_reached`` False).

    observed_share = observed_count / observed_total (Wilson interval);
    ratio = observed_share / expected_share (:func:`needs.methods.comparisons.representation_ratio`),
    with its interval at ``confidence``;
    significance = the ratio against 1 at OHID's two levels, 95% and 99.8%
    (:data:`needs.reference.constants.OHID_CONFIDENCE_LEVELS`,
    :func:`needs.methods.comparisons.significance_against`): "below at 99.8%", "below at 95%",
    "not significant", "above at 95%", "above at 99.8%";
    majority = the group with the largest expected share of its area x characteristic x basis
    when that share is above :data:`needs.reference.constants.MAJORITY_EXPECTED_SHARE` or the
    characteristic has two groups (its ratio mirrors the others');
    under_reached = significance below 1 at 95% (or 99.8%) **and** ratio at most
    :data:`needs.reference.constants.UNDER_REACH_MAX_RATIO` **and** an expected share weighted
    by relative prevalence (``weight_basis`` is not :data:`NOT_WEIGHTED`) **and** not the
    majority group.

    Parameters
    ----------
    dataset
        The dataset.
    period
        Financial year, e.g. ``2024-25``.
    confidence
        Confidence level of the intervals.
    measure
        CSEW question set for the sex and age profiles; default as
        :func:`needs.assessment.population.expected_victims`.
    counter
        A :class:`ProfileCounter` of the dataset's referrals to share with other parts
        (:func:`needs.assessment.assemble.assess_all` builds one); built here if not given.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(representation, goodness_of_fit, not_known)`` with the columns of
        ``docs/ARCHITECTURE.md`` ("The Assessment"). ``goodness_of_fit`` has a row per area x
        characteristic x basis that has an expected profile and at least one household with
        a known value; categories with expected share 0 and no households are left out of the
        test. ``small_expected`` is True when an expected count is below
        :data:`needs.reference.constants.MIN_EXPECTED_COUNT_FOR_GOF` (Cochran's rule: the chi-square
        approximation is then unreliable).
    """
    areas = dataset.tier_one_areas()["area_code"].astype(str)
    if counter is None:
        counter = ProfileCounter(referrals_in_context(dataset), areas)
    if counter.usable:
        parts = [counter.counts(period, basis) for basis in BASES]
        counts = pd.concat([part[0] for part in parts], ignore_index=True)
        not_known = pd.concat([part[1] for part in parts], ignore_index=True)
    else:
        profiles = household_profiles(dataset, period, counter.referrals)
        counts, not_known = observed_counts(profiles, areas)
    expected = expected_shares(dataset, period, measure, confidence)
    out = counts.merge(expected, on=["area_code", "characteristic", "category"], how="left")

    out["observed_share"] = np.nan
    out["lower"] = np.nan
    out["upper"] = np.nan
    has_total = out["observed_total"] > 0
    if has_total.any():
        ci = intervals.proportion_ci(
            out.loc[has_total, "observed_count"].to_numpy(),
            out.loc[has_total, "observed_total"].to_numpy(),
            confidence=confidence,
        )
        out.loc[has_total, "observed_share"] = np.asarray(ci["value"], dtype=float)
        out.loc[has_total, "lower"] = np.asarray(ci["lower"], dtype=float)
        out.loc[has_total, "upper"] = np.asarray(ci["upper"], dtype=float)

    out["ratio"] = np.nan
    out["ratio_lower"] = np.nan
    out["ratio_upper"] = np.nan
    comparable = has_total & (out["expected_share"] > 0)
    if comparable.any():
        rr = comparisons.representation_ratio(
            out.loc[comparable, "observed_count"].to_numpy(),
            out.loc[comparable, "observed_total"].to_numpy(),
            out.loc[comparable, "expected_share"].to_numpy(),
            confidence=confidence,
        )
        out.loc[comparable, "ratio"] = np.asarray(rr["value"], dtype=float)
        out.loc[comparable, "ratio_lower"] = np.asarray(rr["lower"], dtype=float)
        out.loc[comparable, "ratio_upper"] = np.asarray(rr["upper"], dtype=float)
    out = flag_rows(out)

    order = _CHARACTERISTIC_ORDER
    out = out.merge(CATEGORY_ORDER, on=["characteristic", "category"], how="left")
    out["_b"] = out["basis"].map(_BASIS_ORDER)
    out = out.sort_values(["area_code", "_c", "_b", "_k"], na_position="last").reset_index(drop=True)
    result = out[list(REPRESENTATION_COLUMNS)]

    tested = out[
        out["expected_share"].notna()
        & (out["observed_total"] > 0)
        & ((out["expected_share"] > 0) | (out["observed_count"] > 0))
    ]
    if tested.empty:
        fit = pd.DataFrame(columns=list(GOODNESS_OF_FIT_COLUMNS))
    else:
        with warnings.catch_warnings():
            # Reported in the ``small_expected`` column instead.
            warnings.simplefilter("ignore", comparisons.SmallExpectedCountWarning)
            fit = comparisons.goodness_of_fit_grouped(
                tested,
                observed="observed_count",
                expected_share="expected_share",
                by=["area_code", "characteristic", "basis"],
            )
        if "small_expected" not in fit.columns:
            expected_count = tested["expected_share"] * tested["observed_total"]
            small = (
                (expected_count < MIN_EXPECTED_COUNT_FOR_GOF)
                .groupby([tested["area_code"], tested["characteristic"], tested["basis"]])
                .any()
            )
            fit = fit.merge(
                small.rename("small_expected").reset_index(), on=["area_code", "characteristic", "basis"]
            )
        fit["_c"] = fit["characteristic"].map(order)
        fit["_b"] = fit["basis"].map(_BASIS_ORDER)
        fit = fit.sort_values(["area_code", "_c", "_b"]).reset_index(drop=True)[list(GOODNESS_OF_FIT_COLUMNS)]

    not_known = not_known.assign(
        _c=not_known["characteristic"].map(order), _b=not_known["basis"].map(_BASIS_ORDER)
    )
    not_known = not_known.sort_values(["area_code", "_c", "_b"]).reset_index(drop=True)[
        list(NOT_KNOWN_COLUMNS)
    ]
    return result, fit, not_known
