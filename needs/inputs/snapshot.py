"""A validated dataset written once to a file and read back by every worker and kernel.

Loading and validating a data folder is the slowest step before a report's notebook runs
(seconds for a national folder). A run validates the folder once, writes the resulting
:class:`~needs.inputs.dataset.Dataset` to a **snapshot** with :func:`write_snapshot`, and
every all-areas task and every notebook kernel reads it back with :func:`read_snapshot`
(a fraction of a second) instead of validating the CSV files again.

A snapshot is a pickle named ``.needs-snapshot-<key>.pickle``, where the key is the SHA-256
of the needs version and of the SHA-256 of every input file
(:attr:`needs.inputs.dataset.InputFile.sha256`). Reading checks the name, the key stored in
the file, the key of the dataset it holds and the version, and raises
:class:`SnapshotError` when the file is missing, corrupt or from another version.

Snapshots hold record-level data: they are written only inside temporary folders (the
report's work folder, or :func:`temporary_snapshot`'s folder inside the output folder, which
every Dask worker sees) that are readable by their owner only and removed when the run ends,
also when it fails or is interrupted. They are never published. Read only snapshots this
toolkit wrote: unpickling runs code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from needs.errors import NeedsError
from needs.inputs.dataset import Dataset
from needs.version import __version__

__all__ = [
    "ASSESSMENT_PREFIX",
    "SNAPSHOT_PREFIX",
    "SNAPSHOT_SUFFIX",
    "SnapshotError",
    "read_assessment",
    "read_snapshot",
    "snapshot_key",
    "snapshot_path",
    "temporary_snapshot",
    "write_assessment",
    "write_snapshot",
]

#: File names of snapshots: ``<prefix><key><suffix>``.
SNAPSHOT_PREFIX = ".needs-snapshot-"
SNAPSHOT_SUFFIX = ".pickle"
#: File names of assessments computed for a kernel: ``<prefix><random>.pickle``.
ASSESSMENT_PREFIX = ".needs-assessment-"
#: Version of the snapshot's layout (a dict holding the dataset); part of every check.
_FORMAT = 1
_NAME = re.compile(rf"^{re.escape(SNAPSHOT_PREFIX)}([0-9a-f]{{64}}){re.escape(SNAPSHOT_SUFFIX)}$")


class SnapshotError(NeedsError):
    """A dataset snapshot is missing, corrupt, or was written by another version (exit 1)."""


def snapshot_key(dataset: Dataset) -> str:
    """The SHA-256 naming the snapshot of ``dataset``.

    Computed from the needs version and, for each input file, its SHA-256 and the tables it
    holds (file order does not matter). A dataset built in memory has no input files: its
    key depends on the version only, so its snapshots are told apart by their folders.
    """
    digest = hashlib.sha256(f"needs {__version__}\nsnapshot format {_FORMAT}\n".encode())
    for line in sorted(f"{item.sha256} {','.join(item.tables)}" for item in dataset.files):
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def snapshot_path(folder: str | Path, dataset: Dataset) -> Path:
    """Where :func:`write_snapshot` writes the snapshot of ``dataset`` inside ``folder``."""
    return Path(folder) / f"{SNAPSHOT_PREFIX}{snapshot_key(dataset)}{SNAPSHOT_SUFFIX}"


def write_snapshot(dataset: Dataset, folder: str | Path) -> Path:
    """Write ``dataset`` to a snapshot file in ``folder`` (atomically) and return its path.

    Parameters
    ----------
    dataset
        A validated dataset (from :func:`needs.load`).
    folder
        An existing temporary folder; the caller removes it when the run ends.

    Returns
    -------
    pathlib.Path
        ``<folder>/.needs-snapshot-<key>.pickle``, readable by its owner only.
    """
    path = snapshot_path(folder, dataset)
    payload = {"format": _FORMAT, "key": snapshot_key(dataset), "version": __version__, "dataset": dataset}
    handle, staged = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    return _pickle_into(handle, staged, path, payload)


def _pickle_into(handle: int, staged: str, path: Path, payload: dict[str, Any]) -> Path:
    """Pickle ``payload`` into the open temporary file ``staged`` (made by
    :func:`tempfile.mkstemp`, so readable by its owner only), then move it onto ``path``
    atomically; the temporary file never outlives the call."""
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(payload, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staged, path)
    finally:
        Path(staged).unlink(missing_ok=True)
    return path


def read_snapshot(path: str | Path) -> Dataset:
    """The dataset in a snapshot written by :func:`write_snapshot`.

    Raises
    ------
    SnapshotError
        The file is missing (it is removed when its run ends; with a Dask cluster the output
        folder must be on a filesystem every worker sees), is not a snapshot, is corrupt, or
        its key or version does not match.
    """
    path = Path(path)
    match = _NAME.match(path.name)
    if match is None:
        raise SnapshotError(
            f"{path.name} is not a dataset snapshot (expected {SNAPSHOT_PREFIX}<SHA-256>{SNAPSHOT_SUFFIX})"
        )
    try:
        with path.open("rb") as file:
            payload: Any = pickle.load(file)
    except FileNotFoundError:
        raise SnapshotError(
            f"the dataset snapshot {path} is missing: it exists only while its run lasts, and with "
            "a Dask cluster the output folder must be on a filesystem every worker sees"
        ) from None
    except OSError as error:
        raise SnapshotError(f"cannot read the dataset snapshot {path}: {error.strerror or error}") from None
    except Exception as error:  # truncated or overwritten: EOFError, UnpicklingError, ...
        raise SnapshotError(
            f"the dataset snapshot {path} is corrupt ({type(error).__name__}: {error})"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("dataset"), Dataset):
        raise SnapshotError(f"the dataset snapshot {path} is corrupt (it holds no dataset)")
    if payload.get("version") != __version__ or payload.get("format") != _FORMAT:
        raise SnapshotError(
            f"the dataset snapshot {path} was written by needs {payload.get('version')}, but this is "
            f"needs {__version__}: install the same version everywhere"
        )
    dataset = payload["dataset"]
    key = match.group(1)
    if payload.get("key") != key or snapshot_key(dataset) != key:
        raise SnapshotError(
            f"the dataset snapshot {path} does not hold the data its name says (key mismatch)"
        )
    return dataset


@contextmanager
def temporary_snapshot(dataset: Dataset, parent: str | Path) -> Iterator[Path]:
    """Write ``dataset`` to a snapshot in a new temporary folder inside ``parent``; remove
    the folder when the block ends, whether it ends normally, by an error or an interrupt.

    ``parent`` must exist; for a Dask cluster it must be on a filesystem every worker sees
    (the output folder is). The folder is hidden (``.needs-snapshot.*.tmp``) and readable
    by its owner only.

    Yields
    ------
    pathlib.Path
        The snapshot file.
    """
    folder = Path(tempfile.mkdtemp(prefix=".needs-snapshot.", suffix=".tmp", dir=parent))
    try:
        path = write_snapshot(dataset, folder)
        del dataset  # the caller may free it while the block runs
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_assessment(assessment: Any, folder: str | Path, call: dict[str, Any]) -> Path:
    """Write an assessment computed by the renderer for its kernel to a file in ``folder``.

    The renderer computes the assessment while the notebook's kernel starts (the two overlap)
    and hands it over, like the dataset, instead of the kernel computing it again. ``call``
    holds the arguments it was computed with (area, period and the options of
    :func:`needs.assess`): :func:`read_assessment` gives it back only for the same call. The
    file holds record-level figures: only ever in the render's temporary work folder.
    """
    handle, staged = tempfile.mkstemp(prefix=ASSESSMENT_PREFIX, suffix=".part", dir=folder)
    path = Path(staged).with_suffix(SNAPSHOT_SUFFIX)
    payload = {"format": _FORMAT, "version": __version__, "call": _call(call), "assessment": assessment}
    return _pickle_into(handle, staged, path, payload)


def read_assessment(path: str | Path, call: dict[str, Any]) -> Any:
    """The assessment written by :func:`write_assessment`, if it was computed by the same call.

    Raises
    ------
    SnapshotError
        The file is missing, corrupt, from another version, or was computed with other
        arguments than ``call``.
    """
    path = Path(path)
    if not path.name.startswith(ASSESSMENT_PREFIX):
        raise SnapshotError(f"{path.name} is not an assessment written for a kernel")
    try:
        with path.open("rb") as file:
            payload: Any = pickle.load(file)
    except OSError as error:
        raise SnapshotError(f"cannot read the assessment {path}: {error.strerror or error}") from None
    except Exception as error:  # truncated or overwritten: EOFError, UnpicklingError, ...
        raise SnapshotError(f"the assessment {path} is corrupt ({type(error).__name__}: {error})") from None
    if (
        not isinstance(payload, dict)
        or payload.get("version") != __version__
        or payload.get("format") != _FORMAT
    ):
        raise SnapshotError(f"the assessment {path} was written by another version of needs")
    if payload.get("call") != _call(call):
        raise SnapshotError(
            f"the assessment {path} was computed with {payload.get('call')}, not {_call(call)}"
        )
    return payload["assessment"]


def _call(call: dict[str, Any]) -> dict[str, Any]:
    """The arguments of an assessment in one form (sequences as tuples), to compare calls."""
    return {
        key: tuple(value) if isinstance(value, list | tuple) else value for key, value in sorted(call.items())
    }
