"""A live scenario explorer for notebooks: controls in, the comparison table and charts out.

Two layers:

* :class:`ExplorerState` - plain Python, no widgets: the settings of the controls (units added
  or removed by accommodation type and specialism, prevalence multiplier, demand growth,
  change in mean stay, occupancy, target turn-away rate, grant change, services stopped),
  the :class:`~needs.scenarios.spec.Scenario` they make (:meth:`ExplorerState.scenario`), its
  comparison with the baseline (:func:`needs.scenarios.comparison.compare`, seeded with
  :data:`needs.reference.constants.DEFAULT_SEED`), the displayed table
  (:func:`needs.scenarios.display.display_table`, the one comparison table of the CLI and the
  report), the charts (:func:`needs.scenarios.charts.comparison`) and "save as scenario"
  (:func:`needs.scenarios.spec.dump_scenario`: a YAML file that ``needs scenarios compare``
  and ``needs report --scenario`` read unchanged);
* :class:`Explorer` - a thin ipywidgets layer over it. A change re-evaluates at once with
  :attr:`ExplorerState.quick_draws` Monte Carlo draws and updates the table (what follows a
  dragged slider); :attr:`Explorer.settle_seconds` after the last change the full
  :attr:`ExplorerState.draws` are run and the table and the charts are redrawn.

:func:`explore` is the one call of ``notebooks/scenarios.ipynb``: the explorer where a front
end shows widgets, and the static comparison of the given scenario files where there is none
(a rendering through papermill).

How each control maps to the scenario format (``templates/scenarios/README.md``)
-----------------------------------------------------------------------------
* units of type ``t`` and specialism ``s`` added (``+n``): ``services.add`` of ``n`` units,
  costed at the report's gap-table cost per unit of ``t`` (no ``annual_cost`` stated:
  :func:`needs.scenarios.model.apply`); removed (``-n``): the services of ``t`` and ``s`` in
  place (and not stopped) lose units, the largest first - ``services.resize`` (cost scaled
  with units), or ``services.remove`` when a service loses every unit;
* prevalence multiplier, demand growth: ``assumptions.prevalence_multiplier``,
  ``assumptions.demand_growth``;
* change in mean stay of a type (days): ``assumptions.length_of_stay_change_days``;
* occupancy (one proportion for every type; unset keeps the observed):
  ``assumptions.occupancy``;
* target turn-away rate (written when it differs from the baseline's):
  ``assumptions.target_turnaway``;
* grant change (a proportion): ``funding.grant_change``;
* services stopped (by name): ``services.remove``.
"""

from __future__ import annotations

import asyncio
import html
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from needs.assessment.capacity import IN_PLACE
from needs.publish.charts import render
from needs.reference import categories as cat
from needs.reference.constants import DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_SUPPRESS_BELOW
from needs.scenarios import charts
from needs.scenarios.comparison import compare
from needs.scenarios.display import display_table
from needs.scenarios.figures import FIGURES
from needs.scenarios.model import Baseline
from needs.scenarios.spec import (
    Assumptions,
    FundingChanges,
    NewService,
    Resize,
    Scenario,
    ServiceChanges,
    dump_scenario,
)
from needs.settings import RunSettings

__all__ = [
    "EXPLORED_NAME",
    "QUICK_DRAWS",
    "Explorer",
    "ExplorerState",
    "StaticComparison",
    "chart_figures",
    "comparison_html",
    "explore",
]

#: Name of the scenario the explorer builds (its column in the table).
EXPLORED_NAME = "Explored scenario"
#: Monte Carlo draws while a control is being moved (the full draws follow when it settles).
QUICK_DRAWS = 500
#: Full Monte Carlo draws when the notebook gives none.
FULL_DRAWS = 2000

_BEDDED: tuple[str, ...] = tuple(cat.BEDDED_ACCOMMODATION_TYPES)
_SPECIALISMS: tuple[str, ...] = tuple(c for c in cat.SPECIALISMS.codes if c != cat.NOT_KNOWN)
#: The controls :meth:`ExplorerState.set` accepts (one value each).
_SCALARS = (
    "prevalence_multiplier",
    "demand_growth",
    "occupancy",
    "target_turnaway",
    "grant_change",
    "stopped",
)


