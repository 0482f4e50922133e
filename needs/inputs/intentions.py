"""Reading ``intentions.yaml``: the partnership's commissioning intentions.

The commissioning intentions are decisions of the Local Partnership Board, written by an
analyst, not data from providers: what the partnership will do about the gaps and findings of
the assessment. They are read from one file of the data folder, ``intentions.yaml`` (or
``intentions.yml``), a YAML list with one mapping per action::

    - action: Commission four more dispersed units with refuge-level support
      linked_to: "Gap: dispersed accommodation, units short of modelled need"
      priority: high            # high, medium or low
      owner: Domestic abuse commissioning team
      cost: 62000               # pounds a year; optional
      timescale: by March 2025

The keys are the columns of :data:`needs.reference.schema.INTENTIONS`, validated by the rules
of every input table (:func:`needs.inputs.validate.validate_one`): text length-capped, the
priority from :data:`needs.reference.categories.INTENTION_PRIORITIES`, the cost a number of at
least 0. A problem names the file, the item (and its line) and the key; an unknown key is a
warning. The file is read with :func:`needs.inputs.limits.load_yaml` (aliases refused, size
within ``yaml_bytes``). YAML rather than a sheet, because an action is a sentence or two of
text that a commissioner edits, and a list of them reads best as text.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from needs.errors import Issue
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    ReadLimits,
    SafeYamlLoader,
    YamlRefused,
    load_yaml,
    quote_start,
)
from needs.inputs.validate import UNKNOWN_COLUMN, RawTable, text_categorical, validate_one, warning
from needs.reference.schema import INTENTIONS

__all__ = ["INTENTIONS_FILES", "ItemIssue", "read_intentions"]

#: Names of the intentions file in a data folder (compared in lower case).
INTENTIONS_FILES: tuple[str, ...] = ("intentions.yaml", "intentions.yml")


@dataclass(frozen=True)
class ItemIssue(Issue):
    """A problem with one item of a YAML list: shown as ``file, item N (line L), key 'k': ...``.

    ``row`` holds the item's number (the first item is 1) and ``column`` the key.
    """

    line: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"item {self.row}" + (f" (line {self.line})" if self.line else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"key '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class _Items:
    """The top-level list of a YAML document and the line each item starts on."""

    items: list
    lines: list[int]


class _ItemLinesLoader(SafeYamlLoader):
    """:class:`~needs.inputs.limits.SafeYamlLoader` that keeps the line of each item of a
    top-level list (so a problem can name it)."""

    def construct_document(self, node: Any) -> Any:
        data = super().construct_document(node)
        if isinstance(node, yaml.SequenceNode) and isinstance(data, list):
            return _Items(data, [item.start_mark.line + 1 for item in node.value])
        return data


def _text(value: Any) -> str | None:
    """A YAML scalar as the text a table cell holds; ``None`` for a list or mapping."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return None
    return str(value).strip()


def read_intentions(
    path: Path, data: bytes, issues: list[Issue], limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], ...]:
    """The commissioning intentions of ``intentions.yaml``, validated.

    Parameters
    ----------
    path
        The file (its name is used in messages).
    data
        Its bytes.
    issues
        Problems found are appended: errors naming the item, its line and the key, and a
        warning for each unknown key.
    limits
        ``yaml_bytes`` bounds the file, ``rows`` the items and ``cell_chars`` a value.

    Returns
    -------
    tuple of dict
        One dict per action with the keys of :data:`~needs.reference.schema.INTENTIONS`
        (``cost`` a float or ``None``), in file order; empty for an empty file or when there
        are errors.

    Raises
    ------
    LimitExceeded
        The file, the number of items or a value is beyond ``limits``.
    """
    source = path.name
    errors_before = sum(issue.severity == "error" for issue in issues)
    try:
        content = load_yaml(data, source, limits, _ItemLinesLoader) if data.strip() else None
    except YamlRefused as error:
        mark = error.problem_mark
        issues.append(ItemIssue(source, f"{error.problem}", line=mark.line + 1 if mark is not None else None))
        return ()
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        mark = getattr(error, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        issues.append(Issue(source, f"is not valid YAML{line}: {getattr(error, 'problem', error)}"))
        return ()
    if content is None:
        return ()
    keys = INTENTIONS.column_names
    if not isinstance(content, _Items):
        issues.append(
            Issue(
                source,
                "expected a list of actions, each item starting with '- ' and holding the keys "
                f"{', '.join(keys)}; found a {type(content).__name__}",
            )
        )
        return ()
    if len(content.items) > limits.rows:
        raise LimitExceeded(source, "rows", f"the list has {len(content.items):,} items", limits.rows)
    cells: dict[str, list[str]] = {key: [] for key in keys}
    unknown: dict[str, int] = {}
    numbers: list[int] = []  # the item number of each row of the table
    reported: set[tuple[int, str]] = set()  # (item, key) already reported
    lines = dict(enumerate(content.lines, start=1))
    for number, item in enumerate(content.items, start=1):
        if not isinstance(item, dict):
            issues.append(
                ItemIssue(
                    source,
                    f"expected 'key: value' lines ({', '.join(keys)}); found a {type(item).__name__}",
                    number,
                    line=lines[number],
                )
            )
            continue
        numbers.append(number)
        for key in item:
            if str(key) not in keys:
                unknown.setdefault(str(key), number)
        for key in keys:
            text = _text(item.get(key))
            if text is None:
                issues.append(
                    ItemIssue(
                        source, "expected one value; found a list or mapping", number, key, line=lines[number]
                    )
                )
                reported.add((number, key))
                text = ""
            if len(text) > limits.cell_chars:
                raise LimitExceeded(
                    f"{source}, item {number}, key '{key}'",
                    "cell_chars",
                    f"the value is {quote_start(text)} ({len(text):,} characters)",
                    limits.cell_chars,
                )
            cells[key].append(text)
    for key, number in unknown.items():
        issues.append(
            warning(
                source,
                f"unknown key {quote_start(key)} (first in item {number}) ignored "
                f"(keys of an action are: {', '.join(keys)})",
                UNKNOWN_COLUMN,
            )
        )
    raw = RawTable(
        INTENTIONS.name,
        source,
        pd.DataFrame(
            {key: text_categorical(np.array(values, dtype=object)) for key, values in cells.items()},
            index=pd.RangeIndex(len(numbers)),
        ),
        np.array(numbers, dtype=np.int64),
    )
    frame, found = validate_one(raw, INTENTIONS)
    for issue in found:
        if issue.severity != "error":
            issues.append(issue)
        elif (issue.row, issue.column) not in reported:
            message = issue.message.replace("this column", "this key")
            issues.append(ItemIssue(issue.file, message, issue.row, issue.column, line=lines.get(issue.row)))
    if sum(issue.severity == "error" for issue in issues) > errors_before:
        return ()
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return tuple(
        {key: (str(value) if isinstance(value, str) else value) for key, value in record.items()}
        for record in records
    )
