"""The governance inputs: the front matter of ``dataset.yaml``, ``intentions.yaml`` and the
``engagement`` table, as loaded and validated, and the ``engagement`` part worked by hand.

Bad inputs give one clear message per problem naming the file, the row or item (and line) and
the column or key, and exit 2 from the command line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixtures import SHIRE, TEST_DATA, tiny_dataset

import needs
from needs.assessment.engagement import engagement_themes
from needs.cli import main
from needs.errors import DataValidationError
from needs.inputs.intentions import read_intentions
from needs.reference.schema import MAX_QUOTE_CHARS

MINIMAL = TEST_DATA / "valid_minimal"
NEIGHBOURTON = "E06000001"
GOOD_ACTION = """- action: Commission two more refuge units
  linked_to: "Gap: refuge"
  priority: high
  owner: Commissioning team
  cost: 50000
  timescale: 2024-25
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A fresh copy of the minimal valid folder."""
    return Path(shutil.copytree(MINIMAL, tmp_path / "data"))


def _errors(folder: Path) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        needs.load(folder)
    return [str(issue) for issue in caught.value.issues if issue.severity == "error"]


# ---------------------------------------------------------------------------------------------
# The example and the minimal folder
# ---------------------------------------------------------------------------------------------


def test_the_example_carries_front_matter_intentions_and_engagement(example_folder):
    dataset = needs.load(example_folder)
    meta = dataset.metadata
    assert meta["publication_date"] == "2024-07-31" and meta["next_review"] == "2025-07-31"
    assert meta["approved_by"].startswith("Illustrative")
    intentions = meta["intentions"]
    assert 4 <= len(intentions) <= 6
    assert {item["priority"] for item in intentions} <= {"high", "medium", "low"}
    assert intentions[0]["cost"] == 64000.0 and intentions[3]["cost"] is None
    engagement = dataset.tables["engagement"]
    assert 6 <= len(engagement) <= 10
    assert engagement["synthetic"].all()  # every row marked illustrative
    assert (engagement["respondents"] < 5).sum() >= 2  # small counts, so suppression shows
    assert not dataset.warnings


def test_the_minimal_folder_has_none_of_them(minimal_folder):
    dataset = needs.load(minimal_folder)
    assert "intentions" not in dataset.metadata and not dataset.has("engagement")
    assert "publication_date" not in dataset.metadata


# ---------------------------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------------------------


def test_front_matter_dates_are_read_as_iso_dates(folder):
    text = (folder / "dataset.yaml").read_text()
    (folder / "dataset.yaml").write_text(
        text
        + "publication_date: 2024-07-31\nnext_review: '2025-07-01'\nversion: 2.1\ncontact: team@example.org\n"
    )
    meta = needs.load(folder).metadata
    assert meta["publication_date"] == "2024-07-31" and meta["next_review"] == "2025-07-01"
    assert meta["version"] == "2.1" and meta["contact"] == "team@example.org"


def test_bad_front_matter_names_the_file_and_key(folder):
    text = (folder / "dataset.yaml").read_text()
    (folder / "dataset.yaml").write_text(
        text + "publication_date: 31/07/2024\nnext_review: soon\napproved_by: " + "B" * 201 + "\n"
    )
    errors = _errors(folder)
    assert any(e.startswith("dataset.yaml: found ''31/07/2024'' for 'publication_date'") for e in errors), (
        errors
    )
    assert any("'next_review'; expected a date written YYYY-MM-DD" in e for e in errors)
    assert any("'approved_by' has 201 characters, more than the limit of 200" in e for e in errors)


def test_next_review_before_publication_is_an_error(folder):
    text = (folder / "dataset.yaml").read_text()
    (folder / "dataset.yaml").write_text(text + "publication_date: 2024-07-31\nnext_review: 2024-01-01\n")
    assert _errors(folder) == [
        "dataset.yaml: 'next_review' (2024-01-01) is before 'publication_date' (2024-07-31); check both dates"
    ]


def test_an_unknown_front_matter_key_is_a_warning(folder):
    text = (folder / "dataset.yaml").read_text()
    (folder / "dataset.yaml").write_text(text + "signed_off_by: someone\n")
    dataset = needs.load(folder)
    assert any("unknown key 'signed_off_by' ignored" in w for w in dataset.warnings)


# ---------------------------------------------------------------------------------------------
# intentions.yaml
# ---------------------------------------------------------------------------------------------


def test_intentions_are_read_typed_and_in_order(folder):
    (folder / "intentions.yaml").write_text(
        "# a comment\n" + GOOD_ACTION + "- action: Ask providers to record ethnicity\n"
        "  linked_to: 'Data quality'\n  priority: low\n  owner: Performance lead\n  timescale: 2025\n"
    )
    dataset = needs.load(folder)
    assert dataset.metadata["intentions"] == (
        {"action": "Commission two more refuge units", "linked_to": "Gap: refuge", "priority": "high",
         "owner": "Commissioning team", "cost": 50000.0, "timescale": "2024-25"},
        {"action": "Ask providers to record ethnicity", "linked_to": "Data quality", "priority": "low",
         "owner": "Performance lead", "cost": None, "timescale": "2025"},
    )  # fmt: skip
    assert "intentions.yaml" in {file.path.name for file in dataset.files}  # hashed for provenance


def test_bad_intentions_name_file_item_line_and_key_and_exit_2(folder, capsys):
    (folder / "intentions.yaml").write_text(
        GOOD_ACTION
        + "- action: Do more\n  linked_to: Gap\n  priority: urgent\n  owner: Team\n  cost: lots\n  timescale: soon\n"
        + "- linked_to: Gap\n  priority: low\n  owner: Team\n  timescale: soon\n  colour: red\n"
    )
    assert sorted(_errors(folder)) == [
        "intentions.yaml, item 2 (line 7), key 'cost': found 'lots'; expected a number",
        "intentions.yaml, item 2 (line 7), key 'priority': found 'urgent'; expected one of high, medium, low",
        "intentions.yaml, item 3 (line 13), key 'action': blank; expected text (this key must be filled)",
    ]
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "intentions.yaml, item 2 (line 7), key 'priority'" in err
    assert "unknown key 'colour'" in err  # a warning, listed with the errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("action: one\n", "intentions.yaml: expected a list of actions"),
        ("- just a sentence\n", "intentions.yaml, item 1 (line 1): expected 'key: value' lines"),
        ("- &a {action: x}\n- *a\n", "intentions.yaml, line 1: aliases are not allowed"),
        ("- action: [a, b]\n", "intentions.yaml, item 1 (line 1), key 'action': expected one value"),
        ("- action: 'unclosed\n", "intentions.yaml: is not valid YAML"),
    ],
)
def test_intentions_that_are_not_a_list_of_mappings(folder, text, expected):
    (folder / "intentions.yaml").write_text(text)
    errors = _errors(folder)
    assert any(e.startswith(expected) for e in errors), errors


def test_intentions_text_is_length_capped(tmp_path):
    issues: list = []
    action = GOOD_ACTION.replace("Commission two more refuge units", "A" * 501).encode()
    assert read_intentions(tmp_path / "intentions.yaml", action, issues) == ()
    (error,) = [str(issue) for issue in issues if issue.severity == "error"]
    assert error.startswith("intentions.yaml, item 1 (line 1), key 'action': ")
    assert "501" in error and "500" in error


def test_an_empty_intentions_file_gives_no_intentions(folder):
    (folder / "intentions.yaml").write_text("# nothing decided yet\n")
    assert needs.load(folder).metadata["intentions"] == ()


def test_intentions_given_twice_is_an_error(folder):
    (folder / "intentions.yaml").write_text(GOOD_ACTION)
    (folder / "intentions.yml").write_text(GOOD_ACTION)
    assert any("intentions are supplied more than once" in e for e in _errors(folder))


# ---------------------------------------------------------------------------------------------
# The engagement table
# ---------------------------------------------------------------------------------------------


def test_bad_engagement_rows_name_file_row_and_column(folder):
    long_quote = "Q" * (MAX_QUOTE_CHARS + 1)
    pd.DataFrame(
        {
            "area_code": ["E10000018", "E10000018", "E99999999"],
            "period": ["2023-24", "2023-24", "2023"],
            "theme": ["Refuge space", "Safety at home", "Other"],
            "source": ["survey", "meeting", "partner"],
            "respondents": ["12", "-3", "lots"],
            "quote": [long_quote, "", ""],
        }
    ).to_csv(folder / "engagement.csv", index=False)
    errors = _errors(folder)
    assert any(e.startswith("engagement.csv, row 2, column 'quote'") and "280" in e for e in errors), errors
    assert any(e.startswith("engagement.csv, row 3, column 'source': found 'meeting'") for e in errors), (
        errors
    )
    assert any(e.startswith("engagement.csv, row 3, column 'respondents'") for e in errors), errors
    assert any(e.startswith("engagement.csv, row 4, column 'respondents'") for e in errors), errors
    assert any(e.startswith("engagement.csv, row 4, column 'period'") for e in errors), errors
    assert any(e.startswith("engagement.csv, row 4, column 'area_code'") for e in errors), errors


def test_engagement_themes_by_hand():
    """Northton (3) and Southby (4) are districts of Shire: 7 Shire respondents on "Refuge space"
    from the survey, the first quote given ("Q2"); Neighbourton's own row; a row of another
    year left out."""
    tiny = tiny_dataset()
    tiny.tables["engagement"] = pd.DataFrame(
        {
            "area_code": ["E07000001", "E07000002", "E10000001", NEIGHBOURTON, SHIRE],
            "period": ["2024-25", "2024-25", "2024-25", "2024-25", "2023-24"],
            "theme": ["Refuge space", "Refuge space", "Refuge space", "Refuge space", "Refuge space"],
            "source": ["survey", "survey", "provider", "survey", "survey"],
            "respondents": [3, 4, 2, 9, 50],
            "quote": [None, "Q2", "Q3", None, "old"],
        }
    )
    part = engagement_themes(tiny, "2024-25")
    assert part.to_dict("records") == [
        {"area_code": NEIGHBOURTON, "period": "2024-25", "theme": "Refuge space", "source": "survey",
         "respondents": 9, "quote": None},
        {"area_code": SHIRE, "period": "2024-25", "theme": "Refuge space", "source": "survey",
         "respondents": 7, "quote": "Q2"},
        {"area_code": SHIRE, "period": "2024-25", "theme": "Refuge space", "source": "provider",
         "respondents": 2, "quote": "Q3"},
    ]  # fmt: skip
    assert engagement_themes(tiny_dataset(), "2024-25").empty  # no table: no rows
