"""Household ids without names: a keyed hash of normalised identifying fields (``needs pseudonymise``).

Every provider in a partnership holds the same secret *partnership key*. Each runs
:func:`pseudonymise` on its own machine over the identifying fields the partnership agreed
(by default the lead victim's ``name``, ``date_of_birth`` and ``postcode``), so that one
household gets one ``household_id`` at every provider, and nobody without the key can
recompute an id from a name (or test a guess). Only the pseudonymised sheet leaves the
provider: :func:`pseudonymised_table` drops the fields and refuses a sheet that would
still hold an identifying column.

The id
------
``household_id = "H-" + hex(HMAC-SHA256(key, message))[:16]`` (RFC 2104 HMAC with SHA-256,
FIPS 180-4), where ``message`` is ``needs-household-v1`` followed, for each field in
alphabetical order of its name (:func:`field_name`: the heading case-folded, other characters as
``_``, and synonyms such as ``DOB`` as ``date_of_birth``, :data:`FIELD_NAMES`), by
``0x1E name 0x1F value`` (the ASCII record and
unit separators cannot occur in a normalised value, so two different lists of values can
never give the same message). The order of ``--fields`` therefore does not matter.

Sixteen hexadecimal characters keep 64 bits of the digest. By the birthday bound, the chance
that any two of ``n`` different households share an id is about ``n^2 / 2^65``: for
100,000 households (far more than a county's safe-accommodation referrals in a year) that is
2.7e-10, and for 10 million (every household in England) 2.7e-6. The id (18 characters,
``^H-[0-9a-f]{16}$``, :data:`HOUSEHOLD_ID_PATTERN`) fits the data dictionary's ``household_id``
column (a free identifier of at most ``cell_chars`` characters).

Normalisation (applied before hashing, so that trivial differences in typing do not split a household)
--------------------------------------------------------------------------------------------------
Every field: Unicode NFKD (compatibility decomposition), combining marks (accents) removed,
the letters NFKD does not decompose mapped by :data:`_LETTERS` (``ø`` to ``o``, ``ł`` to
``l``, ``æ`` to ``ae``, ...), case-folded (``ß`` to ``ss``), whitespace collapsed to one
space and trimmed. Then by the kind of field (:data:`FIELD_KINDS`, from the heading):

* names (``name``, ``first_name``, ``surname``, ...): apostrophes are removed
  (``O'Neil`` = ``ONeil``, as systems that refuse apostrophes store it); hyphens, dashes,
  full stops and every other character that is not a letter or digit become a space
  (``Smith-Jones`` = ``Smith Jones``; ``St. John`` = ``St John``);
* dates (``date_of_birth``, ``dob``, ``birth_date``): ``YYYY-MM-DD`` (also ``/`` or ``.``,
  with or without a time, as Excel date cells are read); ``D/M/YYYY`` and ``DD/MM/YYYY``
  (also ``-`` or ``.``), read **day first** as dates are written in the UK; ``7 March 1985``
  or ``7 Mar 1985``; a five-digit Excel serial number (1900 date system: day 1 is 1 January
  1900, so serial ``n`` is 30 December 1899 plus ``n`` days). Written as ``YYYY-MM-DD``.
  Refused, with the file, sheet, row and column: a two-digit year (``7/3/85``: 1885, 1985 or
  2085 cannot be told apart for a date of birth), a date that does not exist day first
  (``03/25/1985``: month 25; a month-first US date), a year alone, a year before 1900 or a
  date in the future;
* postcodes (``postcode``, ``post_code``): upper case, every character that is not a
  letter or digit removed (``le1 6th`` = ``LE16TH``), and the result must have the shape of a
  full UK postcode;
* anything else (for example ``nhs_number``): the common normalisation, with every character
  that is not a letter or digit removed.

A blank field is refused: a household with no date of birth would otherwise share an id
with every other household of the same name and postcode and no date of birth.

Messages name the file, sheet, row and column and say what was expected; they never quote an
identifying value or the key (a message may be pasted into an email asking for help).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from needs.errors import DataValidationError, InputError, Issue
from needs.inputs.csv_reader import _csv_columns, _csv_heading
from needs.inputs.limits import DEFAULT_LIMITS, LimitExceeded, ReadLimits, quote_start, read_bytes
from needs.inputs.template import ABOUT_SHEET, PROVIDER_CELL, PROVIDER_NAME
from needs.inputs.text_columns import (
    _TABLE_NAMES,
    _binary_problem,
    _cell_text,
    _cell_texts,
    _check_heading,
    _chunk_rows,
    _ColumnPool,
    _frame_to_raw,
    _is_example_row,
    _pad,
)
from needs.inputs.validate import RawTable
from needs.inputs.workbook import (
    _DAMAGED,
    _checked_rows,
    _sheet_columns,
    _unsized_sheets,
    check_workbook_size,
)
from needs.outputs.files import atomic_write_bytes, csv_bytes, save_workbook
from needs.reference import schema

__all__ = [
    "DEFAULT_FIELDS",
    "HOUSEHOLD_ID_PATTERN",
    "IDENTIFYING_COLUMNS",
    "is_demonstration_key",
    "is_identifying",
    "make_key",
    "normalise",
    "pseudonymise",
    "pseudonymised_table",
    "read_key",
    "read_local_sheet",
    "sheet_provider",
    "write_pseudonymised",
]

#: The fields a partnership hashes unless it agrees others (``--fields``).
DEFAULT_FIELDS: tuple[str, ...] = ("name", "date_of_birth", "postcode")
#: Length of a partnership key in bytes (256 bits: the output size of SHA-256, RFC 2104 section 3).
KEY_BYTES = 32
#: A key file is a few lines of text; anything larger is not a key.
KEY_FILE_MAX_BYTES = 4_096
#: Household ids made by :func:`pseudonymise`: ``H-`` and 16 hexadecimal digits (64 bits).
HOUSEHOLD_ID_PATTERN = r"^H-[0-9a-f]{16}$"
ID_PREFIX, ID_HEX = "H-", 16
#: Version tag at the start of every hashed message: a change of normalisation changes it.
_DOMAIN = b"needs-household-v1"
#: SHA-256 of the published demonstration key (``data/demonstration-partnership.key``).
DEMONSTRATION_KEY_SHA256 = "9e935b51ea82b52ddac25643ba0dc7cb481aad5e2d88b925a0d039b1072b1da0"

#: Headings (as :func:`heading_key` writes them) of columns that identify a person: one list,
#: used to refuse an output that would hold any of them. Any heading starting ``address``
#: identifies too (``address_line_1``...).
IDENTIFYING_COLUMNS: frozenset[str] = frozenset(
    {
        "name", "full_name", "first_name", "forename", "forenames", "given_name", "middle_name",
        "surname", "last_name", "family_name", "maiden_name", "previous_name", "alias",
        "date_of_birth", "dob", "birth_date", "birthdate",
        "postcode", "post_code", "address", "street", "house_number", "flat",
        "nhs_number", "nhs_no", "national_insurance_number", "ni_number",
        "phone", "telephone", "phone_number", "telephone_number", "mobile", "mobile_number",
        "email", "email_address", "e_mail",
    }
)  # fmt: skip
_IDENTIFYING_PREFIXES = ("address",)

#: Headings that name the same field (as :func:`heading_key` writes them): the hashed message uses
#: the field's one name, so ``DOB`` at one provider and ``Date of birth`` at another link.
FIELD_NAMES: dict[str, str] = {
    "full_name": "name",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "birthdate": "date_of_birth",
    "post_code": "postcode",
    "nhs_no": "nhs_number",
}
#: How each agreed field is normalised, by its name (:data:`FIELD_NAMES`); others are ``"other"``.
FIELD_KINDS: dict[str, str] = {
    **{
        name: "name"
        for name in (
            "name",
            "first_name",
            "forename",
            "forenames",
            "given_name",
            "middle_name",
            "surname",
            "last_name",
            "family_name",
            "maiden_name",
        )
    },  # fmt: skip
    "date_of_birth": "date",
    "postcode": "postcode",
}

#: Letters that NFKD leaves whole, mapped to their usual ASCII spelling.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02b9`\u00b4]")
_NOT_WORD = re.compile(r"[^0-9a-z ]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_SPACES = re.compile(r"\s+")
#: A full UK postcode, without its space (ONS Postcode Directory user guide, format of PCD).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+)\.?,? (\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_YEAR_ONLY = re.compile(r"^\d{4}$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

#: Values that identify someone wherever they appear (checked in every column written).
_LOOKS_IDENTIFYING = (
    ("an email address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("a UK postcode", re.compile(r"\b[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\b")),
    ("a UK telephone number", re.compile(r"(?<![0-9])(?:\+44 ?|0)7[0-9]{3} ?[0-9]{3} ?[0-9]{3}(?![0-9])")),
)
#: Most problems listed one by one in a refusal.
MAX_LISTED = 50


# --------------------------------------------------------------------------------------
# The key
# --------------------------------------------------------------------------------------


def _key_error(path: Path, what: str) -> InputError:
    return InputError(
        f"--key {path}: {what}; a partnership key file holds one line of {2 * KEY_BYTES} hexadecimal "
        "characters (lines starting # are comments), as 'needs pseudonymise --new-key FILE' writes it"
    )


def read_key(path: str | Path) -> bytes:
    """The partnership key held in the key file ``path``.

    The file is UTF-8 text: comment lines starting ``#``, blank lines, and one line of
    ``2 x KEY_BYTES`` (64) hexadecimal characters, the key's 32 bytes.

    Raises
    ------
    InputError
        The file cannot be read, is larger than :data:`KEY_FILE_MAX_BYTES`, or does not hold
        exactly one such line. The message never shows the file's content.
    """
    path = Path(path)
    try:
        data = read_bytes(path, str(path), DEFAULT_LIMITS.raised([f"file_bytes={KEY_FILE_MAX_BYTES}"]))
    except OSError as error:
        raise _key_error(path, f"cannot be read ({error.strerror or type(error).__name__})") from None
    except InputError:  # LimitExceeded: too large to be a key
        raise _key_error(path, f"the file is larger than {KEY_FILE_MAX_BYTES:,} bytes") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _key_error(path, "the file is not text") from None
    lines = [line.strip() for line in text.splitlines()]
    keys = [line for line in lines if line and not line.startswith("#")]
    if len(keys) != 1:
        raise _key_error(path, f"the file holds {len(keys)} lines that are not comments")
    if not re.fullmatch(rf"[0-9A-Fa-f]{{{2 * KEY_BYTES}}}", keys[0]):
        raise _key_error(path, f"its key line is not {2 * KEY_BYTES} hexadecimal characters")
    key = bytes.fromhex(keys[0])
    if len(set(key)) < 4:  # e.g. all zeros: typed, not drawn at random
        raise _key_error(path, "its key is not random (it repeats a few bytes)")
    return key


def is_demonstration_key(key: bytes) -> bool:
    """True for the published demonstration key, which protects nothing."""
    return hmac.compare_digest(hashlib.sha256(key).hexdigest(), DEMONSTRATION_KEY_SHA256)


def make_key(path: str | Path) -> Path:
    """Write a new random partnership key to ``path`` (``secrets.token_bytes``, 32 bytes).

    The file is created with mode 0600 (read and write by its owner only) and never
    replaces an existing file.

    Raises
    ------
    InputError
        ``path`` exists, or its folder cannot be written.
    """
    path = Path(path)
    today = dt.date.today()
    start = today.year if today.month >= 4 else today.year - 1
    text = (
        "# needs partnership key (HMAC-SHA256). SECRET: give it to each provider by a secure route,\n"
        "# never in an email with data, never in a shared folder with the pseudonymised sheets.\n"
        f"# Made on {today.isoformat()} for the financial year {start}-{(start + 1) % 100:02d}; "
        "make a new one each year, or at once if it is lost or leaked.\n"
        f"{secrets.token_bytes(KEY_BYTES).hex()}\n"
    )
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(
            f"--new-key {path}: the file exists; a key is never overwritten (ids made with it would no "
            "longer link): choose another name, or remove the old key yourself"
        ) from None
    except OSError as error:
        raise InputError(f"--new-key {path}: cannot write it ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(path, 0o600)  # the mode even where the umask is unusual
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------


def heading_key(heading: str) -> str:
    """A heading as compared with the lists: case-folded, runs of other characters as ``_``
    (``Date of Birth`` and ``date-of-birth`` are ``date_of_birth``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(heading).casefold()).strip("_")


