"""Checking a scenario: every problem collected with its key path, then raised together.

Shared by :mod:`needs.scenarios.spec` (the file's own checks) and
:func:`needs.scenarios.model.apply` (checks against the data). Each problem reads
``<file>: <key path>: <what was expected>, found <what was given>``, with the closest known
key or code suggested for a typo (:func:`difflib.get_close_matches`).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any

from needs.errors import ScenarioError


def _found(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return str(value)


class _Checker:
    """Collects every problem in a scenario, each with its key path."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            error = ScenarioError("\n".join(self.problems))
            error.problems = list(self.problems)  # type: ignore[attr-defined]
            raise error

    def mapping(self, value: Any, path: str, allowed: Sequence[str]) -> dict:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping of keys ({', '.join(allowed)}), found {_found(value)}")
            return {}
        out = {}
        for key, item in value.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown key{hint}; expected one of {', '.join(allowed)}")
            else:
                out[key] = item
        return out

    def sequence(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.fail(path, f"expected a list, found {_found(value)}")
            return []
        return list(value)

    def number(
        self,
        value: Any,
        path: str,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
        what: str | None = None,
    ) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            number = float(value)
            if low is not None and (number < low or (low_open and number == low)):
                ok = False
            if high is not None and (number > high or (high_open and number == high)):
                ok = False
        if not ok:
            if what is None:
                bounds = []
                if low is not None:
                    bounds.append(f"{'>' if low_open else '>='} {low:g}")
                if high is not None:
                    bounds.append(f"{'<' if high_open else '<='} {high:g}")
                what = "a number" + (f" {' and '.join(bounds)}" if bounds else "")
            self.fail(path, f"expected {what}, found {_found(value)}")
            return None
        return float(value)

    def whole(self, value: Any, path: str) -> int | None:
        integral = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not (integral and float(value).is_integer() and value >= 0):
            self.fail(path, f"expected a whole number >= 0, found {_found(value)}")
            return None
        return int(value)

    def text(self, value: Any, path: str, *, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, f"expected some text, found {_found(value)}")
            return None
        return value.strip()

    def code(self, value: Any, path: str, codes: Sequence[str], what: str) -> str | None:
        if not isinstance(value, str) or value not in codes:
            close = difflib.get_close_matches(str(value), list(codes), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.fail(path, f"expected {what}: one of {', '.join(codes)}; found {_found(value)}{hint}")
            return None
        return value
