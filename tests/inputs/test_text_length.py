"""Free text has a length limit (issue 17): a 10 MB service name is refused, not published.

The limits are :data:`needs.inputs.validate.TEXT_LIMITS` (names 200 characters, sources 500,
web addresses 2,000, any other free text 500). A value over its limit is an error naming
the file, the row, the column, the length and the limit, quoting only the start of the
text; ``needs validate`` exits 2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from fixtures import TEST_DATA, tiny_dataset

from needs.cli import main
from needs.errors import DataValidationError
from needs.inputs.validate import (
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_URL_CHARS,
    QUOTED_CHARS,
    TEXT_LIMITS,
    text_limit,
    validate_tables,
)
from needs.reference import schema


def _tables() -> dict[str, pd.DataFrame]:
    """The hand-listed tables as plain text and numbers (categories as strings)."""
    return {
        name: table.apply(lambda c: c.astype(object) if isinstance(c.dtype, pd.CategoricalDtype) else c)
        for name, table in tiny_dataset().tables.items()
    }


def _errors(tables: dict[str, pd.DataFrame]) -> list:
    with pytest.raises(DataValidationError) as raised:
        validate_tables(tables)
    return [issue for issue in raised.value.issues if issue.severity == "error"]


def test_every_free_text_column_has_a_limit_and_nothing_else_has_one() -> None:
    for table in schema.TABLES.values():
        for column in table.columns:
            limit = text_limit(column)
            if column.kind == "text":
                assert limit == TEXT_LIMITS.get(column.name, MAX_TEXT_CHARS) and limit >= MAX_NAME_CHARS
            else:
                assert limit is None
    assert set(TEXT_LIMITS) <= {c.name for t in schema.TABLES.values() for c in t.columns if c.kind == "text"}


def test_text_at_the_limit_is_accepted() -> None:
    tables = _tables()
    tables["services"].loc[0, "name"] = "N" * MAX_NAME_CHARS
    tables["areas"].loc[0, "area_name"] = "A" * MAX_NAME_CHARS
    validate_tables(tables)


def test_a_ten_megabyte_service_name_is_refused_without_printing_it() -> None:
    tables = _tables()
    name = "Refuge " + "x" * 10_000_000
    tables["services"].loc[1, "name"] = name
    tables["areas"].loc[0, "area_name"] = "A" * (MAX_NAME_CHARS + 1)
    tables["prevalence"]["source_url"] = "https://example.org/" + "p" * MAX_URL_CHARS
    errors = _errors(tables)
    by_column = {issue.column: issue for issue in errors}
    assert set(by_column) == {"name", "area_name", "source_url"}
    service = by_column["name"]
    assert (service.file, service.row) == ("services.csv", 3)  # the second data row
    assert service.message == (
        f"found {len(name):,} characters ('{name[:QUOTED_CHARS]}…'); expected at most {MAX_NAME_CHARS} characters"
    )
    assert len(str(service)) < 200  # never the whole text
    assert "201 characters" in by_column["area_name"].message
    assert f"at most {MAX_URL_CHARS:,} characters" in by_column["source_url"].message
    # one problem per row: every prevalence row is listed (or summed up), each once
    assert sum(issue.column == "source_url" for issue in errors) == min(len(tables["prevalence"]), 21)


def test_needs_validate_exits_2_naming_file_row_column_and_limit(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    shutil.copytree(TEST_DATA / "valid_minimal", folder)
    services = pd.read_csv(folder / "services.csv", dtype=str, keep_default_na=False)
    services.loc[0, "provider"] = "P" * 5_000
    services.to_csv(folder / "services.csv", index=False)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "services.csv, row 2, column 'provider': found 5,000 characters" in err
    assert f"expected at most {MAX_NAME_CHARS} characters" in err
    assert "P" * (QUOTED_CHARS + 1) not in err
