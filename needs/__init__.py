"""needs: the Part 4 Domestic Abuse Act 2021 safe-accommodation needs assessment toolkit."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("needs")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from needs.inputs.dataset import Dataset  # noqa: E402

__all__ = ["Dataset", "__version__", "load", "assess", "assess_all"]


def __getattr__(name: str):
    # Lazy imports keep `import needs` fast for the command line.
    if name == "load":
        from needs.inputs.load import load

        return load
    if name == "assess":
        from needs.assessment.assemble import assess

        return assess
    if name == "assess_all":
        from needs.assessment.assemble import assess_all

        return assess_all
    raise AttributeError(name)
