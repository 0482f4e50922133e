"""Reading ``dataset.yaml``: the dataset's title, authority, area, date and flags.

Read with a loader that refuses YAML anchors and aliases (:func:`needs.inputs.limits.load_yaml`),
within the size limit; unknown keys are warnings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import yaml

from needs.errors import Issue
from needs.inputs.limits import (
    DEFAULT_LIMITS,
    LimitExceeded,
    ReadLimits,
    YamlRefused,
    load_yaml,
    quote_start,
)
from needs.inputs.validate import (
    UNKNOWN_METADATA_KEY,
    warning,
)

#: Keys allowed in ``dataset.yaml``.
METADATA_KEYS: tuple[str, ...] = (
    "title",
    "authority",
    "area_code",
    "data_date",
    "demonstration",
    "description",
)


# --------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------


def read_metadata(path: Path, data: bytes, issues: list[Issue], limits: ReadLimits = DEFAULT_LIMITS) -> dict:
    """Read ``dataset.yaml``: a mapping with keys from :data:`METADATA_KEYS`.

    Read with :class:`~needs.inputs.limits.SafeYamlLoader`: anchors and aliases are refused
    (an error in ``issues``), never expanded.

    Raises
    ------
    LimitExceeded
        The file is larger than ``limits.yaml_bytes``, or a value longer than
        ``limits.cell_chars``.
    """
    source = path.name
    try:
        content = load_yaml(data, source, limits) if data.strip() else {}
    except YamlRefused as error:
        mark = error.problem_mark
        issues.append(Issue(source, f"{error.problem}", mark.line + 1 if mark is not None else None))
        return {}
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        mark = getattr(error, "problem_mark", None)
        issues.append(
            Issue(
                source,
                f"is not valid YAML: {getattr(error, 'problem', error)}",
                mark.line + 1 if mark is not None else None,
            )
        )
        return {}
    if content is None:
        return {}
    if not isinstance(content, dict):
        issues.append(
            Issue(
                source,
                f"expected 'key: value' lines ({', '.join(METADATA_KEYS)}); found a {type(content).__name__}",
            )
        )
        return {}
    metadata: dict = {}
    for key, value in content.items():
        if key not in METADATA_KEYS:
            issues.append(
                warning(
                    source,
                    f"unknown key {quote_start(str(key))} ignored (known keys: {', '.join(METADATA_KEYS)})",
                    UNKNOWN_METADATA_KEY,
                )
            )
            continue
        if key == "demonstration":
            if not isinstance(value, bool):
                issues.append(
                    Issue(
                        source,
                        f"found {quote_start(repr(value))} for 'demonstration'; expected true or false",
                    )
                )
                continue
        elif key == "data_date":
            if isinstance(value, dt.date):
                value = value.isoformat()
            else:
                parsed = pd.to_datetime(str(value)[:100], format="%Y-%m-%d", errors="coerce")
                if pd.isna(parsed):
                    issues.append(
                        Issue(
                            source,
                            f"found {quote_start(repr(value))} for 'data_date'; expected a date written YYYY-MM-DD",
                        )
                    )
                    continue
                value = parsed.date().isoformat()
        elif value is not None:
            value = str(value).strip()
            if len(value) > limits.cell_chars:
                raise LimitExceeded(
                    f"{source}, key '{key}'",
                    "cell_chars",
                    f"the value is {quote_start(value)} ({len(value):,} characters)",
                    limits.cell_chars,
                )
        metadata[key] = value
    return metadata


