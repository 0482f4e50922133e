"""Benchmark: wall time of ``needs report`` against the papermill + nbconvert floor.

The floor is the same two tools on a trivial notebook that imports pandas and matplotlib
and draws one chart: kernel start, execution and HTML conversion with nothing of ours. Both
run as fresh processes (as a user would run them), alternately, ``--repeat`` times; the
medians and their ratio are printed. Goal: ``needs report`` within 2x the floor.

Usage::

    python tests/benchmarks/bench_report.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_SCRIPT = r"""
import sys
import nbformat, papermill
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook

folder = sys.argv[1]
nb = new_notebook(cells=[new_code_cell(
    "import pandas as pd\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "frame = pd.DataFrame({'x': [1, 2, 3], 'y': [2, 1, 3]})\nfig, ax = plt.subplots()\n"
    "ax.plot(frame['x'], frame['y'])\nframe"
)])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbformat.write(nb, f"{folder}/trivial.ipynb")
executed = papermill.execute_notebook(
    f"{folder}/trivial.ipynb", f"{folder}/trivial.out.ipynb", kernel_name="python3", progress_bar=False
)
body, _ = HTMLExporter().from_notebook_node(executed)
open(f"{folder}/trivial.html", "w", encoding="utf-8").write(body)
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    floor_times: list[float] = []
    report_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        floor_dir = Path(folder) / "floor"
        floor_dir.mkdir()
        out = Path(folder) / "reports"
        # One untimed run of each warms the file cache and matplotlib's font cache.
        timed([sys.executable, "-c", FLOOR_SCRIPT, str(floor_dir)])
        timed([sys.executable, "-m", "needs.cli", "report", "--out", str(out)])
        for _ in range(args.repeat):
            floor_times.append(timed([sys.executable, "-c", FLOOR_SCRIPT, str(floor_dir)]))
            report_times.append(timed([sys.executable, "-m", "needs.cli", "report", "--out", str(out)]))
    floor = statistics.median(floor_times)
    report = statistics.median(report_times)
    print(
        f"papermill + nbconvert, trivial notebook: median {floor:.2f} s  ({', '.join(f'{t:.2f}' for t in floor_times)})"
    )
    print(
        f"needs report, default data:              median {report:.2f} s  ({', '.join(f'{t:.2f}' for t in report_times)})"
    )
    print(f"ratio: {report / floor:.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
