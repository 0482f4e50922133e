"""Survivor and stakeholder voice: themes from the optional ``engagement`` table.

Statutory guidance (1 October 2021, chapter 4) asks the partnership to hear from victims and
survivors, from specialist providers ("by and for" services among them) and from partners when
it assesses need. What they said cannot be computed; the ``engagement`` table records it as
themes, each with where it was heard (:data:`needs.reference.categories.ENGAGEMENT_SOURCES`), how
many people raised it (a count of people, published under disclosure control) and an optional
short quote.
"""

from __future__ import annotations

import pandas as pd

from needs.assessment.counting import tier_one_lookup
from needs.inputs.dataset import Dataset
from needs.reference import categories as cat

__all__ = ["ENGAGEMENT_COLUMNS", "engagement_themes"]

#: Columns of the ``engagement`` part.
ENGAGEMENT_COLUMNS: tuple[str, ...] = ("area_code", "period", "theme", "source", "respondents", "quote")


def engagement_themes(dataset: Dataset, period: str, *, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Respondents by theme and source, for every tier-one area, in ``period``.

    Rows of the ``engagement`` table for a district are counted in its tier-one area (the
    area code is mapped with :func:`needs.assessment.counting.tier_one_lookup`), and the
    respondents of one theme and source summed over them:

        respondents(area, theme, source) = sum of ``respondents`` over the rows of the area's
        districts and of the area itself with that theme and source in ``period``.

    The quote is the first one given for the theme and source (in file order). A person may
    raise several themes, so respondents do not add up across themes or sources.

    Parameters
    ----------
    dataset
        The validated dataset; without an ``engagement`` table the part has no rows.
    period
        Financial year, e.g. ``2023-24``.
    context
        Unused (the part needs no referrals); accepted like every part.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``period``, ``theme``, ``source`` (a code of
        :data:`~needs.reference.categories.ENGAGEMENT_SOURCES`), ``respondents`` (int) and
        ``quote`` (text or missing), ordered by area, source (in the order of the list) and
        theme: never by the counts, whose order would tell something of a hidden one.
    """
    if not dataset.has("engagement"):
        return pd.DataFrame(columns=list(ENGAGEMENT_COLUMNS))
    table = dataset.tables["engagement"]
    rows = table[table["period"].astype(str) == str(period)]
    if rows.empty:
        return pd.DataFrame(columns=list(ENGAGEMENT_COLUMNS))
    lookup = tier_one_lookup(dataset)
    codes = rows["area_code"].astype(str)
    rows = rows.assign(
        area_code=codes.map(lookup).astype(object).fillna(codes),
        theme=rows["theme"].astype(str).str.strip(),
        source=rows["source"].astype(str),
        quote=rows["quote"] if "quote" in rows.columns else pd.NA,
    )
    rows["quote"] = (
        rows["quote"].astype(object).where(rows["quote"].notna() & (rows["quote"].astype(str) != ""))
    )
    keys = ["area_code", "theme", "source"]
    out = (
        rows.groupby(keys, sort=False, observed=True)
        .agg(respondents=("respondents", "sum"), quote=("quote", "first"))
        .reset_index()
        .assign(period=str(period))
    )
    out["respondents"] = out["respondents"].astype("int64")
    # ordered by source and theme, never by the counts (a hidden count's place would tell)
    order = {code: i for i, code in enumerate(cat.ENGAGEMENT_SOURCES.codes)}
    out = out.assign(_source=out["source"].map(order)).sort_values(
        ["area_code", "_source", "theme"], kind="stable"
    )
    return out[list(ENGAGEMENT_COLUMNS)].reset_index(drop=True)
