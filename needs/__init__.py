"""needs: the Part 4 Domestic Abuse Act 2021 safe-accommodation needs assessment toolkit.

The package is laid out in the order the work flows:

- :mod:`needs.reference`: category lists, constants, periods, the data dictionary, the
  reference tables and where the bundled notebooks, templates and example data are;
- :mod:`needs.inputs`: loading and validating a data folder into a :class:`Dataset`, and
  the provider data-collection template;
- :mod:`needs.methods`: domain-free statistics (OHID intervals, standardised rates,
  comparisons), the Erlang loss model and disclosure control;
- :mod:`needs.assessment`: the calculations of the assessment, for every area at once;
- :mod:`needs.publish`: the published tables, charts and their formatting;
- :mod:`needs.outputs`: the rendered report, every area's reports, the annual return,
  atomic file writing;
- :mod:`needs.scenarios`: commissioning scenarios; :mod:`needs.synth`: synthetic data;
- :mod:`needs.settings`: :class:`RunSettings`, the one settings object of a run;
- :mod:`needs.cli`: the ``needs`` command (nothing imports it).

The public API is re-exported here: :func:`load`, :func:`assess`, :func:`assess_all`,
:func:`render`, :func:`render_all`, :class:`RunSettings`, :class:`Dataset`.
"""

from __future__ import annotations

from needs.assessment.assemble import assess, assess_all
from needs.inputs.dataset import Dataset
from needs.inputs.load import load
from needs.outputs.all_areas import render_all
from needs.outputs.report import render
from needs.settings import RunSettings
from needs.version import __version__

__all__ = ["Dataset", "RunSettings", "__version__", "assess", "assess_all", "load", "render", "render_all"]
