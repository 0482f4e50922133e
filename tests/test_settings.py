"""``needs.settings``: the one settings object of a run, and the one rule for area and period.

Built on the hand-listed dataset of ``tests/fixtures.py``: Shire (a county with districts
Northton and Southby) and Neighbourton (a unitary), referrals dated from 2023-24 to 2024-25.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from fixtures import DEFAULT_DATA, NEIGHBOUR, NORTHTON, SHIRE, SOUTHBY, tiny_dataset

from needs.errors import InputError
from needs.inputs.dataset import Dataset
from needs.reference.categories import COE_DEFAULT_TYPES
from needs.reference.constants import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    DEFAULT_SUPPRESS_BELOW,
    DEFAULT_TARGET_TURNAWAY,
)
from needs.settings import DEFAULT_OUT, RunSettings, choose_area, latest_period


def _with(dataset: Dataset, *, metadata: dict | None = None, **tables: pd.DataFrame) -> Dataset:
    """``dataset`` with some tables replaced and the given ``dataset.yaml`` metadata."""
    return Dataset(tables={**dataset.tables, **tables}, metadata=dict(metadata or {}))


def _without_area(dataset: Dataset, code: str) -> Dataset:
    """``dataset`` without the area ``code`` in the areas and population tables."""
    areas, population = dataset.tables["areas"], dataset.tables["population"]
    return _with(
        dataset,
        areas=areas[areas["area_code"] != code].reset_index(drop=True),
        population=population[population["area_code"] != code].reset_index(drop=True),
    )


# ----------------------------------------------------------------------------------------
# Defaults and validation
# ----------------------------------------------------------------------------------------


def test_defaults_are_the_declared_constants():
    settings = RunSettings()
    assert settings.data_dir == DEFAULT_DATA.resolve()
    assert settings.area is None and settings.period is None
    assert settings.out_dir == DEFAULT_OUT
    assert settings.scenarios == ()
    assert settings.suppress_below == DEFAULT_SUPPRESS_BELOW
    assert settings.confidence == DEFAULT_CONFIDENCE
    assert settings.coe_types == COE_DEFAULT_TYPES
    assert settings.target_turnaway == DEFAULT_TARGET_TURNAWAY
    assert settings.seed == DEFAULT_SEED
    assert settings.timestamp is False


def test_values_are_normalised(tmp_path):
    scenario = tmp_path / "s.yaml"
    settings = RunSettings(
        data_dir=str(tmp_path),
        out_dir="out",
        scenarios=[str(scenario)],
        coe_types=["refuge"],
        confidence="0.9",
        timestamp=1,
    )
    assert settings.data_dir == tmp_path.resolve() and settings.data_dir.is_absolute()
    assert settings.out_dir == Path("out")
    assert settings.scenarios == (scenario.resolve(),)
    assert settings.coe_types == ("refuge",)
    assert settings.confidence == 0.9
    assert settings.timestamp is True


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RunSettings().area = SHIRE  # type: ignore[misc]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"period": "2023"}, "period '2023' is not a financial year"),
        ({"period": "2023-25"}, "period '2023-25' is not a financial year"),
        ({"suppress_below": 0}, "--suppress-below must be a whole number of at least 1, got 0"),
        ({"suppress_below": 2.5}, "--suppress-below must be a whole number of at least 1"),
        ({"suppress_below": True}, "--suppress-below must be a whole number of at least 1"),
        ({"confidence": 95}, "--confidence must be between 0 and 1, got 95"),
        ({"confidence": 1}, "--confidence must be between 0 and 1"),
        ({"confidence": "high"}, "--confidence must be between 0 and 1, got 'high'"),
        ({"target_turnaway": 1.5}, "--target-turnaway must be between 0 and 1"),
        ({"target_turnaway": 0}, "--target-turnaway must be between 0 and 1"),
        ({"coe_types": ["refuge", "castle"]}, "--coe-types: unknown accommodation types castle"),
        ({"coe_types": []}, "--coe-types: unknown accommodation types (none given)"),
        ({"coe_types": "refuge"}, "--coe-types: expected a list of accommodation types, not one string"),
        ({"seed": -1}, "--seed must be a whole number of at least 0, got -1"),
        ({"seed": "1"}, "--seed must be a whole number of at least 0"),
        ({"scenarios": "one.yaml"}, "scenarios: expected a list of scenario files, not one path"),
    ],
)
def test_bad_values_are_input_errors_naming_the_option(options, message):
    with pytest.raises(InputError) as caught:
        RunSettings(**options)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_replace_checks_again():
    settings = RunSettings(suppress_below=10)
    assert settings.replace(seed=3) == RunSettings(suppress_below=10, seed=3)
    with pytest.raises(InputError, match="--confidence"):
        settings.replace(confidence=2)


def test_check_files_names_a_missing_folder_or_scenario(tmp_path):
    with pytest.raises(InputError, match="data folder not found"):
        RunSettings(data_dir=tmp_path / "missing").check_files()
    with pytest.raises(InputError, match="scenario file not found: .*nothing.yaml"):
        RunSettings(data_dir=tmp_path, scenarios=[tmp_path / "nothing.yaml"]).check_files()
    RunSettings(data_dir=tmp_path).check_files()


# ----------------------------------------------------------------------------------------
# From the command line, to and from notebook parameters
# ----------------------------------------------------------------------------------------


def test_from_options_none_means_the_default():
    settings = RunSettings.from_options(
        data_dir=None, area=None, period="2024-25", suppress_below=None, confidence=0.9, timestamp=None
    )
    assert settings == RunSettings(period="2024-25", confidence=0.9)


def test_from_options_refuses_unknown_names():
    with pytest.raises(TypeError, match="unknown settings bogus; expected some of"):
        RunSettings.from_options(bogus=1)


def test_parameters_round_trip_through_json(tmp_path):
    scenario = tmp_path / "growth.yaml"
    settings = RunSettings(
        data_dir=tmp_path,
        area=SHIRE,
        period="2024-25",
        out_dir=tmp_path / "out",
        scenarios=[scenario],
        suppress_below=10,
        confidence=0.9,
        coe_types=("refuge",),
        target_turnaway=0.1,
        seed=7,
        timestamp=True,
    )
    parameters = settings.to_parameters()
    # Plain JSON values only: papermill writes them into the notebook, workers receive them.
    assert json.loads(json.dumps(parameters)) == parameters
    assert parameters["data_dir"] == str(tmp_path.resolve())
    assert parameters["scenarios"] == [str(scenario.resolve())]
    assert parameters["coe_types"] == ["refuge"]
    assert RunSettings.from_parameters(json.loads(json.dumps(parameters))) == settings
    # Parameters that are not settings (a notebook's own, papermill's) are ignored.
    assert RunSettings.from_parameters({**parameters, "snapshot": None, "draws": 0}) == settings


def test_defaults_round_trip_too():
    settings = RunSettings()
    assert RunSettings.from_parameters(settings.to_parameters()) == settings


def test_described_lists_every_setting_a_reader_needs():
    rows = dict(
        RunSettings(
            area=SHIRE,
            period="2024-25",
            suppress_below=10,
            confidence=0.9,
            coe_types=("refuge", "second_stage"),
            target_turnaway=0.1,
            timestamp=True,
        ).described()
    )
    assert rows == {
        "Data folder": DEFAULT_DATA.name,
        "Area": SHIRE,
        "Period": "2024-25",
        "Scenarios": "none",
        "Suppress counts below": "10",
        "Confidence level": "90%",
        "Types counted towards the Council of Europe benchmark": "refuge, second_stage",
        "Target share turned away": "10%",
        "Time of rendering shown": "yes",
    }
    assert dict(RunSettings().described())["Time of rendering shown"] == "no"


def test_assessment_options():
    settings = RunSettings(confidence=0.8, coe_types=["refuge"], target_turnaway=0.2)
    assert settings.assessment_options() == {
        "confidence": 0.8,
        "coe_types": ("refuge",),
        "target_turnaway": 0.2,
    }


# ----------------------------------------------------------------------------------------
# Choosing the area
# ----------------------------------------------------------------------------------------


def test_the_area_asked_for_is_used():
    tiny = tiny_dataset()
    assert choose_area(tiny, SHIRE) == SHIRE
    assert choose_area(tiny, NEIGHBOUR) == NEIGHBOUR


def test_area_code_in_dataset_yaml_is_used_when_none_is_asked_for():
    tiny = _with(tiny_dataset(), metadata={"area_code": NEIGHBOUR})
    assert choose_area(tiny, None) == NEIGHBOUR
    assert choose_area(tiny, SHIRE) == SHIRE  # the one asked for wins


def test_a_bad_area_code_in_dataset_yaml_is_named_as_such():
    tiny = _with(tiny_dataset(), metadata={"area_code": "E99999999"})
    with pytest.raises(InputError, match=r"area_code in dataset.yaml: area 'E99999999' is not a tier-one area .*not in the areas table"):
        choose_area(tiny, None)


def test_the_only_tier_one_area_is_chosen():
    assert choose_area(_without_area(tiny_dataset(), NEIGHBOUR), None) == SHIRE


def test_several_tier_one_areas_is_an_error_listing_them():
    with pytest.raises(InputError) as caught:
        choose_area(tiny_dataset(), None)
    message = str(caught.value)
    assert "the data hold 2 tier-one areas with population" in message
    assert "choose one with --area or set area_code in dataset.yaml" in message
    assert f"{NEIGHBOUR} (Neighbourton), {SHIRE} (Shire)" in message
    assert caught.value.exit_code == 2


def test_a_long_list_of_choices_is_shortened():
    tiny = tiny_dataset()
    extra = [f"E06{i:06d}" for i in range(100, 112)]
    areas = pd.concat(
        [
            tiny.tables["areas"],
            pd.DataFrame(
                {"area_code": extra, "area_name": extra, "area_type": "unitary", "parent_code": None}
            ),
        ],
        ignore_index=True,
    )
    rows = tiny.tables["population"].iloc[:1]
    population = pd.concat(
        [tiny.tables["population"], *[rows.assign(area_code=code) for code in extra]], ignore_index=True
    )
    with pytest.raises(InputError, match=r"the data hold 14 tier-one areas .* and 4 more\)"):
        choose_area(_with(tiny, areas=areas, population=population), None)


def test_a_district_names_its_tier_one_authority():
    for district, name in ((NORTHTON, "Northton"), (SOUTHBY, "Southby")):
        with pytest.raises(InputError) as caught:
            choose_area(tiny_dataset(), district)
        assert str(caught.value) == (
            f"--area: area '{district}' ({name}) is a district, not a tier-one authority; "
            f"the assessment is made by its tier-one authority ({SHIRE})"
        )


def test_an_unknown_area_lists_the_choices():
    with pytest.raises(InputError) as caught:
        choose_area(tiny_dataset(), "E99999999")
    assert str(caught.value) == (
        "--area: area 'E99999999' is not a tier-one area of the data (it is not in the areas table); "
        "tier-one areas in the data: "
        f"{NEIGHBOUR} (Neighbourton), {SHIRE} (Shire)"
    )


def test_an_area_without_population():
    tiny = tiny_dataset()
    population = tiny.tables["population"]
    tiny = _with(tiny, population=population[population["area_code"] != NEIGHBOUR].reset_index(drop=True))
    with pytest.raises(InputError, match=f"area '{NEIGHBOUR}' \\(Neighbourton\\) has no population rows"):
        choose_area(tiny, NEIGHBOUR)
    # The annual return does not need population.
    assert choose_area(tiny, NEIGHBOUR, need_population=False) == NEIGHBOUR


# ----------------------------------------------------------------------------------------
# Choosing the period, and both at once
# ----------------------------------------------------------------------------------------


def test_latest_period_is_the_latest_financial_year_with_a_dated_referral():
    tiny = tiny_dataset()
    assert latest_period(tiny) == "2024-25"
    referrals = tiny.tables["referrals"]
    earlier = referrals[referrals["date"] < "2024-04-01"].reset_index(drop=True)
    assert latest_period(_with(tiny, referrals=earlier)) == "2023-24"
    # 31 March is the last day of a financial year, 1 April the first of the next.
    one = referrals.iloc[:1]
    assert latest_period(_with(tiny, referrals=one.assign(date=pd.Timestamp("2025-03-31")))) == "2024-25"
    assert latest_period(_with(tiny, referrals=one.assign(date=pd.Timestamp("2025-04-01")))) == "2025-26"


def test_latest_period_ignores_undated_referrals_and_needs_one_dated():
    tiny = tiny_dataset()
    referrals = tiny.tables["referrals"].copy()
    referrals.loc[referrals["date"] >= "2024-04-01", "date"] = pd.NaT
    assert latest_period(_with(tiny, referrals=referrals)) == "2023-24"
    with pytest.raises(InputError, match="no referral is dated, so no period can be chosen; give one with --period"):
        latest_period(_with(tiny, referrals=referrals.assign(date=pd.NaT)))


def test_resolve_fills_in_area_and_period():
    tiny = _with(tiny_dataset(), metadata={"area_code": SHIRE})
    resolved = RunSettings(suppress_below=10).resolve(tiny)
    assert (resolved.area, resolved.period, resolved.suppress_below) == (SHIRE, "2024-25", 10)
    given = RunSettings(area=NEIGHBOUR, period="2023-24").resolve(tiny)
    assert (given.area, given.period) == (NEIGHBOUR, "2023-24")