def field_name(heading: str) -> str:
    """The field a heading names: :func:`heading_key`, then :data:`FIELD_NAMES` (``DOB`` is
    ``date_of_birth``)."""
    key = heading_key(heading)
    return FIELD_NAMES.get(key, key)


def is_identifying(heading: str) -> bool:
    """True if a column with this heading identifies a person (:data:`IDENTIFYING_COLUMNS`)."""
    key = heading_key(heading)
    return key in IDENTIFYING_COLUMNS or key.startswith(_IDENTIFYING_PREFIXES)


def _common(value: str) -> str:
    """NFKD, accents removed, letters mapped, case-folded, whitespace collapsed and trimmed."""
    if value.isascii():  # nothing to decompose (most values): the same result, faster
        plain = value
    else:
        decomposed = unicodedata.normalize("NFKD", value)
        plain = "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_LETTERS)
    return _SPACES.sub(" ", plain.casefold()).strip()


def _name(value: str) -> str:
    text = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", _common(value)))
    return _SPACES.sub(" ", text).strip()


def _postcode(value: str) -> tuple[str, str | None]:
    text = _NOT_ALNUM.sub("", _common(value)).upper()
    if not _POSTCODE.match(text):
        return text, "expected a full UK postcode, for example LE1 6TH"
    return text, None


