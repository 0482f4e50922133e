"""Limits on what the toolkit will read: far above any real council file, below any trap.

Councils receive data files from many organisations by email. A file can be broken or built
to hurt: a 1.5 KB workbook that declares a million rows by 16,384 columns, a shared-strings
part holding a 1 GB heading, a 358-byte YAML file whose nested aliases expand to gigabytes.
Every reader checks these limits before it does the work, and a refusal names the limit,
the file and how to raise it (``--limit NAME=VALUE``, exit 2).

The defaults are named once here. A real council's referral file has a few thousand rows a
year and a few dozen columns; the limits are a thousand times that.

Also here, for every reader of the toolkit's input files: :func:`read_bytes` (a file read
only if its size is within a limit), :class:`SafeYamlLoader` and :func:`load_yaml` (YAML with
anchors, aliases and deep nesting refused, never expanded) and :func:`quote_start` (an
over-long value quoted by its first characters).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

import yaml

from needs.errors import InputError

__all__ = [
    "DEFAULT_LIMITS",
    "QUOTED_CHARS",
    "YAML_MAX_DEPTH",
    "LimitExceeded",
    "ReadLimits",
    "SafeYamlLoader",
    "YamlRefused",
    "load_yaml",
    "quote_start",
    "read_bytes",
]


@dataclass(frozen=True)
class ReadLimits:
    """How much the readers of a data folder and of scenario files accept.

    Attributes
    ----------
    rows
        Rows of one table (one CSV file or one sheet).
    columns
        Columns of one table.
    cell_chars
        Characters in one cell (a heading or a value).
    file_bytes
        Size of one file on disk.
    unpacked_bytes
        Uncompressed size of one workbook (the sum over its zip members), checked before
        the workbook is parsed.
    shared_strings_bytes
        Uncompressed size of a workbook's shared-strings part.
    yaml_bytes
        Size of ``dataset.yaml`` or of a scenario file.
    part_bytes
        Uncompressed size of each other part of a workbook that is read whole when the
        workbook is opened: its styles, sheet list, relationships and properties (real ones
        are kilobytes; 12 MB of styles take openpyxl 8 seconds and 170 MB). Sheets, which
        are read row by row, and pictures or embedded files, which are not read, are
        bounded by ``unpacked_bytes`` only.
    """

    rows: int = 5_000_000
    columns: int = 1_000
    cell_chars: int = 10_000
    file_bytes: int = 2_000_000_000
    unpacked_bytes: int = 4_000_000_000
    shared_strings_bytes: int = 1_000_000_000
    yaml_bytes: int = 1_000_000
    part_bytes: int = 20_000_000

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names accepted by ``--limit NAME=VALUE``."""
        return tuple(f.name for f in fields(cls))

    def raised(self, options: Iterable[str] = ()) -> ReadLimits:
        """These limits with ``NAME=VALUE`` options applied (``--limit rows=10000000``).

        Raises
        ------
        InputError
            An unknown name, or a value that is not a whole number of at least 1.
        """
        changes: dict[str, int] = {}
        for option in options:
            name, sep, value = str(option).partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in self.names():
                raise InputError(
                    f"--limit {option}: expected NAME=VALUE with NAME one of {', '.join(self.names())}"
                )
            text = value.strip().replace("_", "").replace(",", "")
            if not text.isdigit() or int(text) < 1:
                raise InputError(f"--limit {option}: expected a whole number of at least 1")
            changes[name] = int(text)
        return replace(self, **changes)

    def as_options(self) -> list[str]:
        """The limits that differ from the defaults, as ``NAME=VALUE`` strings."""
        return [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != getattr(DEFAULT_LIMITS, f.name)
        ]


#: The limits every reader uses unless an option raises them.
DEFAULT_LIMITS = ReadLimits()


#: What each limit counts, as a refusal names it ("more than the limit of 1,000 columns").
_UNITS: dict[str, str] = {
    "rows": "rows",
    "columns": "columns",
    "cell_chars": "characters in one cell",
    "file_bytes": "bytes in one file",
    "unpacked_bytes": "bytes unpacked",
    "shared_strings_bytes": "bytes of shared strings",
    "yaml_bytes": "bytes of YAML",
    "part_bytes": "bytes in one part of a workbook",
}

#: How many characters of an over-long value a message quotes.
QUOTED_CHARS = 60


class LimitExceeded(InputError):
    """A file is larger than a :class:`ReadLimits` limit (exit 2).

    Parameters
    ----------
    source
        Where: the file, and the sheet or column when there is one.
    limit
        The name of the limit (a field of :class:`ReadLimits`).
    found
        What was found, e.g. ``"the heading row has 50,000 columns"``.
    allowed
        The limit's value.
    """

    def __init__(self, source: str, limit: str, found: str, allowed: int) -> None:
        super().__init__(
            f"{source}: {found}, more than the limit of {allowed:,} {_UNITS.get(limit, limit.replace('_', ' '))}; "
            f"if the file is genuine, raise the limit with --limit {limit}=N"
        )
        self.source = source
        self.limit = limit


