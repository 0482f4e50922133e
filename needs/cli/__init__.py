"""The ``needs`` command line: argument parsing and dispatch only; nothing imports it.

Each command is a module of this package with ``add_parser(commands)`` (its arguments, whose
help states every default) and ``run(args)`` (build the settings, call the library, print).
Exit codes: 0 success, 2 bad input (data, arguments, scenario files, an output path that
cannot be written), 1 anything else; 130 when stopped by SIGINT (Ctrl-C) and 143 when stopped
by SIGTERM, after the run has removed its temporary files and left every previous output as
it was. Errors are printed as one plain message; set ``NEEDS_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys

from needs.cli import annual_return, dictionary, pseudonymise, report, scenarios, synth, template, validate
from needs.errors import NeedsError, interruptible
from needs.version import __version__

__all__ = ["build_parser", "main"]

#: The commands, in the order ``needs --help`` lists them.
COMMANDS = (validate, dictionary, report, scenarios, annual_return, template, pseudonymise, synth)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 already
        self.print_usage(sys.stderr)
        self.exit(2, f"needs: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = _Parser(
        prog="needs", description="Safe-accommodation needs assessment toolkit (DA Act 2021 Part 4)."
    )
    parser.add_argument("--version", action="version", version=f"needs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # SIGINT and SIGTERM become exceptions, so every cleanup runs before the exit.
        with interruptible():
            return args.run(args)
    except NeedsError as error:
        print(f"needs: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as error:  # Ctrl-C, or needs.errors.Interrupted (SIGINT, SIGTERM)
        what = str(error) or "interrupted"
        print(f"needs: {what}; stopped with no partial output and no temporary file left", file=sys.stderr)
        return getattr(error, "exit_code", 130)
    except Exception as error:  # last resort: a clear message, not a traceback
        if os.environ.get("NEEDS_DEBUG"):
            raise
        print(f"needs: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        print("needs: set NEEDS_DEBUG=1 to see the details", file=sys.stderr)
        return 1
