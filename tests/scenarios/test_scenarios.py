"""End-to-end tests of commissioning scenarios: the command line, the charts
(needs.scenarios.charts) and the notebook.
"""

from __future__ import annotations

import json
from argparse import Namespace
from pathlib import Path

import pandas as pd
import pytest
from fixtures import ROOT, SHIRE, tiny_dataset
from handworked import TEMPLATES, hand_baseline

from needs.cli import main
from needs.cli.scenarios import run as cli_compare
from needs.publish.charts import OKABE_ITO
from needs.scenarios.comparison import compare, sensitivity
from needs.scenarios.figures import FIGURES
from needs.scenarios.spec import BASELINE_NAME

# --------------------------------------------------------------------------------------
# Command line: exit 2 for bad scenarios and bad data
# --------------------------------------------------------------------------------------


def _write_dataset(folder: Path) -> Path:
    folder.mkdir()
    for name, table in tiny_dataset().tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    return folder


def test_cli_bad_scenario_exits_2_naming_file_and_key(tmp_path: Path, capsys):
    path = tmp_path / "male-units.yaml"
    path.write_text(
        "services:\n  add:\n    - {accommodation_type: refuge, specialism: male_victims, units: -6, annual_cost: 1}\n"
    )
    code = main(["scenarios", "compare", str(path), "--data", str(tmp_path / "no-data")])
    assert code == 2
    err = capsys.readouterr().err
    assert "male-units.yaml: services.add[0].units: expected a whole number >= 0, found -6" in err
    assert "Traceback" not in err


def test_cli_unknown_service_exits_2(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "cut.yaml"
    path.write_text("services:\n  remove: [S1, S99]\n")
    code = main(
        ["scenarios", "compare", str(path), "--data", str(data), "--area", SHIRE, "--period", "2024-25"]
    )
    assert code == 2
    assert "cut.yaml: services.remove[1]: unknown service_id 'S99'" in capsys.readouterr().err


def test_cli_bad_data_exits_2_with_the_validation_message(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    services = pd.read_csv(data / "services.csv")
    services.loc[0, "units"] = -3
    services.to_csv(data / "services.csv", index=False)
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n")
    code = main(
        ["scenarios", "compare", str(path), "--data", str(data), "--area", SHIRE, "--period", "2024-25"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "services" in err and "units" in err


def test_cli_prints_the_table_and_writes_csv_atomically(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "more.yaml"
    path.write_text("name: Two more refuge units\nservices:\n  resize: [{service_id: S1, units: 8}]\n")
    out = tmp_path / "out" / "comparison.csv"
    args = Namespace(files=[path], data=data, area=SHIRE, period="2024-25", csv=out, draws=200, seed=7)
    assert cli_compare(args) == 0
    printed = capsys.readouterr().out
    assert "Scenarios for Shire (E10000001), 2024-25" in printed
    assert "Two more refuge units" in printed and FIGURES["turnaways"][0] in printed
    written = pd.read_csv(out)
    assert list(written["scenario"].unique()) == [BASELINE_NAME, "Two more refuge units"]
    assert [p.name for p in out.parent.iterdir()] == ["comparison.csv"]  # no temporary left


def test_cli_area_defaults_need_a_choice_when_several(tmp_path: Path, capsys):
    data = _write_dataset(tmp_path / "data")
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n")
    code = main(["scenarios", "compare", str(path), "--data", str(data), "--period", "2024-25"])
    assert code == 2
    assert "choose one with --area" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# Charts and the notebook
# --------------------------------------------------------------------------------------


def test_charts_are_accessible():
    from needs.scenarios.charts import comparison, tornado

    scenario = {"name": "More", "services": {"resize": [{"service_id": "R1", "units": 2}]}}
    table = compare(hand_baseline(), scenarios=[scenario], draws=500, seed=5)
    figure, alt = comparison(table, where="Handshire, 2023-24")
    assert "Bar charts comparing 2 scenarios" in alt and "Baseline 5.0" in alt and "More 2.0" in alt
    assert "interval" in alt
    from matplotlib.colors import to_hex

    colours = {to_hex(patch.get_facecolor()) for axes in figure.axes for patch in axes.patches}
    assert colours <= {code.lower() for code in OKABE_ITO.values()}
    assert all(axes.get_xlabel() for axes in figure.axes if axes.get_visible())
    hatches = [patch.get_hatch() for axes in figure.axes[:1] for patch in axes.patches]
    assert len(set(hatches)) == 2  # baseline and scenario told apart without colour
    figure, alt = tornado(sensitivity(hand_baseline()), "units_short")
    assert alt.startswith("Tornado chart of how units short of that need")
    assert "Target turn-away rate 10% / 2%" in alt and "no effect" in alt
    assert figure.axes[0].get_xlabel()
    with pytest.raises(ValueError, match="nonsense"):
        tornado(sensitivity(hand_baseline()), "nonsense")


def test_notebook_is_committed_clean():
    notebook = json.loads((ROOT / "notebooks" / "scenarios.ipynb").read_text(encoding="utf-8"))
    first = notebook["cells"][0]
    assert "parameters" in first["metadata"].get("tags", [])
    source = "".join(first["source"])
    for name in ("data_dir", "area", "period", "scenario_files", "draws", "seed", "suppress_below"):
        assert f"{name} =" in source
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.slow
def test_notebook_renders_through_the_report_pipeline(tmp_path: Path):
    from needs.outputs.report import render

    files = [str(TEMPLATES / "male-units.yaml"), str(TEMPLATES / "grant-cut.yaml")]
    page = render(
        out_dir=tmp_path, scenarios=files, notebook=ROOT / "notebooks" / "scenarios.ipynb", progress=False
    ).read_text(encoding="utf-8")
    assert "Six dispersed units for male victims" in page and "Grant cut by a fifth" in page
    assert '>Bar charts comparing 3 scenarios' in page
    assert '>Tornado chart of how' in page
    assert "Traceback" not in page