def chart_figures(table: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The explorer's charts: turn-aways, units in place against units needed, and the cost
    figure (the first figure in pounds of :data:`~needs.scenarios.figures.FIGURES`), those of
    them in ``table`` when given."""
    cost = next((key for key, (_label, unit) in FIGURES.items() if unit == "pounds"), None)
    wanted = [key for key in ("turnaways", "units", "units_needed", cost) if key in FIGURES]
    if table is not None:
        present = set(table["figure"])
        wanted = [key for key in wanted if key in present]
    return tuple(wanted)


# --------------------------------------------------------------------------------------
# The comparison as HTML (the explorer's table, and the static comparison)
# --------------------------------------------------------------------------------------


def comparison_html(shown: pd.DataFrame, *, caption: str = "") -> str:
    """The displayed table of :func:`needs.scenarios.display.display_table` as an HTML table.

    Every row carries ``data-figure="<figure key>"`` and every cell ``data-scenario`` (what
    tests and assistive scripts find it by); the notes of the table follow it as a list.
    """
    figures = shown.attrs.get("figures", [""] * len(shown))
    scenarios = [str(c) for c in shown.columns[1:]]
    head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in ["Figure", *scenarios])
    body = []
    for figure, (_, row) in zip(figures, shown.iterrows(), strict=True):
        cells = "".join(
            f'<td data-scenario="{html.escape(name, quote=True)}">{html.escape(str(row[name]))}</td>'
            for name in scenarios
        )
        body.append(
            f'<tr data-figure="{html.escape(str(figure), quote=True)}">'
            f'<th scope="row">{html.escape(str(row["Figure"]))}</th>{cells}</tr>'
        )
    out = ['<table class="needs-scenarios-table">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out += [f"<thead><tr>{head}</tr></thead>", f"<tbody>{''.join(body)}</tbody>", "</table>"]
    notes = shown.attrs.get("notes", [])
    if notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        out.append(f'<ul class="needs-scenarios-notes">{items}</ul>')
    return "".join(out)


@dataclass(frozen=True, repr=False)
class StaticComparison:
    """The comparison of the given scenarios as HTML (table and charts): what :func:`explore`
    shows where no front end can show widgets (a rendering through papermill)."""

    table: pd.DataFrame
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        names = ", ".join(dict.fromkeys(self.table["scenario"].astype(str)))
        return f"<StaticComparison of {names}>"


def _chart_html(table: pd.DataFrame, figures: Sequence[str], where: str, caption: str) -> str:

    return render(charts.comparison(table, figures, where=where), caption=caption).to_html()


def static_comparison(
    base: Baseline,
    scenarios: Iterable[Any] = (),
    *,
    draws: int = FULL_DRAWS,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> StaticComparison:
    """The baseline and ``scenarios`` compared (:func:`needs.scenarios.comparison.compare`):
    the displayed table (:func:`comparison_html`) and the charts of
    :func:`needs.scenarios.charts.comparison` (its default figures)."""

    table = compare(base, scenarios=list(scenarios), draws=draws, seed=seed, confidence=confidence)
    where = f"{base.area_name}, {base.period}"
    shown = display_table(table, suppress_below=suppress_below)
    figures = [key for key in charts.COMPARISON_FIGURES if key in set(table["figure"])]
    page = comparison_html(shown, caption=f"Scenarios compared with the baseline, {where}")
    page += _chart_html(table, figures, where, f"Key figures by scenario, {where}")
    return StaticComparison(table, page)


# --------------------------------------------------------------------------------------
# The state and the model: no widgets
# --------------------------------------------------------------------------------------


class ExplorerState:
    """The explorer's settings and what they give: settings in, comparison out.

    Parameters
    ----------
    base
        The baseline of one area and period (:func:`needs.scenarios.model.baseline`).
    name
        Name of the scenario built (its column in the table, its ``name`` when saved).
    draws, quick_draws
        Monte Carlo draws of a settled comparison and of one made while a control moves.
    seed, confidence
        As :func:`needs.scenarios.comparison.compare`.
    suppress_below
        Disclosure threshold of the displayed table (:func:`needs.scenarios.display.display_table`).

    Every control starts at the baseline (:meth:`reset`): no units changed, prevalence
    multiplier 1, no demand growth, stays and occupancy as observed, the baseline's target
    turn-away rate, no grant change, no service stopped.
    """

    def __init__(
        self,
        base: Baseline,
        *,
        name: str = EXPLORED_NAME,
        draws: int = FULL_DRAWS,
        quick_draws: int = QUICK_DRAWS,
        seed: int = DEFAULT_SEED,
        confidence: float = DEFAULT_CONFIDENCE,
        suppress_below: int = DEFAULT_SUPPRESS_BELOW,
    ) -> None:
        self.base = base
        self.name = name
        self.draws = int(draws)
        self.quick_draws = int(min(quick_draws, draws)) if draws else 0
        self.seed = seed
        self.confidence = confidence
        self.suppress_below = suppress_below
        self.where = f"{base.area_name}, {base.period}"
        self.reset()

    # ---- the controls ------------------------------------------------------------------

    def reset(self) -> None:
        """Every control back to the baseline."""
        self.unit_changes: dict[tuple[str, str], int] = {}
        self.stay_changes: dict[str, float] = {}
        self.prevalence_multiplier = 1.0
        self.demand_growth = 0.0
        self.occupancy: float | None = None
        self.target_turnaway: float | None = None
        self.grant_change = 0.0
        self.stopped: tuple[str, ...] = ()

    def set(self, **values: Any) -> None:
        """Set the one-value controls: ``prevalence_multiplier``, ``demand_growth``,
        ``occupancy`` (``None``: observed), ``target_turnaway`` (``None``: the baseline's),
        ``grant_change``, ``stopped`` (service ids). Checked when the scenario is made."""
        unknown = sorted(set(values) - set(_SCALARS))
        if unknown:
            raise ValueError(f"unknown controls {', '.join(unknown)}; expected some of {', '.join(_SCALARS)}")
        for key, value in values.items():
            if key == "stopped":
                value = tuple(str(v) for v in value)
            elif value is not None:
                value = float(value)
            setattr(self, key, value)

    def set_units(self, accommodation_type: str, specialism: str, change: int) -> None:
        """Add (``change > 0``) or remove (``< 0``) units of a bedded type and specialism."""
        if accommodation_type not in _BEDDED:
            raise ValueError(
                f"accommodation_type: expected a bedded type ({', '.join(_BEDDED)}), got {accommodation_type!r}"
            )
        if specialism not in _SPECIALISMS:
            raise ValueError(f"specialism: expected one of {', '.join(_SPECIALISMS)}, got {specialism!r}")
        key = (accommodation_type, specialism)
        if int(change):
            self.unit_changes[key] = int(change)
        else:
            self.unit_changes.pop(key, None)

    def set_stay_change(self, accommodation_type: str, days: float) -> None:
        """Change the mean stay of a bedded type by ``days`` (negative: shorter)."""
        if accommodation_type not in _BEDDED:
            raise ValueError(f"accommodation_type: expected a bedded type, got {accommodation_type!r}")
        if days:
            self.stay_changes[accommodation_type] = float(days)
        else:
            self.stay_changes.pop(accommodation_type, None)

    # ---- what the area has -------------------------------------------------------------

    def services(self) -> list[tuple[str, str]]:
        """The area's services active in the period as ``(label, service_id)``, for the
        multi-select of services to stop; the label is ``name (service_id)``."""
        rows = self.base.services
        return [
            (f"{name} ({sid})", str(sid)) for name, sid in zip(rows["name"], rows["service_id"], strict=True)
        ]

    def _pool(self, accommodation_type: str, specialism: str) -> pd.DataFrame:
        """Services of a type and specialism in place and not stopped, largest first."""
        rows = self.base.services
        pool = rows[
            (rows["accommodation_type"] == accommodation_type)
            & (rows["specialism"] == specialism)
            & (rows["status"].astype(str) == IN_PLACE)
            & ~rows["service_id"].isin(self.stopped)
            & (rows["units"] > 0)
        ]
        return pool.sort_values(["units", "service_id"], ascending=[False, True], kind="stable")

    def removable_units(self, accommodation_type: str, specialism: str) -> int:
        """Units of a type and specialism in place that can be removed (not stopped)."""
        return int(self._pool(accommodation_type, specialism)["units"].sum())

    def stay_days(self, accommodation_type: str) -> float:
        """The observed mean stay of a bedded type (NaN when none was observed)."""
        return float(self.base.stay[_BEDDED.index(accommodation_type)])

    def observed_occupancy(self) -> float:
        """Mean observed occupancy of the bedded types, weighted by units in place (the
        occupancy control's starting point)."""
        rows = self.base.services
        counted = rows[(rows["status"].astype(str) == IN_PLACE) & rows["accommodation_type"].isin(_BEDDED)]
        units = counted.groupby("accommodation_type")["units"].sum().reindex(list(_BEDDED), fill_value=0)
        weights = units.to_numpy(dtype=float)
        if weights.sum() <= 0:
            return float(np.nanmean(self.base.occupancy))
        return float(np.average(self.base.occupancy, weights=weights))

    # ---- the scenario ------------------------------------------------------------------

    def scenario(self) -> Scenario:
        """The settings as a :class:`~needs.scenarios.spec.Scenario` (mapping in the module docstring)."""
        added, resized, removed = [], [], list(self.stopped)
        for (kind, group), change in sorted(self.unit_changes.items()):
            if change > 0:
                label = f"{cat.ACCOMMODATION_TYPES.label(kind)}, {cat.SPECIALISMS.label(group).lower()}: added units"
                added.append(NewService(accommodation_type=kind, specialism=group, units=change, name=label))
                continue
            left = -change
            for sid, units in zip(
                *(self._pool(kind, group)[c] for c in ("service_id", "units")), strict=True
            ):
                if left <= 0:
                    break
                taken = min(int(units), left)
                left -= taken
                if taken == units:
                    removed.append(str(sid))
                else:
                    resized.append(Resize(str(sid), int(units) - taken))
            if left > 0:
                raise ValueError(
                    f"cannot remove {-change} units of {kind} ({group}): "
                    f"{self.removable_units(kind, group)} are in place and not stopped"
                )
        target = self.target_turnaway
        if target is not None and abs(target - self.base.target_turnaway) < 1e-12:
            target = None
        return Scenario(
            name=self.name,
            description="Built in the scenario explorer (notebooks/scenarios.ipynb).",
            services=ServiceChanges(tuple(added), tuple(removed), tuple(resized)),
            assumptions=Assumptions(
                prevalence_multiplier=float(self.prevalence_multiplier),
                demand_growth=float(self.demand_growth),
                length_of_stay_change_days=dict(sorted(self.stay_changes.items())),
                occupancy=self.occupancy,
                target_turnaway=target,
            ),
            funding=FundingChanges(grant_change=float(self.grant_change)),
            source="explorer",
        )

    # ---- what it gives -----------------------------------------------------------------

    def comparison(self, draws: int | None = None) -> pd.DataFrame:
        """The baseline and the scenario compared (:func:`needs.scenarios.comparison.compare`),
        with ``draws`` Monte Carlo draws (default :attr:`draws`), seeded with :attr:`seed`."""
        return compare(
            self.base,
            scenarios=[self.scenario()],
            draws=self.draws if draws is None else int(draws),
            seed=self.seed,
            confidence=self.confidence,
        )

    def table(self, comparison: pd.DataFrame) -> pd.DataFrame:
        """The displayed table (:func:`needs.scenarios.display.display_table`)."""
        return display_table(comparison, suppress_below=self.suppress_below)

    def table_html(self, comparison: pd.DataFrame) -> str:
        """:meth:`table` as HTML (:func:`comparison_html`)."""
        return comparison_html(
            self.table(comparison), caption=f"The explored scenario compared with the baseline, {self.where}"
        )

    def chart_html(self, comparison: pd.DataFrame) -> str:
        """The charts of :func:`chart_figures` (:func:`needs.scenarios.charts.comparison`) as HTML
        with alt text."""
        return _chart_html(
            comparison,
            chart_figures(comparison),
            self.where,
            f"The explored scenario against the baseline, {self.where}",
        )

    def value(self, comparison: pd.DataFrame, figure: str, scenario: str | None = None) -> float:
        """One figure's value in ``comparison`` (default: the explored scenario's)."""
        rows = comparison[
            (comparison["scenario"] == (scenario or self.name)) & (comparison["figure"] == figure)
        ]
        return float(rows["value"].iloc[0])

    def save(self, path: str | os.PathLike) -> Path:
        """Write the settings as a scenario file (:func:`needs.scenarios.spec.dump_scenario`)."""
        return dump_scenario(self.scenario(), path)


# --------------------------------------------------------------------------------------
# The widgets: a thin layer
# --------------------------------------------------------------------------------------


def _label(code: str, labels: Any) -> str:
    return f"{labels.label(code)} ({code})"


class Explorer:
    """The ipywidgets front of an :class:`ExplorerState` (``.widget`` is the box to display).

    A change of a control updates the state and re-evaluates with the state's quick draws,
    setting the table (:attr:`table`, an ``HTML`` widget) at once; :attr:`settle_seconds` after
    the last change (on the kernel's event loop; at once where there is none), the full draws
    update the table and the charts (:attr:`chart`). :attr:`timings` keeps the seconds each
    update took.
    """

    settle_seconds = 0.3

    def __init__(
        self,
        state: ExplorerState,
        *,
        save_folder: str | os.PathLike = ".",
        files: StaticComparison | None = None,
    ) -> None:
        import ipywidgets as w  # optional front end (heavy): only when the widgets are built

        self.state = state
        self.save_folder = Path(save_folder)
        self.timings: list[tuple[str, float]] = []
        self._quiet = False
        self._pending: asyncio.TimerHandle | None = None
        self._generation = 0
        base = state.base
        slider = {
            "continuous_update": True,
            "style": {"description_width": "14em"},
            "layout": w.Layout(width="30em"),
        }

        self.unit_type = w.Dropdown(
            options=[(_label(c, cat.ACCOMMODATION_TYPES), c) for c in _BEDDED],
            description="Accommodation type",
            **_style(slider),
        )
        self.unit_specialism = w.Dropdown(
            options=[(_label(c, cat.SPECIALISMS), c) for c in _SPECIALISMS],
            description="Specialism",
            **_style(slider),
        )
        self.units = w.IntSlider(
            value=0, min=0, max=30, description="Units added (+) or removed (-)", **slider
        )
        self.prevalence = w.FloatSlider(
            value=1.0, min=0.5, max=2.0, step=0.05, description="Prevalence multiplier", **slider
        )
        self.growth = w.FloatSlider(
            value=0.0,
            min=-0.5,
            max=1.0,
            step=0.05,
            description="Demand growth",
            readout_format=".0%",
            **slider,
        )
        stays = [c for c in _BEDDED if np.isfinite(state.stay_days(c))] or list(_BEDDED)
        self.stay_type = w.Dropdown(
            options=[(_label(c, cat.ACCOMMODATION_TYPES), c) for c in stays],
            description="Length of stay of",
            **_style(slider),
        )
        self.stay = w.IntSlider(
            value=0, min=-60, max=120, step=1, description="Change in mean stay (days)", **slider
        )
        self.occupancy = w.FloatSlider(
            value=round(state.observed_occupancy(), 2), min=0.05, max=1.0, step=0.01,
            description="Occupancy, every type", readout_format=".0%", **slider,
        )  # fmt: skip
        self.target = w.FloatSlider(
            value=base.target_turnaway, min=0.01, max=0.5, step=0.01, description="Target turn-away rate",
            readout_format=".0%", **slider,
        )  # fmt: skip
        self.grant = w.FloatSlider(
            value=0.0,
            min=-1.0,
            max=1.0,
            step=0.05,
            description="Grant change",
            readout_format="+.0%",
            **slider,
        )
        self.stop = w.SelectMultiple(
            options=state.services(), rows=8, description="Services to stop", style=slider["style"],
            layout=w.Layout(width="30em"),
        )  # fmt: skip
        self.file_name = w.Text(
            value="explored-scenario.yaml", description="File", layout=w.Layout(width="22em")
        )
        self.save_button = w.Button(description="Save as scenario", icon="save")
        self.reset_button = w.Button(description="Reset to the baseline")
        self.status = w.HTML(value="")
        self.table = w.HTML(value="")
        self.chart = w.HTML(value="")

        self.units.observe(self._on_units, "value")
        self.unit_type.observe(self._on_pair, "value")
        self.unit_specialism.observe(self._on_pair, "value")
        self.stay_type.observe(self._on_stay_type, "value")
        self.stay.observe(self._on_stay, "value")
        for control, key in (
            (self.prevalence, "prevalence_multiplier"),
            (self.growth, "demand_growth"),
            (self.occupancy, "occupancy"),
            (self.target, "target_turnaway"),
            (self.grant, "grant_change"),
            (self.stop, "stopped"),
        ):
            control.observe(self._setter(key), "value")
        self.save_button.on_click(lambda _: self.save())
        self.reset_button.on_click(lambda _: self.reset())

        heading = w.HTML(
            f"<h3>Explore a scenario: {html.escape(state.where)}</h3>"
            "<p>Move a control: the table follows at once, with "
            f"{state.quick_draws:,} Monte Carlo draws while it moves and {state.draws:,} (seed {state.seed}) "
            "when it settles, with the charts.</p>"
        )
        controls = w.VBox(
            [
                w.HTML("<b>Units</b>"), self.unit_type, self.unit_specialism, self.units,
                w.HTML("<b>Demand and stays</b>"), self.prevalence, self.growth, self.stay_type, self.stay,
                self.occupancy, self.target,
                w.HTML("<b>Funding and services</b>"), self.grant, self.stop,
                w.HBox([self.file_name, self.save_button]), self.reset_button,
            ],
            # The controls keep their width; the table takes the rest and scrolls if it must.
            layout=w.Layout(flex="0 0 32em", min_width="32em"),
        )  # fmt: skip
        results = w.VBox([self.status, self.table], layout=w.Layout(flex="1 1 auto", min_width="0", overflow="auto"))
        parts = [heading, w.HBox([controls, results], layout=w.Layout(width="100%")), self.chart]
        if files is not None:
            parts += [w.HTML("<h3>The scenario files compared</h3>"), w.HTML(files.html)]
        self.files = files
        self.widget = w.VBox(parts)
        self.widget.add_class("needs-scenario-explorer")
        self._sync_pair()
        self._sync_stay()
        self.update(self.state.draws, charts=True)

    # ---- controls -> state ---------------------------------------------------------------

    def _setter(self, key: str) -> Callable[[dict], None]:
        def handler(change: dict) -> None:
            if self._quiet:
                return
            self.state.set(**{key: change["new"]})
            self.changed()

        return handler

    def _on_units(self, change: dict) -> None:
        if self._quiet:
            return
        self.state.set_units(self.unit_type.value, self.unit_specialism.value, change["new"])
        self.changed()

    def _on_stay(self, change: dict) -> None:
        if self._quiet:
            return
        self.state.set_stay_change(self.stay_type.value, change["new"])
        self.changed()

    def _on_pair(self, _change: dict) -> None:
        self._sync_pair()

    def _on_stay_type(self, _change: dict) -> None:
        self._sync_stay()

    def _sync_pair(self) -> None:
        """The units slider shows the chosen type and specialism's change; it removes at most
        the units in place."""
        key = (self.unit_type.value, self.unit_specialism.value)
        self._quiet = True
        try:
            self.units.min = -self.state.removable_units(*key)
            self.units.value = self.state.unit_changes.get(key, 0)
        finally:
            self._quiet = False

    def _sync_stay(self) -> None:
        """The stay slider shows the chosen type's change; the stay stays at least a day."""
        kind = self.stay_type.value
        days = self.state.stay_days(kind)
        self._quiet = True
        try:
            self.stay.min = -int(max(days - 1, 0)) if np.isfinite(days) else 0
            self.stay.value = int(self.state.stay_changes.get(kind, 0))
        finally:
            self._quiet = False

    # ---- state -> table and charts ------------------------------------------------------

    def changed(self) -> None:
        """A control moved: quick draws now, full draws and the charts when it settles."""
        self._generation += 1
        self.update(self.state.quick_draws, charts=False)
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.settle()
            return
        self._pending = loop.call_later(self.settle_seconds, self._settle_if_current, self._generation)

    def _settle_if_current(self, generation: int) -> None:
        self._pending = None
        if generation == self._generation:
            self.settle()

    def settle(self) -> None:
        """The full draws, the table and the charts."""
        self.update(self.state.draws, charts=True)

    def update(self, draws: int, *, charts: bool) -> pd.DataFrame | None:
        """Re-evaluate with ``draws`` and set the table (and the charts); a scenario the data
        refuse (e.g. units of a type with no cost per unit) is shown as a message instead."""
        start = time.perf_counter()
        try:
            comparison = self.state.comparison(draws)
        except Exception as error:  # noqa: BLE001 - shown to the user, the table kept
            self.status.value = f'<p role="alert"><b>Not applied:</b> {html.escape(str(error))}</p>'
            return None
        self.table.value = self.state.table_html(comparison)
        self.status.value = (
            f"<p>{draws:,} Monte Carlo draws{' (settling...)' if not charts else ''}.</p>" if draws else ""
        )
        if charts:
            self.chart.value = self.state.chart_html(comparison)
        self.timings.append(("settled" if charts else "quick", time.perf_counter() - start))
        self.comparison = comparison
        return comparison

    def save(self) -> Path | None:
        """Write the current settings to :attr:`file_name` in :attr:`save_folder`."""
        name = self.file_name.value.strip() or "explored-scenario.yaml"
        if not name.endswith((".yaml", ".yml")):
            name += ".yaml"
        try:
            path = self.state.save(self.save_folder / Path(name).name)
        except Exception as error:  # noqa: BLE001 - shown to the user
            self.status.value = f'<p role="alert"><b>Not saved:</b> {html.escape(str(error))}</p>'
            return None
        self.status.value = (
            f"<p>Saved {html.escape(str(path))}: run <code>needs scenarios compare {html.escape(path.name)}</code> "
            f"or <code>needs report --scenario {html.escape(path.name)}</code>.</p>"
        )
        return path

    def reset(self) -> None:
        """Every control back to the baseline."""
        self.state.reset()
        self._quiet = True
        try:
            self.prevalence.value, self.growth.value, self.grant.value = 1.0, 0.0, 0.0
            self.occupancy.value = round(self.state.observed_occupancy(), 2)
            self.target.value = self.state.base.target_turnaway
            self.stop.value = ()
        finally:
            self._quiet = False
        self._sync_pair()
        self._sync_stay()
        self.changed()

    def _ipython_display_(self) -> None:
        from IPython.display import display  # optional front end: only in a notebook

        display(self.widget)


def _style(slider: Mapping[str, Any]) -> dict[str, Any]:
    return {"style": slider["style"], "layout": slider["layout"]}


def explore(
    base: Baseline,
    settings: Any = None,
    *,
    scenarios: Iterable[Any] = (),
    draws: int = FULL_DRAWS,
    quick_draws: int = QUICK_DRAWS,
    interactive: bool = True,
    save_folder: str | os.PathLike = ".",
) -> Explorer | StaticComparison:
    """The notebook's one call: the live explorer, or the static comparison without a front end.

    Parameters
    ----------
    base
        The baseline (:func:`needs.scenarios.model.baseline`).
    settings
        The run's :class:`needs.settings.RunSettings` (seed, confidence, disclosure threshold);
        ``None``: their defaults.
    scenarios
        The scenario files of the notebook's parameters: compared in the static view.
    draws, quick_draws
        Monte Carlo draws of a settled comparison and while a control moves.
    interactive
        ``True``: the :class:`Explorer` (displayed, it shows its widgets, and below them the
        comparison of ``scenarios``). ``False`` (a notebook
        rendered through papermill has no front end to show widgets): the static
        comparison of the baseline and ``scenarios``, table and charts
        (:class:`StaticComparison`).
    save_folder
        Where "Save as scenario" writes.
    """
    settings = settings if settings is not None else RunSettings()
    options = {
        "seed": settings.seed,
        "confidence": settings.confidence,
        "suppress_below": settings.suppress_below,
    }
    if not interactive:
        return static_comparison(base, list(scenarios), draws=draws, **options)
    files = list(scenarios)
    state = ExplorerState(base, draws=draws, quick_draws=quick_draws, **options)
    shown = static_comparison(base, files, draws=draws, **options) if files else None
    return Explorer(state, save_folder=save_folder, files=shown)
