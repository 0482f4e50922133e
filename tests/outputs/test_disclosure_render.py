"""The whole-page disclosure audit on real renders (papermill kernel and nbconvert).

- A sentence added to the notebook that quotes a rounded share of a hidden count makes the
  render fail (exit 1), naming the count and the sentence, and writes nothing.
- Two data folders that differ only in which of two hidden groups one household belongs to
  give the same report, byte for byte, apart from the referral file's checksum; a stray
  file in the folder is counted, never named.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixtures import DEFAULT_AREA, DEFAULT_DATA, DEFAULT_PERIOD, notebook_with_cell

from needs.cli import main
from needs.outputs import report as report_module

NAME = f"{DEFAULT_AREA}-{DEFAULT_PERIOD}"
#: A file that is not data, as a caseworker might leave in the folder (issue 12).
STRAY = "Jane Doe DOB 1980-01-01 referral.docx"

LEAKY_SENTENCE = '''
from needs.publish.cells import cell_key
age = {"characteristic": "age_band"}
pub.say(
    "Victims aged 65-74 were 0.9% of households supported.",
    shares=[(
        cell_key("households_supported", {**age, "category": "65-74"}),
        cell_key("households_supported", {**age, "category": "known"}),
        0.009,
        3,
    )],
)
'''


def leaky_notebook(tmp_path: Path) -> Path:
    """The assessment notebook with one hand-written sentence after the summary's findings."""
    return notebook_with_cell(
        report_module.NOTEBOOK,
        tmp_path / "leaky.ipynb",
        LEAKY_SENTENCE,
        "leaky-sentence",
        after=lambda cell: cell.source.strip() == "pub.findings(limit=12)",
    )


def test_a_leaky_sentence_fails_the_render_naming_the_count(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    monkeypatch.setattr(report_module, "NOTEBOOK", leaky_notebook(tmp_path))
    assert main(["report", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "gives away" in err
    assert "households_supported (category=65-74, characteristic=age_band)" in err
    assert "Victims aged 65-74 were 0.9% of households supported." in err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def _move_one_household(source: Path, target: Path, first: str, second: str) -> str:
    """Copy ``source`` to ``target`` with one household of religion ``first`` recorded as
    ``second`` in every referral; a household supported in the period, never declined (so no
    published count of outcomes changes, only the two hidden groups)."""
    shutil.copytree(source, target)
    referrals = pd.read_csv(target / "referrals.csv", dtype=str, keep_default_na=False)
    in_period = referrals["date"].between("2023-04-01", "2024-03-31")
    per_household = referrals.groupby("household_id")
    only_accepted = per_household["outcome"].transform(lambda o: (o == "accepted_supported").all())
    single = per_household["referral_id"].transform("size") == 1
    chosen = referrals[in_period & only_accepted & single & (referrals["religion"] == first)]
    household = chosen["household_id"].iloc[0]
    referrals.loc[referrals["household_id"] == household, "religion"] = second
    referrals.to_csv(target / "referrals.csv", index=False)
    return household


def _without_checksums(page: str) -> str:
    return re.sub(r"<code>[0-9a-f]{64}</code>", "<code>checksum</code>", page)


@pytest.mark.slow
def test_reports_differing_only_inside_hidden_groups_are_identical(tmp_path):
    one = tmp_path / "one" / "data"
    other = tmp_path / "other" / "data"
    shutil.copytree(DEFAULT_DATA, one)
    _move_one_household(DEFAULT_DATA, other, "jewish", "buddhist")
    assert (one / "referrals.csv").read_bytes() != (other / "referrals.csv").read_bytes()
    for folder in (one, other):  # a stray file someone saved in the data folder
        (folder / STRAY).write_text("not data", encoding="utf-8")
    pages = [
        report_module.render(folder, DEFAULT_AREA, DEFAULT_PERIOD, folder.parent / "out", progress=False)
        .read_text(encoding="utf-8")
        for folder in (one, other)
    ]
    assert pages[0] != pages[1]  # the referral file's checksum differs ...
    assert _without_checksums(pages[0]) == _without_checksums(pages[1])  # ... and nothing else
    # The stray file is counted in the data-quality section, never named.
    assert "1 other file in the data folder was ignored" in pages[0]
    assert "Jane" not in pages[0] and ".docx" not in pages[0]