def _date(value: str) -> tuple[str, str | None]:
    text = _common(value)
    day_first = "dates are read day first, as in the UK (DD/MM/YYYY)"
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _WORDS.match(text):
        if match.group(2) not in _MONTHS:
            return text, "expected a date; the month is not a month's name"
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    elif match := _SERIAL.match(text):
        date = _EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))
        year, month, day = date.year, date.month, date.day
    elif _TWO_DIGIT_YEAR.match(text):
        return text, "the year has two digits, so the century cannot be known; write the year in full (YYYY)"
    elif _YEAR_ONLY.match(text):
        return text, "a year alone is not a date of birth; expected a full date"
    else:
        return text, "expected a date as YYYY-MM-DD, DD/MM/YYYY, '7 March 1985' or an Excel date cell"
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return text, f"no such date: {day_first}, with the day at most 31 and the month at most 12"
    if date.year < 1900 or date > dt.date.today():
        return text, "the date is before 1900 or in the future"
    return date.isoformat(), None


def _other(value: str) -> str:
    return _NOT_ALNUM.sub("", _common(value))


def normalise(values: Sequence[str] | np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalised text of ``values`` as :func:`pseudonymise` hashes it (see the module docstring).

    Parameters
    ----------
    values
        Text values (``None`` and NaN are blank).
    kind
        ``"name"``, ``"date"``, ``"postcode"`` or ``"other"`` (:data:`FIELD_KINDS`).

    Returns
    -------
    normalised, problems
        Object arrays of the length of ``values``: the normalised text, and for each value a
        description of what is wrong with it (without the value) or ``None``.
    """
    array = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(array, use_na_sentinel=False)
    done: list[str] = []
    wrong: list[str | None] = []
    for value in uniques:  # each distinct value once: bounded by the distinct values
        text = value if isinstance(value, str) else ""
        problem: str | None = None
        if not text.strip():
            normalised, problem = "", "blank; every field the partnership agreed must be filled"
        elif kind == "name":
            normalised = _name(text)
            if not normalised:
                problem = "expected a name with letters or digits"
        elif kind == "date":
            normalised, problem = _date(text)
        elif kind == "postcode":
            normalised, problem = _postcode(text)
        elif kind == "other":
            normalised = _other(text)
            if not normalised:
                problem = "expected letters or digits"
        else:
            raise ValueError(f"kind must be one of name, date, postcode, other; got {kind!r}")
        done.append(normalised)
        wrong.append(problem)
    return np.asarray(done, dtype=object)[codes], np.asarray(wrong, dtype=object)[codes]


# --------------------------------------------------------------------------------------
# Pseudonymising
# --------------------------------------------------------------------------------------


def _fields(frame: pd.DataFrame, fields: Sequence[str], source: str) -> dict[str, str]:
    """Field name (:func:`field_name`) -> the frame's heading for it; refused if one is missing."""
    by_key: dict[str, str] = {}
    for heading in frame.columns:
        by_key.setdefault(field_name(heading), heading)
    wanted = [field_name(field) for field in fields]
    if not wanted or len(set(wanted)) != len(wanted) or not all(wanted):
        raise InputError(f"--fields: expected different field names, e.g. {','.join(DEFAULT_FIELDS)}")
    missing = [field for field, key in zip(fields, wanted, strict=True) if key not in by_key]
    if missing:
        headings = ", ".join(quote_start(str(heading), 40) for heading in frame.columns)
        raise InputError(
            f"{source}: no column for the field{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(field) for field in missing)} (the fields the partnership agreed, --fields); "
            f"the headings are {headings}"
        )
    return {key: by_key[key] for key in sorted(wanted)}


def pseudonymise(
    frame: pd.DataFrame,
    key: bytes,
    fields: Sequence[str] = DEFAULT_FIELDS,
    *,
    source: str = "the table",
    rows: Sequence[int] | np.ndarray | None = None,
) -> pd.Series:
    """The ``household_id`` of each row of ``frame``: a keyed hash of its normalised fields.

    ``household_id = "H-" + hex(HMAC-SHA256(key, message))[:16]``, ``message`` as in the
    module docstring (RFC 2104; FIPS 180-4); the fields are normalised as the module
    docstring specifies.

    Parameters
    ----------
    frame
        One row per record; text columns (or values whose ``str`` is the text).
    key
        The partnership key (:func:`read_key`), at least 16 bytes.
    fields
        The identifying fields, matched with the headings by :func:`field_name` (``Date of
        birth`` and ``DOB`` are ``date_of_birth``); their order does not matter.
    source
        The file (and sheet), for messages.
    rows
        The row number of each row as the user sees it (default: the position + 2, a CSV
        file's rows below its heading).

    Returns
    -------
    pandas.Series
        ``household_id`` values, on ``frame``'s index.

    Raises
    ------
    DataValidationError
        A field is blank or cannot be read (every such cell, with its row and column, up to
        :data:`MAX_LISTED`, never quoting its value).
    InputError
        A field has no column.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < 16:
        raise ValueError("key: expected the partnership key's bytes (read_key)")
    columns = _fields(frame, fields, source)
    numbers = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows)
    issues: list[Issue] = []
    message = pd.Series(_DOMAIN.decode("ascii"), index=frame.index, dtype=object)
    for name, heading in columns.items():
        values = frame[heading].astype(object).where(frame[heading].notna(), "").to_numpy(dtype=object)
        normalised, problems = normalise(values, FIELD_KINDS.get(name, "other"))
        bad = np.flatnonzero(problems != None)  # noqa: E711 (element-wise)
        issues += [Issue(source, str(problems[i]), int(numbers[i]), str(heading)) for i in bad[:MAX_LISTED]]
        if len(bad) > MAX_LISTED:
            issues.append(
                Issue(source, f"and {len(bad) - MAX_LISTED:,} more cells like these", None, heading)
            )
        message = message + f"\x1e{name}\x1f" + pd.Series(normalised, index=frame.index, dtype=object)
    if issues:
        raise DataValidationError(issues, source)
    codes, uniques = pd.factorize(message)
    digests = np.array(
        [ID_PREFIX + hmac.digest(key, text.encode("utf-8"), "sha256").hex()[:ID_HEX] for text in uniques],
        dtype=object,
    )
    return pd.Series(
        digests[codes] if len(codes) else [], index=frame.index, dtype=object, name="household_id"
    )


# --------------------------------------------------------------------------------------
# The provider's local sheet in, the pseudonymised sheet out
# --------------------------------------------------------------------------------------


def _csv_sheet(data: bytes, source: str, table: str, limits: ReadLimits, issues: list[Issue]) -> RawTable:
    """A CSV file's cells as text, with the readers' limits (:mod:`needs.inputs.csv_reader`)."""
    problem = _binary_problem(data, ".csv") if data and not data.isspace() else "is empty"
    if problem:
        raise InputError(f"{source}: cannot be read: the file {problem}")
    heading = _csv_heading(data, source, limits)
    if heading is None:
        raise InputError(f"{source}: the file holds only blank lines; expected a heading row and data rows")
    columns = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            columns = _csv_columns(data, encoding, source, limits, heading[1], heading[0] + 1)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise InputError(f"{source}: cannot be read as CSV: {error}") from None
    if columns is None:
        raise InputError(
            f"{source}: cannot be read as text; save it from Excel as 'CSV UTF-8 (Comma delimited)'"
        )
    blank_rows = np.ones(len(columns[0]), dtype=bool)
    for column in columns:
        blank_rows &= (np.asarray(column.categories, dtype=object) == "")[column.codes]
    at = int(np.argmin(blank_rows))
    header = [str(column[at]) for column in columns]
    return _frame_to_raw(table, source, header, [column[at + 1 :] for column in columns], at + 2, issues)


def _workbook_sheet(
    data: bytes, source: str, sheet: str | None, table: str, limits: ReadLimits, issues: list[Issue]
) -> RawTable:
    """One sheet's cells as text, with the readers' limits (:mod:`needs.inputs.workbook`)."""
    check_workbook_size(data, source, limits)
    try:
        with _unsized_sheets():
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED:
        raise InputError(f"{source}: cannot be read as an Excel workbook (.xlsx)") from None
    try:
        names = [name for name in workbook.sheetnames if name not in schema.TEMPLATE_SHEETS]
        if sheet is None:
            tables = [name for name in names if name.strip().lower() == table]
            if len(names) != 1 and len(tables) != 1:
                raise InputError(
                    f"{source}: which sheet? give --sheet, one of "
                    f"{', '.join(quote_start(name, 40) for name in workbook.sheetnames)}"
                )
            sheet = names[0] if len(names) == 1 else tables[0]
        if sheet not in workbook.sheetnames:
            raise InputError(
                f"{source}: no sheet {quote_start(sheet, 40)}; the sheets are "
                f"{', '.join(quote_start(name, 40) for name in workbook.sheetnames)}"
            )
        where = f"{source}, sheet {quote_start(sheet)}"
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        rows = _checked_rows(worksheet.iter_rows(values_only=True), where, limits)
        header, number = None, 0
        for number, row in rows:
            if number > limits.rows:
                break
            texts = [_cell_text(value).strip() for value in row]
            if any(texts):
                header = texts
                break
        if header is None:
            raise InputError(f"{where}: the sheet is empty; expected a heading row and data rows")
        _check_heading(header, where, limits)
        pool = _ColumnPool(where, limits, number + 1, header)
        chunk: list[tuple] = []
        for count, (_, row) in enumerate(rows, start=1):
            if count > limits.rows:
                raise LimitExceeded(
                    where,
                    "rows",
                    f"the sheet has more than {limits.rows:,} rows after its heading row",
                    limits.rows,
                )
            chunk.append(
                row[: len(header)] if row[len(header) :].count(None) == len(row) - len(header) else row
            )
            if len(chunk) >= _chunk_rows(len(header)):
                pool.add(_sheet_columns(chunk), len(chunk))
                chunk = []
        if chunk:
            pool.add(_sheet_columns(chunk), len(chunk))
        header, columns = _pad(header, pool.finish(_cell_texts), pool.rows)
        return _frame_to_raw(
            _TABLE_NAMES.get(sheet.strip().lower(), table), where, header, columns, number + 1, issues
        )
    finally:
        workbook.close()


def read_local_sheet(
    path: str | Path, limits: ReadLimits = DEFAULT_LIMITS, sheet: str | None = None, table: str = "referrals"
) -> RawTable:
    """Read a provider's local sheet (CSV or XLSX) as text, within the same limits as a data folder.

    Parameters
    ----------
    path
        A ``.csv`` file, or an ``.xlsx``/``.xlsm`` workbook.
    limits
        What the readers accept (:class:`~needs.inputs.limits.ReadLimits`).
    sheet
        The workbook's sheet (default: its only sheet that is not a template sheet, else the
        one named ``table``). A first row equal to the template's example row is dropped.
    table
        The table the sheet holds, for messages.

    Raises
    ------
    InputError
        The file cannot be read, or exceeds a limit (a ``LimitExceeded``).
    """
    path = Path(path)
    try:
        data = read_bytes(path, path.name, limits)
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    issues: list[Issue] = []
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _csv_sheet(data, path.name, table, limits, issues)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _workbook_sheet(data, path.name, sheet, table, limits, issues)
    else:
        raise InputError(f"{path}: expected a .csv file or an .xlsx workbook")
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors:
        raise DataValidationError(errors, path.name)
    if raw.table in schema.TABLES and _is_example_row(raw):  # the template's grey example, left in place
        raw = RawTable(raw.table, raw.source, raw.frame.iloc[1:].reset_index(drop=True), raw.rows[1:])
    return raw


def sheet_provider(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> str | None:
    """The provider a workbook names in the cell of its defined name ``provider`` (as the
    council's provider workbook, :func:`needs.inputs.template.write_provider_template`, writes
    it), or ``None`` (a CSV file, or no such name)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    data = read_bytes(path, path.name, limits)
    check_workbook_size(data, path.name, limits)
    try:
        with _unsized_sheets():
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED:
        return None
    try:
        defined = workbook.defined_names.get(PROVIDER_NAME)
        for sheet, cell in defined.destinations if defined is not None else ():
            if sheet in workbook.sheetnames:
                name = " ".join(_cell_text(workbook[sheet][cell.replace("$", "")].value).split())
                return name or None
        return None
    except _DAMAGED:
        return None
    finally:
        workbook.close()


