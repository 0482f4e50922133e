"""Reading ``dataset.yaml``: the dataset's title, authority, area, date and flags, and the
report's front matter.

Read with a loader that refuses YAML anchors and aliases (:func:`needs.inputs.limits.load_yaml`),
within the size limit; unknown keys are warnings.

The front matter (:data:`FRONT_MATTER_KEYS`) is what every published assessment states about
itself and what the report's "About this assessment" table shows: when it was published, the
body that approved it (the Local Partnership Board, statutory guidance of 1 October 2021,
chapter 4), when it will next be reviewed (the assessment is refreshed every year and redone in
full at least every three years), whom to contact and the version. Each key is optional; dates
must be dates written ``YYYY-MM-DD``, and the review cannot be before the publication; text is
capped like the free text of the tables (:data:`FRONT_MATTER_CHARS`).
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
    MAX_NAME_CHARS,
    UNKNOWN_METADATA_KEY,
    warning,
)

#: Keys of the report's front matter, in the order the report shows them.
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "publication_date",
    "approved_by",
    "next_review",
    "contact",
    "version",
)
#: Front-matter keys that are dates (written ``YYYY-MM-DD``).
DATE_KEYS: tuple[str, ...] = ("data_date", "publication_date", "next_review")
#: Longest value of each front-matter text key: a name of a body or a team, an address or a
#: version label is shown in the report's "About this assessment" table.
FRONT_MATTER_CHARS: dict[str, int] = {"approved_by": MAX_NAME_CHARS, "contact": MAX_NAME_CHARS, "version": 50}

#: Keys allowed in ``dataset.yaml``.
METADATA_KEYS: tuple[str, ...] = (
    "title",
    "authority",
    "area_code",
    "data_date",
    "demonstration",
    "description",
    *FRONT_MATTER_KEYS,
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
        elif key in DATE_KEYS:
            if isinstance(value, dt.datetime):
                value = value.date().isoformat()
            elif isinstance(value, dt.date):
                value = value.isoformat()
            else:
                parsed = pd.to_datetime(str(value)[:100], format="%Y-%m-%d", errors="coerce")
                if pd.isna(parsed):
                    issues.append(
                        Issue(
                            source,
                            f"found {quote_start(repr(value))} for '{key}'; expected a date written YYYY-MM-DD",
                        )
                    )
                    continue
                value = parsed.date().isoformat()
        elif key in FRONT_MATTER_CHARS and value is not None:
            if isinstance(value, dict | list):
                issues.append(
                    Issue(source, f"found a {type(value).__name__} for '{key}'; expected one line of text")
                )
                continue
            value = str(value).strip()
            if len(value) > FRONT_MATTER_CHARS[key]:
                issues.append(
                    Issue(
                        source,
                        f"the value of '{key}' has {len(value):,} characters, more than the limit of "
                        f"{FRONT_MATTER_CHARS[key]:,} ({quote_start(value)}); shorten it",
                    )
                )
                continue
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
    published, review = metadata.get("publication_date"), metadata.get("next_review")
    if published and review and review < published:  # ISO dates compare as text
        issues.append(
            Issue(
                source,
                f"'next_review' ({review}) is before 'publication_date' ({published}); check both dates",
            )
        )
    return metadata
