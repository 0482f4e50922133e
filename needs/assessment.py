"""The needs assessment: every part, for one tier-one area or for all of them at once."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd


@dataclass
class Assessment:
    """The parts of a needs assessment, each a tidy DataFrame with an ``area_code`` column.

    See ``docs/ARCHITECTURE.md`` ("The Assessment") for the columns of each part.
    """

    period: str
    areas: pd.DataFrame  # area_code, area_name, population, population_16plus
    expected_victims: pd.DataFrame
    representation: pd.DataFrame
    goodness_of_fit: pd.DataFrame
    not_known: pd.DataFrame
    outcomes: pd.DataFrame
    decline_reasons: pd.DataFrame
    declines_by_group: pd.DataFrame
    unmet: pd.DataFrame
    cross_border: pd.DataFrame
    out_of_area: pd.DataFrame
    provision: pd.DataFrame
    benchmark: pd.DataFrame
    throughput: pd.DataFrame
    erlang: pd.DataFrame
    gaps: pd.DataFrame
    funding: pd.DataFrame
    spend_by_service: pd.DataFrame
    trends: pd.DataFrame
    findings: pd.DataFrame
    options: dict = field(default_factory=dict)

    def parts(self) -> dict[str, pd.DataFrame]:
        """Every DataFrame part by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), pd.DataFrame)}

    def for_area(self, area_code: str) -> Assessment:
        """The same assessment restricted to one area."""
        parts = {}
        for name, frame in self.parts().items():
            column = "area_code" if "area_code" in frame.columns else None
            parts[name] = frame[frame[column] == area_code].reset_index(drop=True) if column else frame
        return Assessment(period=self.period, options=dict(self.options, area=area_code), **parts)