def _looks_identifying(frame: pd.DataFrame, rows: np.ndarray, source: str) -> list[Issue]:
    """A cell in any column that looks like an email address, a postcode or a mobile number."""
    issues = []
    for heading in frame.columns:
        column = pd.Categorical(frame[heading].astype(object).where(frame[heading].notna(), ""))
        categories = pd.Series(np.asarray(column.categories, dtype=object), dtype=object).astype(str)
        for what, pattern in _LOOKS_IDENTIFYING:
            hits = categories.str.contains(pattern, regex=True).to_numpy()
            if hits.any():
                first = int(np.flatnonzero(np.isin(column.codes, np.flatnonzero(hits)))[0])
                issues.append(
                    Issue(
                        source,
                        f"holds {what}, which identifies a person, so the sheet was not written; "
                        "remove it (or the column) from the sheet",
                        int(rows[first]),
                        str(heading),
                    )
                )
                break
    return issues


def pseudonymised_table(
    raw: RawTable, key: bytes, fields: Sequence[str] = DEFAULT_FIELDS, drop: Sequence[str] = ()
) -> pd.DataFrame:
    """The sheet that may leave the provider: ``household_id`` made, identifying fields gone.

    Every column is kept as text except the ``fields`` (hashed, then dropped) and ``drop``;
    ``household_id`` is added after ``referral_id`` (or first), or replaced where it is.

    Raises
    ------
    InputError
        A column that is not dropped is identifying (:func:`is_identifying`), or a cell of
        one looks like an email address, a postcode or a mobile number. Nothing is written.
    DataValidationError
        A field cannot be read (:func:`pseudonymise`).
    """
    frame = raw.frame
    ids = pseudonymise(frame, key, fields, source=raw.source, rows=raw.rows)
    hashed = set(_fields(frame, fields, raw.source).values())
    dropped = {heading_key(name) for name in drop}
    kept = [
        c for c in frame.columns if c not in hashed and heading_key(c) not in dropped and c != "household_id"
    ]
    identifying = [c for c in kept if is_identifying(c)]
    if identifying:
        raise InputError(
            f"{raw.source}: the column{'s' if len(identifying) > 1 else ''} "
            f"{', '.join(quote_start(c, 40) for c in identifying)} identif{'y' if len(identifying) > 1 else 'ies'} "
            "people and would be written to the output, so nothing was written; delete "
            f"{'them' if len(identifying) > 1 else 'it'} from the sheet, or name "
            f"{'them' if len(identifying) > 1 else 'it'} with --drop"
        )
    out = pd.DataFrame(
        {c: frame[c].astype(object).where(frame[c].notna(), "") for c in kept}, index=frame.index
    )
    issues = _looks_identifying(out, np.asarray(raw.rows), raw.source)
    if issues:
        raise DataValidationError(issues, raw.source)
    columns = list(frame.columns)
    if "household_id" in columns:
        before = [c for c in columns[: columns.index("household_id")] if c in kept]
        position = len(before)
    else:
        position = kept.index("referral_id") + 1 if "referral_id" in kept else 0
    out.insert(position, "household_id", ids.to_numpy(dtype=object))
    return out.reset_index(drop=True)


