"""Exceptions with exit codes: 2 for bad input, 1 for anything else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in an input: where it is and what was expected.

    ``row`` is the row number as the user sees it in the file (the header is row 1, so the
    first data row is row 2), or ``None`` for problems with a whole file or column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class NeedsError(Exception):
    """Base of the toolkit's errors; the command line prints the message, no traceback."""

    exit_code = 1


class InputError(NeedsError):
    """Bad input from the user: data, arguments or a scenario file (exit code 2)."""

    exit_code = 2


class DataValidationError(InputError):
    """A data folder failed validation; ``issues`` lists every problem found in one pass."""

    def __init__(self, issues: list[Issue], folder: str = ""):
        self.issues = list(issues)
        self.folder = folder
        errors = [issue for issue in self.issues if issue.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found in {folder or 'the data'}"
        super().__init__(head + ":\n" + "\n".join(f"  - {issue}" for issue in errors))


class ScenarioError(InputError):
    """A scenario file or dict is invalid (names the file and key)."""


class ReportError(NeedsError):
    """Rendering a report failed (names the notebook section)."""
