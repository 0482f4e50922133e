"""Where the toolkit's own files are: the notebooks, the report template, the example data.

The single source of these files is the top level of the repository (``notebooks/``,
``templates/``, ``data/example/``). The wheel carries a copy of each inside the package,
under ``needs/bundled/`` (``pyproject.toml`` maps them there at build time; nothing is
committed twice). At run time :func:`bundled` finds them through :mod:`importlib.resources`
in an installed package, and falls back to the repository's top level in a source checkout
or an editable install.

Reference tables read by the code itself (``needs/reference/resources/``) are package data
in both cases: see :func:`resource`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["bundled", "example_data", "notebook", "resource", "templates"]

#: Folder inside the installed package that holds the bundled top-level folders.
BUNDLED = "bundled"
#: The repository's top level, when running from a source checkout.
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _package_path(*parts: str) -> Path:
    # Installed from a wheel the package is on the filesystem, so the Traversable is a Path.
    return Path(str(resources.files("needs").joinpath(*parts)))


def bundled(*parts: str) -> Path:
    """Path of a bundled file or folder, e.g. ``bundled("notebooks", "assessment.ipynb")``.

    The copy inside the installed package (``needs/bundled/...``) if there is one, else the
    file of the source checkout. The path may not exist: callers check and report.
    """
    packaged = _package_path(BUNDLED, *parts)
    if packaged.exists():
        return packaged
    return _SOURCE_ROOT.joinpath(*parts)


def notebook(name: str = "assessment.ipynb") -> Path:
    """A parameterised notebook (``assessment.ipynb``, ``scenarios.ipynb``)."""
    return bundled("notebooks", name)


def templates() -> Path:
    """The folder of nbconvert templates (``needs-report``) and example scenario files."""
    return bundled("templates")


def example_data() -> Path:
    """The embedded demonstration dataset (Leicestershire, 2023-24)."""
    return bundled("data", "example")


def resource(name: str) -> Path:
    """A reference table shipped with the code (``needs/reference/resources/<name>``)."""
    return _package_path("reference", "resources", name)