def write_pseudonymised(
    frame: pd.DataFrame, path: str | Path, sheet: str = "referrals", provider: str | None = None
) -> Path:
    """Write the pseudonymised sheet atomically: CSV for ``.csv``, else a workbook whose sheet is
    named ``sheet`` (the table's name, which :func:`needs.load` looks for), after an ``About``
    sheet naming the ``provider`` (if given) as the provider workbook does (row 2,
    ``Provider | NAME``, the cell named ``provider``).

    Raises
    ------
    InputError
        A column is identifying (checked again here, whatever built ``frame``), or the
        name does not end ``.csv`` or ``.xlsx``.
    """
    path = Path(path)
    identifying = [str(c) for c in frame.columns if is_identifying(str(c))]
    if identifying:
        raise InputError(f"{path}: not written: the columns {', '.join(identifying)} identify people")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write_bytes(path, csv_bytes(frame))
        return path
    if suffix != ".xlsx":
        raise InputError(f"--out {path}: give a file name ending .csv or .xlsx")
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    if provider:
        worksheet.title = ABOUT_SHEET
        worksheet.append(
            ["Pseudonymised return, made by needs pseudonymise: no names, dates of birth or postcodes"]
        )
        worksheet.append(["Provider", provider])
        column, row = PROVIDER_CELL[0], PROVIDER_CELL[1:]
        workbook.defined_names[PROVIDER_NAME] = DefinedName(
            PROVIDER_NAME, attr_text=f"{quote_sheetname(ABOUT_SHEET)}!${column}${row}"
        )
        worksheet = workbook.create_sheet()
        workbook.active = 1
    worksheet.title = sheet[:31]
    worksheet.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        worksheet.append([value if value != "" else None for value in record])
    return save_workbook(workbook, path)
