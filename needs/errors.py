"""Exceptions with exit codes: 2 for bad input, 1 for anything else; signals as exceptions.

A run stopped by SIGINT (Ctrl-C) or SIGTERM (``kill``, a scheduler, systemd) must leave no
temporary file behind and every previous output as it was. :func:`interruptible` turns both
signals into :class:`Interrupted` (a :class:`KeyboardInterrupt`) for the duration of a block,
so the cleanup ``finally`` blocks of the run are what runs next; the command line exits with
``128 + the signal's number`` (130 for SIGINT, 143 for SIGTERM) and one line on standard
error. :func:`uninterrupted` holds a signal back for the few instructions that must finish
together (the files of a report are replaced together or not at all).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
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


class Interrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; the cleanup ran as the exception unwound.

    A :class:`KeyboardInterrupt`, so code that already handles Ctrl-C handles SIGTERM the
    same way. ``exit_code`` is ``128 + signum``: 130 for SIGINT, 143 for SIGTERM.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(int(signum))  # the only argument: the exception pickles as it is
        self.signum = int(signum)
        self.exit_code = 128 + self.signum

    @property
    def signal_name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"

    def __str__(self) -> str:
        return f"interrupted by {self.signal_name}"


#: The signals :func:`interruptible` turns into :class:`Interrupted`.
STOP_SIGNALS: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)

# State of this process's handlers (touched only in the main thread, where Python runs them):
# depth of nested interruptible blocks; whether a signal has been raised already (later ones
# are ignored until the outermost block ends, so a second Ctrl-C cannot cut the cleanup
# short); depth of uninterrupted blocks and the signal they are holding back.
_state: dict = {"depth": 0, "stopping": False, "held": 0, "pending": None}


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def interruptible(on_signal: Callable[[], None] | None = None) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` while the block runs.

    Parameters
    ----------
    on_signal
        Called first when a signal arrives, before the exception is raised (for example to
        kill a kernel process at once rather than wait for it to finish a cell). Its own
        errors are ignored.

    The previous handlers are restored when the block ends. Only the first signal raises:
    later ones are ignored until the outermost block ends, so the cleanup runs to its end.
    Outside the main thread (a thread pool's worker) signals cannot be handled and the
    block runs unchanged.
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if _state["stopping"]:
            return
        if _state["held"]:
            _state["pending"] = (signum, on_signal)
            return
        _state["stopping"] = True
        _stop(signum, on_signal)

    previous: dict[int, object] = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main interpreter: signals cannot be handled here
        pass
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
        if _state["depth"] == 0:
            _state["stopping"] = False
            _state["pending"] = None


def _stop(signum: int, on_signal: Callable[[], None] | None) -> None:
    if on_signal is not None:
        with contextlib.suppress(Exception):
            on_signal()
    raise Interrupted(signum)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM (inside :func:`interruptible`) until the block ends.

    For a few instructions that must finish together, such as replacing a report and its
    audit notebook: a signal that arrives meanwhile raises :class:`Interrupted` when the
    block ends (after it, never in the middle).
    """
    if not _in_main_thread():
        yield
        return
    _state["held"] += 1
    try:
        yield
    finally:
        _state["held"] -= 1
    pending = _state["pending"]
    if pending is not None and not _state["held"] and not _state["stopping"]:
        _state["pending"] = None
        _state["stopping"] = True
        _stop(*pending)