def quote_start(text: str, chars: int = QUOTED_CHARS) -> str:
    """``text`` quoted for a message: at most ``chars`` characters, then ``…`` if it is longer.

    Line breaks and tabs are shown as spaces, so an over-long value never floods a terminal.
    """
    head = str(text[: chars + 1])
    shown = head[:chars].translate({10: " ", 13: " ", 9: " "})
    return f"'{shown}…'" if len(head) > chars else f"'{shown}'"


# --------------------------------------------------------------------------------------
# Reading a file no larger than a limit
# --------------------------------------------------------------------------------------


def read_bytes(path: str | os.PathLike, source: str, limits: ReadLimits, limit: str = "file_bytes") -> bytes:
    """The bytes of the file ``path``, refused before reading if it is too large.

    The size is taken from the open file (``fstat``), so it is checked before a byte is
    read, and at most ``limit + 1`` bytes are read even from a file that grows meanwhile or
    states no size (a pipe, a device).

    Parameters
    ----------
    path
        The file.
    source
        Its name as messages show it.
    limits
        The limits of this read.
    limit
        Which limit bounds the size: ``"file_bytes"`` (a data file) or ``"yaml_bytes"``.

    Raises
    ------
    LimitExceeded
        The file is larger than the limit.
    OSError
        It cannot be opened or read.
    """
    allowed = int(getattr(limits, limit))
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > allowed:
            raise LimitExceeded(source, limit, f"the file has {info.st_size:,} bytes", allowed)
        # the size stated, plus whatever a file that grows meanwhile adds, up to the limit
        blocks, total = [], 0
        while total <= allowed:
            block = handle.read(min(allowed + 1 - total, max(info.st_size + 1 - total, 1 << 20)))
            if not block:
                break
            blocks.append(block)
            total += len(block)
        data = blocks[0] if len(blocks) == 1 else b"".join(blocks)
    if len(data) > allowed:
        raise LimitExceeded(source, limit, f"the file has more than {allowed:,} bytes", allowed)
    return data


# --------------------------------------------------------------------------------------
# YAML without aliases
# --------------------------------------------------------------------------------------

#: How deeply YAML collections may nest (``dataset.yaml`` needs 1, a scenario file 4).
YAML_MAX_DEPTH = 50


class YamlRefused(yaml.composer.ComposerError):
    """YAML that is valid but refused: an anchor or alias, or nesting too deep."""


class SafeYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases and deep nesting.

    An alias (``*name``) repeats the node its anchor (``&name``) marks without repeating its
    text, so ten nested aliases in a few hundred bytes stand for a billion values (the
    "billion laughs"): anything that walks or prints the result expands them. The files the
    toolkit reads (``dataset.yaml``, scenario files) never need one, so both are refused as
    the document is composed, before any value is built. Collections nested deeper than
    :data:`YAML_MAX_DEPTH` are refused too (the composer recurses once per level).
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise YamlRefused(
                None,
                None,
                f"aliases are not allowed (found the {'alias' if sign == '*' else 'anchor'} "
                f"{quote_start(sign + str(event.anchor), 40)}); write each value out in full",
                event.start_mark,
            )
        if self._depth >= YAML_MAX_DEPTH:
            raise YamlRefused(
                None, None, f"lists and mappings nested more than {YAML_MAX_DEPTH} deep", event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(
    data: bytes, source: str, limits: ReadLimits, loader: type[SafeYamlLoader] = SafeYamlLoader
) -> Any:
    """The YAML document in ``data``, read with a loader that refuses aliases.

    Parameters
    ----------
    data
        The file's bytes (UTF-8, with or without a byte-order mark).
    source
        The file's name, for the refusal.
    limits
        ``yaml_bytes`` bounds the size (checked again here for bytes that did not come from
        :func:`read_bytes`).
    loader
        :class:`SafeYamlLoader` or a subclass of it.

    Raises
    ------
    LimitExceeded
        ``data`` is larger than ``limits.yaml_bytes``.
    UnicodeDecodeError
        The file is not UTF-8.
    yaml.YAMLError
        A syntax error, or :class:`YamlRefused` (an alias or anchor, or deep nesting).
    ValueError
        A value PyYAML cannot convert (an integer of more than 4,300 digits).
    """
    if len(data) > limits.yaml_bytes:
        raise LimitExceeded(source, "yaml_bytes", f"the file has {len(data):,} bytes", limits.yaml_bytes)
    return yaml.load(data.decode("utf-8-sig"), Loader=loader)  # noqa: S506 - a SafeLoader subclass
